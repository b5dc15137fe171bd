package io.paravm.core;

import io.paravm.spi.Transport.Frame;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How a receive of a {@link PolledTransport} waits on its rank's {@link Doorbell}: when a quiet
 * wait stops polling and sleeps, the arm-poll-sleep turn itself, and when to sleep again
 * after a ring that brought nothing (a spawner sharing the cores polls briefly, then sleeps
 * again, not long; any other rank polls 2 ms first).
 *
 * <p>A wait counts as quiet since the last frame this rank sent or received, not since the
 * receive began: a caller that receives with a short timeout again and again (looking at a
 * clock now and then) does not poll afresh each time.
 *
 * <pre>{@code
 * DoorbellWait sleeper = new DoorbellWait(bell, rank == 0, size > HostCpus.count(), this::pollOnce, wakeup);
 * long quietSince = sleeper.quietSince(System.nanoTime());
 * if (sleeper.due(now, quietSince)) {
 *     DoorbellWait.Turn t = sleeper.take(source, maxNanos, now - quietSince);
 *     if (t.frame() != null) return t.frame();
 *     if (t.rung()) quietSince = sleeper.quietAfterRing(System.nanoTime()); // and cap the next sleep: emptyRingSleepCap()
 * }
 * }</pre>
 */
final class DoorbellWait {

    /** Takes a frame from {@code source} if one waits (the transport's poll, engine lock taken inside). */
    @FunctionalInterface
    interface Poll {
        Frame poll(int source);
    }

    /**
     * What a turn at the doorbell gave.
     *
     * @param frame    a frame found while arming, or null
     * @param tookTurn false if another thread of the rank sleeps already (then poll instead)
     * @param rung     whether a ring (not the sleep's bound, a wakeup or a frame) ended the turn
     */
    record Turn(Frame frame, boolean tookTurn, boolean rung) {
        static final Turn BUSY = new Turn(null, false, false);
        static final Turn SLEPT = new Turn(null, true, false);
        static final Turn RUNG = new Turn(null, true, true);
    }

    private final Doorbell bell;
    private final long sleepsAfterNanos;
    private final long emptyRingPollNanos;
    private final boolean shortPollAfterEmptyRing;
    private final Poll poll;
    private final AtomicBoolean wakeup;
    /** Frames sent and received, and when a wait last saw the count unchanged: hints, read and written racily. */
    private long traffic, quietSinceTraffic = -1, quietSinceNanos;

    /**
     * @param bell    this rank's doorbell
     * @param spawner     whether this rank is the spawner (it sleeps sooner: {@link Doorbell#SPAWNER_SLEEPS_AFTER_NANOS})
     * @param coresShared whether the job's ranks outnumber this host's cores
     * @param poll        the transport's poll
     * @param wakeup      the transport's wakeup flag: set, a turn does not sleep (its caller's loop sees it)
     */
    DoorbellWait(Doorbell bell, boolean spawner, boolean coresShared, Poll poll, AtomicBoolean wakeup) {
        this.bell = bell;
        this.sleepsAfterNanos = spawner ? Doorbell.SPAWNER_SLEEPS_AFTER_NANOS : Doorbell.WORKER_SLEEPS_AFTER_NANOS;
        // Only a spawner that shares the cores with its workers sleeps again soon (a yield does not
        // give the core back: Doorbell.EMPTY_RING_POLL_NANOS). A worker keeps polling: its yield
        // does hand the core to the spawner (under its fair share), and a worker asleep costs the
        // spawner a ring per task. A spawner on a core of its own keeps polling too: sleeping
        // again there cost 0.05 of the efficiency at -np 2 (docs/waiting.md).
        this.shortPollAfterEmptyRing = spawner && coresShared;
        this.emptyRingPollNanos = shortPollAfterEmptyRing ? Doorbell.EMPTY_RING_POLL_NANOS : Doorbell.AFTER_QUIET_POLL_NANOS;
        this.poll = poll;
        this.wakeup = wakeup;
    }

    /** A frame was sent or received: the rank is not quiet. */
    void traffic() {
        traffic++;
    }

    /**
     * Called as a wait begins: since when the rank has been quiet. The first wait after traffic
     * that ended a quiet second counts as quiet only {@link Doorbell#AFTER_QUIET_POLL_NANOS} from
     * now, so that even the spawner polls that long before it sleeps: the answer to the first
     * exchange after idle (the spawner's next task, a user's request) usually comes within that,
     * and a rank that sleeps must be rung and woken, which after idle takes this VM 0.2-0.4 ms and
     * leaves the woken rank's code running several times slower for a while (cold caches:
     * docs/waiting.md). It costs at most that much polling per quiet second.
     */
    long quietSince(long now) {
        long t = traffic;
        if (t != quietSinceTraffic) {
            boolean afterQuiet = quietSinceTraffic != -1 && now - quietSinceNanos >= Doorbell.QUIET_FOR_IDLE_SLEEP_NANOS;
            quietSinceTraffic = t;
            quietSinceNanos = afterQuiet ? now + Math.max(0, Doorbell.AFTER_QUIET_POLL_NANOS - sleepsAfterNanos) : now;
        }
        return quietSinceNanos;
    }

    /** Whether a wait quiet since {@code quietSince} should sleep now rather than poll. */
    boolean due(long now, long quietSince) {
        return now - quietSince >= sleepsAfterNanos;
    }

    /**
     * After a ring that brought nothing (rung ahead of a send whose sender may have lost its
     * core): what to count the wait quiet since, so that a spawner sharing the cores polls only
     * {@link Doorbell#EMPTY_RING_POLL_NANOS} before it sleeps again (at most
     * {@link #emptyRingSleepCap()}: the ring after the send ends that sleep), and any other
     * rank {@link Doorbell#AFTER_QUIET_POLL_NANOS}.
     */
    long quietAfterRing(long now) {
        return now - sleepsAfterNanos + emptyRingPollNanos;
    }

    /**
     * The cap on a sleep that follows a ring that brought nothing: {@link Doorbell#EMPTY_RING_SLEEP_NANOS}
     * for a spawner that sleeps again soon, none for any other rank (it has polled 2 ms).
     */
    long emptyRingSleepCap() {
        return shortPollAfterEmptyRing ? Doorbell.emptyRingSleepNanos : Long.MAX_VALUE;
    }

    /**
     * One turn: raises the flag, polls twice more (a frame sent before it went up rang nobody),
     * and sleeps at most {@code maxNanos} if nothing came (and at most {@link Doorbell}'s caps,
     * longer for a rank quiet for {@code quietNanos}). Twice: Open MPI and MPICH both find a
     * frame whose MPI_Send has returned only on the second MPI_Improbe after it (the first moves
     * it off shared memory, the second matches it), measured in C 2,000 times of 2,000. With one
     * poll, a rank slept its whole 50 ms on such a frame, dozens of times in a run
     * (docs/waiting.md).
     */
    Turn take(int source, long maxNanos, long quietNanos) {
        if (!bell.sleeper().tryLock()) return Turn.BUSY;
        try {
            if (maxNanos <= 0) return Turn.SLEPT;
            bell.arm();
            boolean sleep = false;
            try {
                Frame f = poll.poll(source);
                if (f == null) f = poll.poll(source);
                if (f != null) return new Turn(f, true, false);
                if (wakeup.get()) return Turn.SLEPT;
                sleep = true;
            } finally {
                if (!sleep) bell.disarm();
            }
            return bell.sleep(maxNanos, quietNanos) ? Turn.RUNG : Turn.SLEPT;
        } finally {
            bell.sleeper().unlock();
        }
    }
}
