package io.paravm.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The codec's context pool: reuse, and never one object to two threads at once. */
class SlotPoolTest {

    /** A pooled object that knows whether someone holds it. */
    private static final class Held {
        final AtomicBoolean inUse = new AtomicBoolean();
    }

    @Test
    void anObjectGivenBackIsTakenAgainAndAFullPoolMakesMore() {
        AtomicInteger made = new AtomicInteger();
        SlotPool<Held> pool = new SlotPool<>(2, () -> {
            made.incrementAndGet();
            return new Held();
        });
        Held a = pool.obtain();
        pool.free(a);
        assertSame(a, pool.obtain(), "reused");
        Held b = pool.obtain();
        Held c = pool.obtain();
        assertEquals(3, made.get(), "a, and two more while a is out");
        pool.free(a);
        pool.free(b);
        pool.free(c); // no slot left: dropped
        assertTrue(List.of(a, b).contains(pool.obtain()));
        assertTrue(List.of(a, b).contains(pool.obtain()));
        assertEquals(3, made.get());
    }

    @Test
    void threadsNeverHoldTheSameObjectAtOnce() throws Exception {
        SlotPool<Held> pool = new SlotPool<>(4, Held::new);
        int threads = 8;
        ExecutorService ex = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> clashes = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                clashes.add(ex.submit(() -> {
                    int clash = 0;
                    for (int i = 0; i < 200_000; i++) {
                        Held h = pool.obtain();
                        if (!h.inUse.compareAndSet(false, true)) clash++;
                        Thread.onSpinWait();
                        h.inUse.set(false);
                        pool.free(h);
                    }
                    return clash;
                }));
            }
            for (Future<Integer> f : clashes) assertEquals(0, f.get(120, TimeUnit.SECONDS), "an object held by two threads");
        } finally {
            ex.shutdownNow();
        }
    }
}
