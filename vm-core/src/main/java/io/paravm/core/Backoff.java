package io.paravm.core;

import java.util.concurrent.locks.LockSupport;

/**
 * How a transport waits for an engine that can only be polled (MPI's {@code Iprobe}):
 * spin for a few microseconds, then yield, then park for growing intervals up to a cap,
 * so a busy exchange reacts in microseconds while an idle rank costs almost no CPU. The
 * phases are measured in time, not iterations, because one probe's cost varies by engine.
 * Not thread-safe: one per waiting thread.
 *
 * <p>A wait that knows how long the waits before it took ({@link #expecting(long)}, from
 * {@link #recordWait(long, long)}) skips the yield phase when they were long: a spawner
 * that hears from a worker every millisecond then parks at once instead of yielding a core
 * away that the workers' tasks need (on a machine with as many ranks as cores plus one).
 * Short waits, as in a ping-pong, keep every phase. A long wait parks from an eighth of the
 * expected wait, so if it was wrong (the peer answers fast again), the waits it measures are
 * that much shorter and the next ones shrink with them: a ping-pong cannot lock into the
 * parking pace (see {@link #YIELD_NS_DEFAULT}).
 *
 * <pre>{@code
 * Backoff idle = Backoff.expecting(expectedWaitNanos);
 * long start = System.nanoTime();
 * while (!engine.probe()) {
 *     if (System.nanoTime() - deadline >= 0) return null;
 *     idle.idleUntil(deadline);
 * }
 * expectedWaitNanos = Backoff.recordWait(expectedWaitNanos, System.nanoTime() - start);
 * }</pre>
 */
public final class Backoff {
    /** Default time spent spinning before yielding, in nanoseconds (20 µs). */
    public static final long SPIN_NS_DEFAULT = 20_000L;
    /**
     * Default time after which yielding gives way to parking, in nanoseconds (2 ms). It must
     * be well above the longest park plus the OS's timer slack: a rank that parks answers
     * late, so its peer waits longer, parks too, and a ping-pong (one task in flight, or a
     * spawn loop) locks into the parking pace for good. With 200 µs that was measured here:
     * both ends in futex waits, 400 µs per farm task instead of a few µs. Yielding costs
     * nothing another thread wants, and an idle rank parks after 2 ms.
     */
    public static final long YIELD_NS_DEFAULT = 2_000_000L;
    /** Default longest park, in nanoseconds (1 ms): the most an idle wait adds to latency. */
    public static final long MAX_PARK_NS_DEFAULT = 1_000_000L;
    /**
     * Waits expected to last at least this long (200 µs) park at once, after
     * {@link #LONG_WAIT_SPIN_NS}: yielding through them would burn a core for nothing.
     */
    public static final long LONG_WAIT_NS = 200_000L;
    /** How long a wait expected to be long spins before parking: a few probes (2 µs). */
    static final long LONG_WAIT_SPIN_NS = 2_000L;
    private static final long MIN_PARK_NS = 10_000L;
    /** The shortest first park of a long wait: Linux's default timer slack (50 µs) makes shorter ones moot. */
    private static final long MIN_LONG_PARK_NS = 50_000L;

    private final long spinNanos;
    private final long yieldNanos;
    private final long maxParkNanos;
    private final long firstParkNanos;
    private long idleSince;
    private long parkNanos;

    /** A backoff with the default phases. */
    public Backoff() {
        this(SPIN_NS_DEFAULT, YIELD_NS_DEFAULT, MAX_PARK_NS_DEFAULT);
    }

    /**
     * @param spinNanos    spin this long first
     * @param yieldNanos   then {@link Thread#yield()} until this long has passed
     * @param maxParkNanos then park, doubling from 10 µs to this cap
     */
    public Backoff(long spinNanos, long yieldNanos, long maxParkNanos) {
        this(spinNanos, yieldNanos, maxParkNanos, MIN_PARK_NS);
    }

    private Backoff(long spinNanos, long yieldNanos, long maxParkNanos, long firstParkNanos) {
        this.spinNanos = spinNanos;
        this.yieldNanos = Math.max(spinNanos, yieldNanos);
        this.maxParkNanos = maxParkNanos;
        this.firstParkNanos = Math.min(firstParkNanos, maxParkNanos);
    }

    /**
     * A backoff for a wait expected to last {@code expectedWaitNanos}: the default phases if
     * that is short (under {@link #LONG_WAIT_NS}); else a brief spin, then parks from an eighth
     * of it (at least 50 µs), doubling up to {@link #MAX_PARK_NS_DEFAULT}.
     *
     * @param expectedWaitNanos what {@link #recordWait} made of the waits before; 0 for none
     * @return a fresh backoff
     */
    public static Backoff expecting(long expectedWaitNanos) {
        if (expectedWaitNanos < LONG_WAIT_NS) return new Backoff();
        long firstPark = Math.max(MIN_LONG_PARK_NS, expectedWaitNanos / 8);
        return new Backoff(LONG_WAIT_SPIN_NS, LONG_WAIT_SPIN_NS, MAX_PARK_NS_DEFAULT, firstPark);
    }

    /**
     * The expected wait after one more wait of {@code waitedNanos}: a moving average that
     * follows shorter waits at once (half way) and longer ones slowly (an eighth of the way),
     * so that one stall does not make a busy exchange park.
     *
     * @param expectedWaitNanos the expected wait so far (0 at first)
     * @param waitedNanos       how long the last wait took until something came (or it timed out)
     * @return the new expected wait
     */
    public static long recordWait(long expectedWaitNanos, long waitedNanos) {
        long delta = waitedNanos - expectedWaitNanos;
        return expectedWaitNanos + (delta < 0 ? delta / 2 : delta / 8);
    }

    /** Waits a little, longer the longer nothing was found since the last {@link #reset()}. */
    public void idle() {
        idleUntil(Long.MAX_VALUE);
    }

    /**
     * Waits a little but never parks past {@code deadline} ({@link System#nanoTime()} based;
     * {@code Long.MAX_VALUE} for none).
     *
     * @param deadline the time not to sleep past
     */
    public void idleUntil(long deadline) {
        long now = System.nanoTime();
        if (idleSince == 0) idleSince = now;
        long idle = now - idleSince;
        if (idle < spinNanos) {
            Thread.onSpinWait();
        } else if (idle < yieldNanos) {
            Thread.yield();
        } else {
            parkNanos = parkNanos == 0 ? firstParkNanos : Math.min(parkNanos * 2, maxParkNanos);
            long park = deadline == Long.MAX_VALUE ? parkNanos : Math.min(parkNanos, deadline - now);
            if (park > 0) LockSupport.parkNanos(park);
        }
    }

    /** Starts again from spinning, after work was found. */
    public void reset() {
        idleSince = 0;
        parkNanos = 0;
    }
}
