package io.paravm.core;

import java.util.concurrent.locks.LockSupport;

/**
 * How a transport waits for an engine that can only be polled (MPI's {@code Iprobe}):
 * spin briefly, then yield, then park for growing intervals up to a cap, so an idle rank
 * costs almost no CPU while a busy one reacts in microseconds. Not thread-safe: one per
 * waiting thread.
 *
 * <pre>{@code
 * Backoff idle = new Backoff();
 * while (!engine.probe()) {
 *     if (System.nanoTime() - deadline >= 0) return null;
 *     idle.idle();
 * }
 * }</pre>
 */
public final class Backoff {
    /** Default spins before yielding. */
    public static final int SPINS_DEFAULT = 200;
    /** Default yields before parking. */
    public static final int YIELDS_DEFAULT = 50;
    /** Default longest park, in nanoseconds (1 ms): the worst added latency once idle. */
    public static final long MAX_PARK_NS_DEFAULT = 1_000_000L;

    private final int spins;
    private final int yields;
    private final long maxParkNanos;
    private int count;
    private long parkNanos;

    /** A backoff with the default phases. */
    public Backoff() {
        this(SPINS_DEFAULT, YIELDS_DEFAULT, MAX_PARK_NS_DEFAULT);
    }

    /**
     * @param spins        busy spins first
     * @param yields       then this many {@link Thread#yield()}s
     * @param maxParkNanos then parks, doubling from 1 µs to this cap
     */
    public Backoff(int spins, int yields, long maxParkNanos) {
        this.spins = spins;
        this.yields = yields;
        this.maxParkNanos = maxParkNanos;
    }

    /** Waits a little, longer each call since the last {@link #reset()}. */
    public void idle() {
        if (count < spins) {
            count++;
            Thread.onSpinWait();
        } else if (count < spins + yields) {
            count++;
            Thread.yield();
        } else {
            parkNanos = parkNanos == 0 ? 1_000 : Math.min(parkNanos * 2, maxParkNanos);
            LockSupport.parkNanos(parkNanos);
        }
    }

    /**
     * Waits a little but never past {@code deadline} ({@link System#nanoTime()} based).
     *
     * @param deadline the time not to sleep past
     */
    public void idleUntil(long deadline) {
        if (count >= spins + yields) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return;
            parkNanos = parkNanos == 0 ? 1_000 : Math.min(parkNanos * 2, maxParkNanos);
            LockSupport.parkNanos(Math.min(parkNanos, left));
        } else {
            idle();
        }
    }

    /** Starts again from spinning, after work was found. */
    public void reset() {
        count = 0;
        parkNanos = 0;
    }
}
