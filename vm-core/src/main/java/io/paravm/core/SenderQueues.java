package io.paravm.core;

import java.util.ArrayDeque;

/**
 * Items waiting for one receiver, queued per sender and in arrival order overall.
 *
 * <p>The next item from a given sender and the next from anyone each cost O(1) amortized,
 * however many items from other senders wait. Not thread-safe: the owner guards it.
 *
 * <p>How: each sender (a {@code long} key, e.g. a rank, or a rank and task number) has its own
 * queue; a ring of sender references records the arrival order. "Next from anyone" takes the
 * sender at the ring's head. An item taken from its sender out of turn leaves its ring entry
 * behind, counted as stale by its sender (always that sender's oldest entries), and skipped
 * when it reaches the head; when stale entries outnumber the items waiting, the ring is
 * compacted, so memory stays proportional to what waits. Nothing is allocated per item once
 * the ring, the table and a sender's queue have grown; a sender with nothing waiting is
 * forgotten, and its queue reused (up to {@value #POOLED_MAX} of them). The arrays are made on
 * the first add: a worker makes one of these per task, and most tasks never keep a frame.
 *
 * <pre>{@code
 * SenderQueues<Frame> waiting = new SenderQueues<>();
 * waiting.add(SenderQueues.key(1, 7), frame);
 * Frame fromTask = waiting.poll(SenderQueues.key(1, 7));
 * Frame oldest = waiting.pollAny();
 * }</pre>
 *
 * @param <E> what waits
 */
final class SenderQueues<E> {

    /** Senders kept for reuse once they have nothing waiting. */
    private static final int POOLED_MAX = 16;
    /** A sender whose queue once held more items than this is not reused: its array stays large. */
    private static final int POOLED_QUEUE_MAX = 256;
    /** Stale ring entries tolerated beyond the items waiting before the ring is compacted. */
    private static final int COMPACT_SLACK = 64;
    private static final int MIN_CAPACITY = 16;

    /** One sender's waiting items, and how many of its oldest ring entries are stale. */
    private static final class Sender<E> {
        long key;
        final ArrayDeque<E> items = new ArrayDeque<>();
        int stale;
        int mostWaiting;
    }

    /** Senders with an item or a ring entry, by key: open addressing, linear probing. */
    private Sender<E>[] table = none();
    private int senders;
    /** The arrival order: one entry per item added and not yet skipped, oldest at {@link #head}. */
    private Sender<E>[] ring = none();
    private int head;
    private int entries;
    private int staleEntries;
    private int size;
    /** Idle senders kept for reuse; made when the first sender goes idle. */
    private ArrayDeque<Sender<E>> pool;
    /** Items and ring entries takes looked at so far, for tests. */
    private long examined;
    /** Ring entries compactions walked so far, for tests: their cost, amortized over the takes. */
    private long compacted;

    /** The key of task {@code task} on rank {@code rank}. */
    static long key(int rank, int task) {
        return ((long) rank << 32) | (task & 0xffff_ffffL);
    }

    /** Adds {@code item} as the newest from {@code sender}. */
    void add(long sender, E item) {
        Sender<E> s = find(sender);
        if (s == null) s = insert(sender);
        s.items.add(item);
        s.mostWaiting = Math.max(s.mostWaiting, s.items.size());
        if (entries == ring.length) ring = resized(Math.max(MIN_CAPACITY, ring.length * 2));
        ring[(head + entries) & (ring.length - 1)] = s;
        entries++;
        size++;
    }

    /** Takes the oldest item from {@code sender}, or returns null if none waits. */
    E poll(long sender) {
        Sender<E> s = find(sender);
        if (s == null || s.items.isEmpty()) return null;
        examined++;
        E item = s.items.poll();
        size--;
        if (s.stale == 0 && ring[head] == s) {
            popHead(); // its entry is the oldest of all: nothing goes stale
        } else {
            s.stale++;
            staleEntries++;
        }
        forgetIfIdle(s);
        if (staleEntries > size + COMPACT_SLACK) compact();
        return item;
    }

    /** Takes the oldest item of all, or returns null if none waits. */
    E pollAny() {
        while (entries > 0) {
            Sender<E> s = ring[head];
            popHead();
            examined++;
            if (s.stale > 0) {
                s.stale--;
                staleEntries--;
                forgetIfIdle(s);
                continue;
            }
            E item = s.items.poll();
            size--;
            forgetIfIdle(s);
            return item;
        }
        return null;
    }

    /** Whether an item from {@code sender} waits. */
    boolean contains(long sender) {
        Sender<E> s = find(sender);
        return s != null && !s.items.isEmpty();
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    /** Items and ring entries takes looked at since this queue was made (compactions not included). */
    long examined() {
        return examined;
    }

    /** Ring entries compactions walked since this queue was made. */
    long compacted() {
        return compacted;
    }

    /** Ring entries held: the items waiting plus stale entries not yet skipped. */
    int ringEntries() {
        return entries;
    }

    // ---------------------------------------------------------------- the ring

    private void popHead() {
        ring[head] = null;
        head = (head + 1) & (ring.length - 1);
        if (--entries == 0) {
            head = 0;
            if (ring.length > 1024) ring = newArray(MIN_CAPACITY);
        }
    }

    /** Drops every stale entry (each sender's oldest ones), keeping the others in order. */
    private void compact() {
        int mask = ring.length - 1;
        int kept = 0;
        for (int i = 0; i < entries; i++) {
            Sender<E> s = ring[(head + i) & mask];
            compacted++;
            if (s.stale > 0) {
                s.stale--;
                forgetIfIdle(s);
            } else {
                ring[(head + kept++) & mask] = s;
            }
        }
        for (int i = kept; i < entries; i++) ring[(head + i) & mask] = null;
        entries = kept;
        staleEntries = 0;
        int fit = Math.max(MIN_CAPACITY, Integer.highestOneBit(Math.max(1, entries)) << 1);
        if (fit < ring.length / 2) ring = resized(fit);
    }

    /** A ring of {@code capacity} (a power of two) holding the entries in order from 0. */
    private Sender<E>[] resized(int capacity) {
        Sender<E>[] r = newArray(capacity);
        for (int i = 0; i < entries; i++) r[i] = ring[(head + i) & (ring.length - 1)];
        head = 0;
        return r;
    }

    // ---------------------------------------------------------------- the senders

    private void forgetIfIdle(Sender<E> s) {
        if (s.stale > 0 || !s.items.isEmpty()) return;
        remove(s);
        if (pool == null) pool = new ArrayDeque<>(POOLED_MAX);
        if (pool.size() < POOLED_MAX && s.mostWaiting <= POOLED_QUEUE_MAX) {
            s.mostWaiting = 0;
            pool.push(s);
        }
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E37_79B9_7F4A_7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private Sender<E> find(long key) {
        if (senders == 0) return null;
        int mask = table.length - 1;
        for (int i = slot(key, mask); table[i] != null; i = (i + 1) & mask) {
            if (table[i].key == key) return table[i];
        }
        return null;
    }

    private Sender<E> insert(long key) {
        if ((senders + 1) * 2 > table.length) rehash(Math.max(MIN_CAPACITY, table.length * 2));
        Sender<E> s = pool == null || pool.isEmpty() ? new Sender<>() : pool.pop();
        s.key = key;
        place(s);
        senders++;
        return s;
    }

    private void place(Sender<E> s) {
        int mask = table.length - 1;
        int i = slot(s.key, mask);
        while (table[i] != null) i = (i + 1) & mask;
        table[i] = s;
    }

    private void rehash(int capacity) {
        Sender<E>[] old = table;
        table = newArray(capacity);
        for (Sender<E> s : old) if (s != null) place(s);
    }

    /** Removes {@code s} from the table, moving later entries of its probe run back. */
    private void remove(Sender<E> s) {
        int mask = table.length - 1;
        int i = slot(s.key, mask);
        while (table[i] != s) i = (i + 1) & mask;
        table[i] = null;
        for (int j = (i + 1) & mask; table[j] != null; j = (j + 1) & mask) {
            int home = slot(table[j].key, mask);
            boolean movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
            if (movable) {
                table[i] = table[j];
                table[j] = null;
                i = j;
            }
        }
        senders--;
        if (senders == 0 && table.length > 1024) table = newArray(MIN_CAPACITY);
    }

    private static final Sender<?>[] NONE = new Sender<?>[0];

    /** The shared empty array every queue starts with. */
    @SuppressWarnings("unchecked")
    private static <E> Sender<E>[] none() {
        return (Sender<E>[]) NONE;
    }

    @SuppressWarnings("unchecked")
    private static <E> Sender<E>[] newArray(int capacity) {
        return (Sender<E>[]) new Sender<?>[capacity];
    }
}
