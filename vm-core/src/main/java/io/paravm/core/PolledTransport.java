package io.paravm.core;

import io.paravm.EngineFailureException;
import io.paravm.VmConfig;
import io.paravm.VmException;
import io.paravm.spi.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The shared half of a transport over an MPI-like engine that can only be polled and must
 * be called by one thread at a time (Open MPI's and MPJ's Java bindings). A subclass says
 * how to start a send, poll for a frame, probe and shut down; this class makes every
 * engine call under one lock, waits with {@link Backoff} (the lock released) instead of
 * spinning, and while a send is pending drains arriving frames into a {@link FrameBacklog},
 * so two ranks sending large frames to each other cannot deadlock. While no thread of the
 * rank is in the engine (its task computes), a daemon thread drains it into the same backlog
 * every {@value #DRAIN_INTERVAL_MILLIS} ms: a sender of a large frame, which MPI completes
 * only when the receiver polls, never waits for a task to finish computing. What it drains
 * is bounded by vm-core's flow control. When every rank of the job runs on one host (the
 * launcher says so: {@link LocalRanks}), a rank that has waited a while sleeps on a
 * {@link Doorbell} instead of polling ({@link DoorbellWait}), and the rank that sends it a
 * frame rings it awake.
 *
 * <pre>{@code
 * final class MyMpiTransport extends PolledTransport {
 *     protected Pending startSend(int dest, ByteBuffer frame) throws Exception {
 *         Request r = world.iSend(frame, frame.remaining(), BYTE, dest, TAG);
 *         return r::test;
 *     }
 *     protected Frame pollEngine(int source, boolean keep) throws Exception { ... }
 *     protected boolean probeEngine(int source) throws Exception { ... }
 *     protected void closeEngine() throws Exception { MPI.Finalize(); }
 *     // name(); the constructor starts the engine, then calls joined(rank, size, host, userArgs)
 * }
 * }</pre>
 */
public abstract class PolledTransport implements Transport {

    /** A started non-blocking send. */
    @FunctionalInterface
    protected interface Pending {
        /**
         * @return whether the send has completed (and its buffer may be reused)
         * @throws Exception an engine failure
         */
        boolean done() throws Exception;
    }

    private static final Logger LOG = LoggerFactory.getLogger(PolledTransport.class);

    /**
     * How long {@link #close()} waits for the engine to shut down, in ms (MPI_Finalize waits
     * for every rank, so a rank whose task never returns would hold the others forever); past
     * it this rank goes on without, and the launcher ({@code mpirun}, {@code MpjLauncher})
     * ends the job's other ranks.
     */
    public static final String FINALIZE_TIMEOUT_MILLIS_PROP_NAME = "paravm.core.finalize.timeout.millis";
    /**
     * The old name of {@link #FINALIZE_TIMEOUT_MILLIS_PROP_NAME}, still read (with a warning
     * when the VM opens).
     *
     * @deprecated set {@link #FINALIZE_TIMEOUT_MILLIS_PROP_NAME} instead
     */
    @Deprecated
    public static final String FINALIZE_TIMEOUT_MS_PROP_NAME = "paravm.core.finalize.timeout.ms";
    /**
     * Whether ranks of a job that runs on one host sleep on a {@link Doorbell} while they wait
     * ({@code true}, the default) or only poll ({@code false}: as before the doorbell, e.g. where
     * {@code /dev/shm} and the temporary directory cannot hold Unix-domain sockets).
     */
    public static final String DOORBELL_PROP_NAME = "paravm.core.doorbell.enabled";
    /** Default of {@link #FINALIZE_TIMEOUT_MILLIS_PROP_NAME}: 20 000 ms. */
    public static final long FINALIZE_TIMEOUT_MILLIS_DEFAULT = 20_000;

    /** How often the drain thread looks at an engine no thread of the rank is in, in ms. */
    static final long DRAIN_INTERVAL_MILLIS = 10;
    /**
     * How often the drain thread looks while a receive sleeps on the doorbell, in ms: a frame sent
     * here then rings the sleeper, which polls. An idle rank's drain thread woke 100 times a
     * second for nothing, a third of its CPU (docs/waiting.md); once the sleeper has returned to
     * its caller, the drain thread looks again within this and every 10 ms from then on (a
     * sender waiting for this rank to take a large frame may wait that much longer, once).
     */
    static final long DRAIN_WHILE_ASLEEP_MILLIS = 200;
    /** Frames the drain thread takes in one look at most, so it never holds the engine long. */
    private static final int DRAIN_BATCH = 256;

    /** How long a receive waits with nothing arriving before {@link #shrinkBuffers()}: 1 s. */
    protected static final long SHRINK_AFTER_NANOS = 1_000_000_000L;
    /** Polls between two clock reads while a receive spins (a poll is 0.1-0.3 µs). */
    static final int POLLS_PER_CLOCK_READ = 8;

    /** How long a pending send yields (driving the engine's progress) before it parks: 50 ms. */
    private static final long SEND_YIELD_NS = 50_000_000L;

    private final ReentrantLock engine = new ReentrantLock();
    /** One sender at a time: a subclass may reuse one copy buffer for every send. */
    private final ReentrantLock sending = new ReentrantLock();
    private final FrameBacklog backlog = new FrameBacklog(); // guarded by engine
    private final AtomicBoolean wakeup = new AtomicBoolean();
    /**
     * Counts the times a thread polled the engine (guarded by {@link #engine}); the drain thread
     * reads it without the lock: unchanged for a drain interval means nobody is polling.
     */
    private int enginePolls;
    private static final VarHandle ENGINE_POLLS;

    static {
        try {
            ENGINE_POLLS = MethodHandles.lookup().findVarHandle(PolledTransport.class, "enginePolls", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    private boolean closed;                                  // guarded by engine
    private final long finalizeTimeoutMillis;
    private final boolean doorbellEnabled;
    // Who this rank is, told once by the subclass's constructor when its engine has started.
    private int rank = -1;
    private int size;
    private String host;
    private String[] userArgs = new String[0];
    /** Set by {@link #joined}, before any other thread sees this transport; null: poll only. */
    private Doorbell doorbell;
    /** How receives sleep on {@link #doorbell}; null with it. */
    private DoorbellWait sleeper;

    /**
     * A transport with the settings of {@code config} ({@link #FINALIZE_TIMEOUT_MILLIS_PROP_NAME}).
     *
     * @param config the VM's configuration
     */
    protected PolledTransport(VmConfig config) {
        this.finalizeTimeoutMillis = config.property(FINALIZE_TIMEOUT_MILLIS_PROP_NAME).map(Long::parseLong)
                .orElse(FINALIZE_TIMEOUT_MILLIS_DEFAULT);
        this.doorbellEnabled = Doorbell.enabled(config.property(DOORBELL_PROP_NAME), DOORBELL_PROP_NAME);
    }

    /**
     * Records who this rank is, once the engine has started; the subclass's constructor
     * calls it before the transport is used.
     *
     * @param rank     this rank
     * @param size     the number of ranks
     * @param host     this rank's host name
     * @param userArgs the program's arguments without the engine's
     */
    protected final void joined(int rank, int size, String host, String[] userArgs) {
        joined(rank, size, host, userArgs, Optional.empty());
    }

    /**
     * Records who this rank is, as {@link #joined(int, int, String, String[])}, and lets the
     * ranks of this host wake each other when every rank of the job runs here: a waiting rank
     * then sleeps until a frame is sent to it instead of polling ({@link Doorbell}).
     *
     * @param rank       this rank
     * @param size       the number of ranks
     * @param host       this rank's host name
     * @param userArgs   the program's arguments without the engine's
     * @param localRanks the job's ranks on this host, as the launcher said
     *                   ({@link LocalRanks#fromLauncher}); empty: poll
     */
    protected final void joined(int rank, int size, String host, String[] userArgs, Optional<LocalRanks> localRanks) {
        this.doorbell = doorbellEnabled ? localRanks.flatMap(l -> Doorbell.open(l, rank, size)).orElse(null) : null;
        this.sleeper = doorbell == null ? null : new DoorbellWait(doorbell, rank == 0, size > HostCpus.count(), this::pollOnce, wakeup);
        this.rank = rank;
        this.size = size;
        this.host = host;
        this.userArgs = userArgs.clone();
        Thread drain = new Thread(this::drainWhileNobodyPolls, name() + "-drain-rank-" + rank);
        drain.setDaemon(true);
        drain.start();
    }

    /**
     * The drain thread: takes what arrives while no thread of this rank polls the engine. A thread
     * in {@link #send} or {@link #receive} polls at least every millisecond, so a count of polls
     * unchanged over a drain interval means none is there (a counter, not a gauge of threads
     * inside: it costs the hot path a plain increment under the lock it holds anyway).
     */
    private void drainWhileNobodyPolls() {
        int seen = (int) ENGINE_POLLS.getOpaque(this);
        while (true) {
            Doorbell bell = doorbell;
            LockSupport.parkNanos((bell != null && bell.armed() ? DRAIN_WHILE_ASLEEP_MILLIS : DRAIN_INTERVAL_MILLIS) * 1_000_000L);
            int polls = (int) ENGINE_POLLS.getOpaque(this);
            if (polls != seen) {
                seen = polls;
                continue;
            }
            if (bell != null && bell.armed()) continue; // the sleeper is rung by a frame sent here, and polls
            if (!engine.tryLock()) continue;
            try {
                if (closed) return;
                for (int i = 0; i < DRAIN_BATCH; i++) {
                    Frame f = pollEngine(ANY_SOURCE, true);
                    if (f == null) break;
                    backlog.add(f);
                }
            } catch (Exception e) {
                LOG.debug("{} rank {}: draining the engine failed: {}", name(), rank, e.toString());
            } finally {
                engine.unlock();
            }
        }
    }

    @Override
    public final int rank() {
        return rank;
    }

    @Override
    public final int size() {
        return size;
    }

    @Override
    public final String hostName() {
        return host;
    }

    @Override
    public final String[] userArgs() {
        return userArgs.clone();
    }

    /**
     * Starts sending the bytes of {@code frame} (position to limit) to {@code destination}.
     * Called with the engine lock held, by one sender at a time.
     *
     * @param destination a rank in [0, size())
     * @param frame       the bytes; must not change until the send is done
     * @return how to tell when the send is done
     * @throws Exception an engine failure
     */
    protected abstract Pending startSend(int destination, ByteBuffer frame) throws Exception;

    /**
     * Receives one frame from {@code source} if one is waiting, without blocking. Called with
     * the engine lock held.
     *
     * @param source a rank, or {@link #ANY_SOURCE}
     * @param keep   whether the frame must stay valid past the next receive (then it must
     *               not share a reused buffer)
     * @return the frame, or {@code null} if none waits
     * @throws Exception an engine failure
     */
    protected abstract Frame pollEngine(int source, boolean keep) throws Exception;

    /**
     * Returns whether a frame from {@code source} waits in the engine. Engine lock held.
     *
     * @param source a rank, or {@link #ANY_SOURCE}
     * @return whether one waits
     * @throws Exception an engine failure
     */
    protected abstract boolean probeEngine(int source) throws Exception;

    /**
     * Gives back buffers grown for a large frame: called once a receive has waited
     * {@link #SHRINK_AFTER_NANOS} with nothing arriving and no send in progress, with the
     * engine lock held. The default does nothing.
     */
    protected void shrinkBuffers() {
    }

    /**
     * Shuts the engine down (MPI_Finalize). Called once, with the engine lock held.
     *
     * @throws Exception an engine failure; it is logged by the caller's {@link #close()}
     */
    protected abstract void closeEngine() throws Exception;

    @Override
    public final void send(int destination, ByteBuffer frame) {
        if (destination < 0 || destination >= size()) {
            throw new VmException("rank " + destination + " outside [0, " + size() + ") of " + name() + "'s COMM_WORLD");
        }
        sending.lock();
        engine.lock();
        try {
            checkOpen();
            enginePolls++;
            if (sleeper != null) sleeper.traffic();
            // Ring before the send as well as after: an engine may finish even a small send only once the
            // receiver polls (Open MPI's shared memory, until a fast box is set up for the pair).
            if (doorbell != null) doorbell.ringAhead(destination);
            Pending pending = startSend(destination, frame);
            if (doorbell != null) doorbell.ring(destination); // a receiver that went to sleep during the send
            Backoff idle = null;
            while (!pending.done()) {
                enginePolls++;
                Frame arrived = pollEngine(ANY_SOURCE, true);
                if (arrived != null) {
                    backlog.add(arrived);
                    continue;
                }
                // A pending send is not idle: the engine moves a large frame only while it is
                // polled, so yield (letting other threads in) before parking.
                if (idle == null) idle = new Backoff(Backoff.SPIN_NS_DEFAULT, SEND_YIELD_NS, Backoff.MAX_PARK_NS_DEFAULT);
                engine.unlock();
                try {
                    idle.idle();
                } finally {
                    engine.lock();
                }
            }
        } catch (VmException e) {
            throw e;
        } catch (Exception e) {
            throw new EngineFailureException(name() + " send of " + frame.remaining() + " bytes from rank " + rank()
                    + " to rank " + destination + " failed: " + e, e);
        } finally {
            engine.unlock();
            sending.unlock();
        }
    }

    @Override
    public final Frame receive(int source, long timeoutNanos) {
        long deadline = System.nanoTime() + Math.max(timeoutNanos, 0);
        Backoff idle = null;
        long idleSince = 0;
        long quietSince = 0;
        DoorbellWait bell = sleeper;
        int unclocked = 0;
        boolean rungEmpty = false; // the last sleep ended by a ring that brought nothing yet
        while (true) {
            Frame f = pollOnce(source);
            if (f != null) return f;
            if (wakeup.get() && wakeup.getAndSet(false)) return null; // a plain read first: this runs every poll
            if (timeoutNanos == 0) return null;
            // Spinning, the clock is read every few polls only: on a VM a read costs about what
            // a poll does (kvm-clock: a sixth of a spinning receive's samples), and in a shorter
            // turn a frame that comes is found sooner. Spinning lasts microseconds: the deadline
            // and the doorbell are checked a few polls late at most.
            if (idle != null && idle.spinning() && ++unclocked < POLLS_PER_CLOCK_READ) {
                Thread.onSpinWait();
                continue;
            }
            unclocked = 0;
            if (timeoutNanos > 0 && System.nanoTime() - deadline >= 0) return null;
            long now = System.nanoTime();
            if (idle == null) {
                idle = new Backoff();
                idleSince = now;
                if (bell != null) quietSince = bell.quietSince(now);
            } else if (idleSince != 0 && now - idleSince >= SHRINK_AFTER_NANOS) {
                idleSince = 0; // once per wait
                shrinkWhenIdle();
            }
            if (bell != null && bell.due(now, quietSince)) {
                long left = timeoutNanos > 0 ? deadline - now : Long.MAX_VALUE;
                if (rungEmpty) left = Math.min(left, bell.emptyRingSleepCap());
                DoorbellWait.Turn turn = bell.take(source, left, now - quietSince);
                if (turn.frame() != null) return turn.frame();
                if (turn.tookTurn()) {
                    // Rung, yet nothing: poll a while (DoorbellWait says how long and how long the
                    // next sleep may last). Ended by its bound: sleep again at once.
                    rungEmpty = turn.rung();
                    if (rungEmpty) {
                        idle.reset();
                        quietSince = bell.quietAfterRing(System.nanoTime());
                    }
                    continue;
                }
            }
            if (timeoutNanos > 0) idle.idleUntil(deadline);
            else idle.idle();
        }
    }

    /** Takes a frame from the backlog or the engine, if one waits. */
    private Frame pollOnce(int source) {
        engine.lock();
        try {
            checkOpen();
            enginePolls++;
            Frame f = backlog.poll(source);
            if (f == null) f = pollEngine(source, false);
            if (f != null && sleeper != null) sleeper.traffic();
            return f;
        } catch (VmException e) {
            throw e;
        } catch (Exception e) {
            throw new EngineFailureException(name() + " receive on rank " + rank() + " failed: " + e, e);
        } finally {
            engine.unlock();
        }
    }

    /** Whether a receive has raised this rank's doorbell flag: it sleeps, or is about to (for tests). */
    final boolean doorbellArmed() {
        Doorbell bell = doorbell;
        return bell != null && bell.armed();
    }

    private void shrinkWhenIdle() {
        if (!sending.tryLock()) return; // a send in progress may still use its buffer
        try {
            engine.lock();
            try {
                if (!closed) shrinkBuffers();
            } finally {
                engine.unlock();
            }
        } finally {
            sending.unlock();
        }
    }

    @Override
    public final boolean probe(int source) {
        engine.lock();
        try {
            checkOpen();
            return backlog.contains(source) || probeEngine(source);
        } catch (VmException e) {
            throw e;
        } catch (Exception e) {
            throw new EngineFailureException(name() + " probe on rank " + rank() + " failed: " + e, e);
        } finally {
            engine.unlock();
        }
    }

    @Override
    public final void wakeup() {
        wakeup.set(true);
        Doorbell bell = doorbell;
        if (bell != null) bell.wake();
    }

    private void checkOpen() {
        if (closed) throw new VmException("the " + name() + " transport of rank " + rank() + " is closed");
    }

    /**
     * Shuts the engine down on a thread of its own, holding the engine lock, and waits for
     * it at most {@link #FINALIZE_TIMEOUT_MILLIS_PROP_NAME}; past that this rank leaves the
     * engine as it is (its calls stay blocked on the lock), since a finalize that waits for a
     * rank stuck in a task would otherwise never return.
     */
    @Override
    public final void close() {
        engine.lock();
        try {
            if (closed) return;
            closed = true;
        } finally {
            engine.unlock();
        }
        if (doorbell != null) doorbell.close(); // ends a sleep in progress: the sleeper then finds the transport closed
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread finalizer = new Thread(() -> {
            engine.lock();
            try {
                closeEngine();
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            } finally {
                engine.unlock();
            }
        }, name() + "-finalize-rank-" + rank());
        finalizer.setDaemon(true); // one left in a finalize that never returns must not keep the JVM alive
        finalizer.start();
        try {
            done.get(finalizeTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("{} rank {}: the engine did not shut down within {} ms (another rank is still busy, e.g. in a task "
                    + "that never returns); going on without it: the launcher ends the other ranks (raise {})",
                    name(), rank(), finalizeTimeoutMillis, FINALIZE_TIMEOUT_MILLIS_PROP_NAME);
        } catch (ExecutionException e) {
            LOG.warn("{} rank {}: shutting the engine down failed: {}", name(), rank(), e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
