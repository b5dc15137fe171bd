package io.paravm.core;

import java.util.concurrent.locks.LockSupport;

/**
 * How a transport waits for an engine that can only be polled (MPI's {@code Iprobe}):
 * spin for a few microseconds, then yield, then park for growing intervals up to a cap,
 * so a busy exchange reacts in microseconds while an idle rank costs almost no CPU. The
 * phases are measured in time, not iterations, because one probe's cost varies by engine.
 * Not thread-safe: one per waiting thread.
 *
 * <pre>{@code
 * Backoff idle = new Backoff();
 * while (!engine.probe()) {
 *     if (System.nanoTime() - deadline >= 0) return null;
 *     idle.idleUntil(deadline);
 * }
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
     *
     * <p>Nor can a rank pick its phases from how long its recent waits took (issue 13 tried:
     * park at once when waits were long). A wait's length includes the peer's answer, so once
     * both ends of a spawn loop park, each sees long waits and keeps parking: measured here,
     * 290 tasks/s instead of 180,000. Escaping needs one end to stay awake longer than the
     * other parks, which is what this yield phase guarantees.
     */
    public static final long YIELD_NS_DEFAULT = 2_000_000L;
    /** Default longest park, in nanoseconds (1 ms): the most an idle wait adds to latency. */
    public static final long MAX_PARK_NS_DEFAULT = 1_000_000L;
    private static final long MIN_PARK_NS = 10_000L;

    private final long spinNanos;
    private final long yieldNanos;
    private final long maxParkNanos;
    private long idleSince;
    private long parkNanos;
    private boolean spun;

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
        this.spinNanos = spinNanos;
        this.yieldNanos = Math.max(spinNanos, yieldNanos);
        this.maxParkNanos = maxParkNanos;
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
        spun = idle < spinNanos;
        if (spun) {
            Thread.onSpinWait();
        } else if (idle < yieldNanos) {
            Thread.yield();
        } else {
            parkNanos = parkNanos == 0 ? MIN_PARK_NS : Math.min(parkNanos * 2, maxParkNanos);
            long park = deadline == Long.MAX_VALUE ? parkNanos : Math.min(parkNanos, deadline - now);
            if (park > 0) LockSupport.parkNanos(park);
        }
    }

    /** Starts again from spinning, after work was found. */
    public void reset() {
        idleSince = 0;
        parkNanos = 0;
        spun = false;
    }

    /**
     * Whether the last wait only spun. A caller then may poll a few more times before it reads
     * the clock again: the phases and a deadline are in time, but a spin turn is so short that
     * a clock read is much of it.
     */
    public boolean spinning() {
        return spun;
    }
}
