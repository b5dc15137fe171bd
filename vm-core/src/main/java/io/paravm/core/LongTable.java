package io.paravm.core;

import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A map from {@code long} keys to values: open addressing, linear probing, no boxing, so a
 * lookup on a hot path allocates nothing. Not thread-safe: the owner guards it.
 *
 * <pre>{@code
 * LongTable<Window> windows = new LongTable<>();
 * windows.put(SenderQueues.key(rank, task), new Window());
 * Window w = windows.get(SenderQueues.key(rank, task));
 * }</pre>
 *
 * @param <V> the values
 */
final class LongTable<V> {

    private static final int MIN_CAPACITY = 16;

    private long[] keys = new long[0];
    private Object[] values = new Object[0];
    private int size;

    /** The value of {@code key}, or null. */
    @SuppressWarnings("unchecked")
    V get(long key) {
        if (size == 0) return null;
        int mask = keys.length - 1;
        for (int i = slot(key, mask); values[i] != null; i = (i + 1) & mask) {
            if (keys[i] == key) return (V) values[i];
        }
        return null;
    }

    /** Sets the value of {@code key} (not null). */
    void put(long key, V value) {
        if (value == null) throw new NullPointerException("value");
        if ((size + 1) * 2 > keys.length) rehash(Math.max(MIN_CAPACITY, keys.length * 2));
        int mask = keys.length - 1;
        int i = slot(key, mask);
        for (; values[i] != null; i = (i + 1) & mask) {
            if (keys[i] == key) {
                values[i] = value;
                return;
            }
        }
        keys[i] = key;
        values[i] = value;
        size++;
    }

    /** Removes {@code key}; returns whether it was there. */
    boolean remove(long key) {
        if (size == 0) return false;
        int mask = keys.length - 1;
        int i = slot(key, mask);
        while (values[i] != null && keys[i] != key) i = (i + 1) & mask;
        if (values[i] == null) return false;
        deleteAt(i);
        return true;
    }

    /** Removes every entry whose value {@code test} accepts. */
    @SuppressWarnings("unchecked")
    void removeIf(Predicate<? super V> test) {
        long[] doomed = new long[size];
        int n = 0;
        for (int i = 0; i < keys.length; i++) {
            if (values[i] != null && test.test((V) values[i])) doomed[n++] = keys[i];
        }
        for (int i = 0; i < n; i++) remove(doomed[i]);
    }

    /** Calls {@code action} for every value. */
    @SuppressWarnings("unchecked")
    void forEach(Consumer<? super V> action) {
        for (Object v : values) if (v != null) action.accept((V) v);
    }

    int size() {
        return size;
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E37_79B9_7F4A_7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    /** Empties slot {@code i}, moving later entries of its probe run back (no tombstones). */
    private void deleteAt(int i) {
        int mask = keys.length - 1;
        values[i] = null;
        for (int j = (i + 1) & mask; values[j] != null; j = (j + 1) & mask) {
            int home = slot(keys[j], mask);
            boolean movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
            if (movable) {
                keys[i] = keys[j];
                values[i] = values[j];
                values[j] = null;
                i = j;
            }
        }
        size--;
        if (size == 0 && keys.length > 1024) {
            keys = new long[0];
            values = new Object[0];
        }
    }

    private void rehash(int capacity) {
        long[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new long[capacity];
        values = new Object[capacity];
        int mask = capacity - 1;
        for (int k = 0; k < oldKeys.length; k++) {
            if (oldValues[k] == null) continue;
            int i = slot(oldKeys[k], mask);
            while (values[i] != null) i = (i + 1) & mask;
            keys[i] = oldKeys[k];
            values[i] = oldValues[k];
        }
    }
}
