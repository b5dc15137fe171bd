package io.paravm.core;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/**
 * A lock-free pool of a few reusable objects (the codec's Kryo contexts): taking one and
 * giving it back are one atomic operation each on a fixed array of slots, allocation-free.
 * Kryo's own thread-safe {@code Pool} is a {@code LinkedBlockingQueue}: a lock taken and
 * released twice per encode and per decode, a sixth of the time of encoding and decoding a
 * small message (async-profiler). When every slot is taken a new object is made, and one
 * given back to a full pool is dropped.
 *
 * <pre>{@code
 * SlotPool<Context> pool = new SlotPool<>(16, Context::new);
 * Context c = pool.obtain();
 * try { use(c); } finally { pool.free(c); }
 * }</pre>
 *
 * @param <T> what is pooled
 */
final class SlotPool<T> {

    private final AtomicReferenceArray<T> slots;
    private final Supplier<T> factory;

    /**
     * @param size    how many idle objects are kept at most
     * @param factory makes one when none is idle
     */
    SlotPool(int size, Supplier<T> factory) {
        if (size < 1) throw new IllegalArgumentException("size " + size + ": must be at least 1");
        this.slots = new AtomicReferenceArray<>(size);
        this.factory = factory;
    }

    /** Takes an idle object, or makes one. */
    T obtain() {
        for (int i = 0; i < slots.length(); i++) {
            T t = slots.get(i);
            if (t != null && slots.compareAndSet(i, t, null)) return t;
        }
        return factory.get();
    }

    /** Gives {@code t} back (the caller no longer uses it); dropped if every slot is full. */
    void free(T t) {
        for (int i = 0; i < slots.length(); i++) {
            if (slots.get(i) == null && slots.compareAndSet(i, null, t)) return;
        }
    }
}
