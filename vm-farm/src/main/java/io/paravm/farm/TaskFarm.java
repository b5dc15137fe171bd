package io.paravm.farm;

import io.paravm.Received;
import io.paravm.Task;
import io.paravm.VirtualMachine;
import io.paravm.VmClosedException;
import io.paravm.VmException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A task farm over a {@link VirtualMachine} (PyOPUS's cOS dispatch, made Java): submit
 * tasks and get {@link CompletableFuture}s, or {@link #map} a function over many inputs
 * and get the results in input order. Work goes to whichever worker has room (dynamic
 * load balancing), a task whose worker or host is lost runs again elsewhere, a task that
 * throws fails its future with the remote stack trace, and each task may have a timeout.
 *
 * <pre>{@code
 * VirtualMachine.run(args, (vm, userArgs) -> {
 *     try (TaskFarm farm = TaskFarm.on(vm)) {
 *         List<Double> ys = farm.map(x -> Math.sqrt(x), List.of(1.0, 4.0, 9.0));   // [1.0, 2.0, 3.0]
 *         CompletableFuture<String> host = farm.submit(w -> w.hostId().name());
 *         log.info("{} {}", ys, host.join());
 *     }
 * });
 * }</pre>
 *
 * <p><b>How it runs.</b> By default the farm spawns one <em>resident</em> worker task in
 * every free slot when it is built (and in every slot a {@code HostAdded} brings). Each
 * runs the farm's tasks one after the other and gets up to
 * {@link Builder#inFlightPerSlot(int)} tasks ahead, so it never idles between tasks. For a
 * {@code map} the function travels once per worker and then only the inputs. With
 * {@link Builder#spawnPerTask(boolean)} every task is instead one {@code spawnFunction}
 * (PyOPUS style), at most one per free slot.
 *
 * <p><b>Threads and messages.</b> While the farm is open its dispatcher thread
 * ({@code paravm-farm-dispatcher}) is the only caller of {@code vm.receiveMessage}: do not
 * call {@code receiveMessage} yourself, and open one farm per VM at a time. Messages that
 * are not the farm's (a farm task may message its parent; {@code HostAdded},
 * {@code HostRemoved}, exits of tasks you spawned yourself) go to
 * {@link Builder#otherMessages(Consumer)}. A farm task must not receive messages itself
 * (it would take the farm's). Progress listeners and the futures' dependent actions run
 * on the dispatcher thread: keep them short, and do not block in them. {@code submit}
 * and {@code map} may be called from any thread, concurrently.
 *
 * <p><b>Errors.</b> Futures fail with {@link RemoteTaskException} (the task threw),
 * {@link TaskLostException} (its host was lost too often), {@link TimeoutException} (its
 * timeout passed; the worker stays busy until the task really ends and its late result
 * is dropped), or {@link CancellationException}. {@code map} throws the first failure,
 * naming the input's index, after cancelling the inputs not yet finished.
 *
 * <p>{@link #close()} cancels every unfinished task, ends the farm's worker tasks and
 * waits (at most {@link Builder#closeTimeout(Duration)}) for them to exit; it does not
 * close the VM.
 */
public final class TaskFarm implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TaskFarm.class);
    /** The longest the dispatcher waits in one receive, so it notices a close or a deadline. */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** "No running item has a deadline"; compared with ==, never subtracted (nanoTime may be negative). */
    static final long NO_DEADLINE = Long.MAX_VALUE;

    final VirtualMachine vm;
    final int inFlightPerSlot;
    private final int maxQueued;
    private final long taskTimeoutNanos;
    private final int lostHostRetries;
    private final int failureRetries;
    private final ProgressListener progress;
    private final Consumer<Received> otherMessages;
    private final long queueWaitNanos;
    private final long closeTimeoutNanos;
    private final long startNanos = System.nanoTime();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notFull = lock.newCondition();
    private final Placement placement;
    private final Thread dispatcher;

    // Everything below is guarded by lock.
    private final java.util.ArrayDeque<Item> queue = new java.util.ArrayDeque<>();
    private long wireSequence;
    private int functionSequence;
    private long submitted, completed, failed, retried, timedOut, cancelled;
    private boolean closed;
    private boolean stopping;
    private long stopDeadline;
    private long nextDeadline = NO_DEADLINE;
    /** The last error a farm worker task died of, for the messages of lost tasks. */
    private String lastWorkerError;
    /** Resolved items waiting to be handed to their futures or map calls, outside the lock. */
    private Item deliverHead, deliverTail;

    private TaskFarm(Builder b) {
        this.vm = b.vm;
        this.maxQueued = b.maxQueued;
        this.inFlightPerSlot = b.inFlightPerSlot;
        this.taskTimeoutNanos = b.taskTimeout == null ? 0 : b.taskTimeout.toNanos();
        this.lostHostRetries = b.lostHostRetries;
        this.failureRetries = b.failureRetries;
        this.progress = b.progress;
        this.otherMessages = b.otherMessages != null ? b.otherMessages
                : r -> LOG.info("the task farm dropped a message that is not its own, from {}: {}", r.sender(), r.message());
        this.queueWaitNanos = b.queueWait.toNanos();
        this.closeTimeoutNanos = b.closeTimeout.toNanos();
        this.placement = b.spawnPerTask ? new SpawnPerTask(this) : new ResidentWorkers(this);
        lock.lock();
        try {
            placement.start();
        } finally {
            lock.unlock();
        }
        dispatcher = new Thread(this::dispatch, "paravm-farm-dispatcher");
        dispatcher.setDaemon(true);
        dispatcher.start();
    }

    /**
     * Returns a farm with the default settings over {@code vm}, its workers started.
     *
     * @param vm the spawner's open virtual machine
     * @return the farm; close it when done
     * @throws VmException on a worker's VM
     */
    public static TaskFarm on(VirtualMachine vm) {
        return builder(vm).build();
    }

    /**
     * Returns a builder for a farm over {@code vm}.
     *
     * <pre>{@code
     * TaskFarm farm = TaskFarm.builder(vm).taskTimeout(Duration.ofMinutes(5)).lostHostRetries(5).build();
     * }</pre>
     *
     * @param vm the spawner's open virtual machine
     * @return the builder
     */
    public static Builder builder(VirtualMachine vm) {
        return new Builder(vm);
    }

    // ------------------------------------------------------------------ submit

    /**
     * Submits one task, with the farm's task timeout. Blocks while the queue is full (at
     * most {@link Builder#queueWait(Duration)}).
     *
     * @param task the task; it runs on a worker, its return value completes the future
     * @param <R>  the result type
     * @return the task's future; cancelling it withdraws the task if it has not started
     * @throws VmException for a null task, a closed farm, a farm without workers, or a
     *                     queue that stayed full
     */
    public <R> CompletableFuture<R> submit(Task<R> task) {
        return submit(task, taskTimeoutNanos);
    }

    /**
     * Submits one task with its own timeout, counted from when it starts on a worker.
     *
     * @param task    the task
     * @param timeout how long it may run; positive
     * @param <R>     the result type
     * @return the task's future; it fails with {@link TimeoutException} when the timeout passes
     * @throws VmException as {@link #submit(Task)}, and for a timeout that is null, zero or negative
     */
    public <R> CompletableFuture<R> submit(Task<R> task, Duration timeout) {
        return submit(task, positiveNanos(timeout, "submit(task, timeout)"));
    }

    @SuppressWarnings("unchecked")
    private <R> CompletableFuture<R> submit(Task<R> task, long timeoutNanos) {
        if (task == null) {
            throw new VmException("submit: task is null; pass a Task such as worker -> compute(x)");
        }
        FarmFuture<Object> future = new FarmFuture<>(this);
        Item item = new Item(task, 0, null, -1, future, timeoutNanos);
        future.item = item;
        enqueue(item, true);
        return (CompletableFuture<R>) (CompletableFuture<?>) future;
    }

    private static long positiveNanos(Duration d, String call) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new VmException(call + ": timeout " + d + " is not positive; pass e.g. Duration.ofMinutes(5)");
        }
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4;
        }
    }

    /**
     * Puts {@code item} on the queue (or straight onto a worker), waiting for room.
     *
     * @param limited whether the wait for room is bounded by queueWait (submit) or only by
     *                the farm closing and the map call stopping (map)
     * @return false if the item was not taken because its map call is stopping
     */
    private boolean enqueue(Item item, boolean limited) {
        Item deliveries;
        lock.lock();
        try {
            ensureUsable(limited ? "submit" : "map");
            long left = queueWaitNanos;
            while (queue.size() >= maxQueued && Thread.currentThread() != dispatcher) {
                if (item.run != null && item.run.stopping) return false;
                if (limited && left <= 0) {
                    throw new VmException("submit: the farm's queue stayed full (maxQueued=" + maxQueued + ", "
                            + placement.inFlight() + " tasks on " + placement.workers() + " workers) for "
                            + Duration.ofNanos(queueWaitNanos) + "; wait for results before submitting more, or "
                            + "raise TaskFarm.builder(vm).maxQueued(...) or .queueWait(...)");
                }
                try {
                    if (limited) left = notFull.awaitNanos(left);
                    else notFull.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new VmException("interrupted while waiting for room in the farm's queue", e);
                }
                ensureUsable(limited ? "submit" : "map");
            }
            if (item.run != null && item.run.stopping) return false;
            submitted++;
            if (!queue.isEmpty() || !placement.place(item)) queue.addLast(item);
            deliveries = takeDeliveries();
        } finally {
            lock.unlock();
        }
        deliver(deliveries);
        return true;
    }

    private void ensureUsable(String call) {
        if (closed) {
            throw new VmClosedException(call + " on a closed task farm; build a new one with TaskFarm.on(vm)");
        }
        if (placement.workers() == 0 && placement.inFlight() == 0) {
            throw new VmException(call + ": the task farm has no worker to run on: "
                    + (lastWorkerError != null ? "its workers were lost" : "the VM had no free worker slot")
                    + " (slots()=" + vm.slots() + ", freeSlots()=" + vm.freeSlots() + "); start the VM with more "
                    + "ranks, or build the farm while slots are free");
        }
    }

    // ------------------------------------------------------------------ map

    /**
     * Applies {@code function} to every input on the workers and returns the results in
     * input order. Uses the farm's task timeout and retry settings for every input.
     *
     * @param function the function; shipped once per worker
     * @param inputs   the inputs; each must be serializable
     * @param <T>      the input type
     * @param <R>      the result type
     * @return the results, {@code results.get(i)} for {@code inputs.get(i)}
     * @throws RemoteTaskException if an input's call threw (after retries if asked for);
     *                             the message names the input's index
     * @throws TaskLostException   if an input's host was lost more often than allowed
     * @throws VmException         if an input timed out (cause {@link TimeoutException}),
     *                             could not be sent, or the farm was closed meanwhile
     */
    public <T, R> List<R> map(TaskFunction<T, R> function, List<? extends T> inputs) {
        return map(function, inputs, null);
    }

    /**
     * As {@link #map(TaskFunction, List)}, telling {@code progress} after each input.
     *
     * @param function the function
     * @param inputs   the inputs
     * @param progress told the counts after each input finished (on the dispatcher
     *                 thread); every call has been made when {@code map} returns; may be null
     * @param <T>      the input type
     * @param <R>      the result type
     * @return the results in input order
     */
    @SuppressWarnings("unchecked")
    public <T, R> List<R> map(TaskFunction<T, R> function, List<? extends T> inputs, ProgressListener progress) {
        if (function == null) {
            throw new VmException("map: function is null; pass a TaskFunction such as x -> f(x)");
        }
        if (inputs == null) {
            throw new VmException("map: inputs is null; pass a list (List.of() for none)");
        }
        if (Thread.currentThread() == dispatcher) {
            throw new VmException("map: called on the task farm's dispatcher thread (from a progress listener, an "
                    + "otherMessages handler or a future's callback), where it would wait for itself; call it from "
                    + "another thread, e.g. with CompletableFuture.supplyAsync(() -> farm.map(...))");
        }
        int n = inputs.size();
        if (n == 0) return List.of();
        MapRun run;
        lock.lock();
        try {
            ensureUsable("map");
            run = new MapRun(++functionSequence, (TaskFunction<Object, Object>) function, n, progress);
        } finally {
            lock.unlock();
        }
        int fed = 0;
        VmException feedError = null;
        boolean interrupted = false;
        try {
            while (fed < n && enqueue(new Item(inputs.get(fed), run.fnId, run, fed, null, taskTimeoutNanos), false)) {
                fed++;
            }
        } catch (VmException e) {
            feedError = e;
            interrupted = Thread.interrupted();
        } finally {
            if (fed < n) {
                stopRun(run, "map stopped feeding inputs");
                for (int i = fed; i < n; i++) run.done.countDown();
            }
        }
        while (true) {
            try {
                run.done.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
                stopRun(run, "the thread running map was interrupted");
            }
        }
        lock.lock();
        try {
            placement.forget(run);
        } finally {
            lock.unlock();
        }
        if (interrupted) Thread.currentThread().interrupt();
        if (run.failure != null) throw mapFailure(run, run.failure);
        if (feedError != null) throw feedError;
        if (interrupted) {
            throw new VmException("map: interrupted; the inputs not finished were cancelled");
        }
        return Collections.unmodifiableList(Arrays.asList((R[]) run.results));
    }

    private void stopRun(MapRun run, String why) {
        Item deliveries;
        lock.lock();
        try {
            stopRunLocked(run, why);
            deliveries = takeDeliveries();
        } finally {
            lock.unlock();
        }
        deliver(deliveries);
    }

    /** Cancels every unresolved input of {@code run}, queued or sent; no more is fed. */
    private void stopRunLocked(MapRun run, String why) {
        if (run.stopping) return;
        run.stopping = true;
        boolean removed = false;
        for (Iterator<Item> it = queue.iterator(); it.hasNext(); ) {
            Item item = it.next();
            if (item.run == run) {
                it.remove();
                removed = true;
                resolveCancelled(item, why);
            }
        }
        placement.forEachInFlight(item -> {
            if (item.run == run && !item.resolved) {
                resolveCancelled(item, why);
                placement.cancel(item);
            }
        });
        if (removed) notFull.signalAll();
    }

    private static RuntimeException mapFailure(MapRun run, Item item) {
        String where = "map: input " + item.index + " of " + run.size();
        Throwable e = item.error;
        if (e instanceof RemoteTaskException r) {
            return new RemoteTaskException(where + " threw on a worker:\n" + r.remoteTrace(), r.remoteTrace(), item.index);
        }
        if (e instanceof TaskLostException) {
            return new TaskLostException(where + ": " + e.getMessage(), item.index);
        }
        if (e instanceof TimeoutException) {
            return new VmException(where + " timed out: " + e.getMessage(), e);
        }
        if (e instanceof CancellationException) {
            return new VmException(where + " was cancelled, so map cannot return: " + e.getMessage(), e);
        }
        return new VmException(where + " failed: " + e.getMessage(), e);
    }

    // ------------------------------------------------------------------ stats, close

    /**
     * Returns a snapshot of the farm's counters.
     *
     * @return the counters now
     */
    public FarmStats stats() {
        lock.lock();
        try {
            return new FarmStats(submitted, completed, failed, retried, timedOut, cancelled, queue.size(),
                    placement.inFlight(), placement.workers());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Cancels every task not finished (their futures fail with
     * {@link CancellationException}; a running {@code map} throws), ends the farm's worker
     * tasks, and waits at most {@link Builder#closeTimeout(Duration)} for them to exit.
     * Does not close the VM. Idempotent.
     */
    @Override
    public void close() {
        Item deliveries;
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                beginStop("the task farm was closed");
            }
            deliveries = takeDeliveries();
        } finally {
            lock.unlock();
        }
        deliver(deliveries);
        if (Thread.currentThread() == dispatcher) return; // called from a callback: the loop ends by itself
        try {
            dispatcher.join(TimeUnit.NANOSECONDS.toMillis(closeTimeoutNanos) + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (dispatcher.isAlive()) {
            LOG.warn("the task farm's dispatcher did not end within {}; its worker tasks may still run",
                    Duration.ofNanos(closeTimeoutNanos));
        }
    }

    /** Cancels all unresolved work, asks the workers to end and sets the dispatcher's deadline. */
    private void beginStop(String why) {
        stopping = true;
        stopDeadline = System.nanoTime() + closeTimeoutNanos;
        for (Item item : queue) resolveCancelled(item, why);
        queue.clear();
        placement.forEachInFlight(item -> {
            if (!item.resolved) resolveCancelled(item, why);
        });
        placement.stop();
        notFull.signalAll();
    }

    // ------------------------------------------------------------------ the dispatcher

    private void dispatch() {
        try {
            while (true) {
                long wait;
                Item deliveries;
                boolean done = false;
                lock.lock();
                try {
                    long now = System.nanoTime();
                    if (stopping && (placement.ended() || now - stopDeadline >= 0)) {
                        if (!placement.ended()) {
                            LOG.warn("the task farm stopped waiting for its {} worker tasks to exit after {}",
                                    placement.workers(), Duration.ofNanos(closeTimeoutNanos));
                        }
                        done = true;
                    }
                    if (nextDeadline != NO_DEADLINE && now - nextDeadline >= 0) {
                        nextDeadline = placement.checkTimeouts(now);
                    }
                    wait = nextDeadline == NO_DEADLINE ? POLL_NANOS : Math.max(1, Math.min(POLL_NANOS, nextDeadline - now));
                    deliveries = takeDeliveries();
                } finally {
                    lock.unlock();
                }
                deliver(deliveries);
                if (done) break;
                Received r;
                try {
                    r = vm.receiveMessage(Duration.ofNanos(wait)).orElse(null);
                } catch (VmClosedException e) {
                    vmClosed(e);
                    return;
                } catch (VmException e) {
                    LOG.warn("the task farm's dispatcher dropped a message: {}", e.getMessage());
                    continue;
                }
                if (r == null || r.message() instanceof SendProbe) continue;
                boolean ours;
                lock.lock();
                try {
                    ours = placement.onMessage(r);
                    deliveries = takeDeliveries();
                } finally {
                    lock.unlock();
                }
                deliver(deliveries);
                if (!ours) {
                    try {
                        otherMessages.accept(r);
                    } catch (RuntimeException | AssertionError e) {
                        LOG.warn("the task farm's otherMessages handler threw on a message from {}", r.sender(), e);
                    }
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.error("the task farm's dispatcher failed; the farm is closed", e);
            vmClosed(e);
        }
    }

    /** The VM under the farm was closed (or the dispatcher died): nothing can finish any more. */
    private void vmClosed(Throwable cause) {
        Item deliveries;
        lock.lock();
        try {
            closed = true;
            stopping = true;
            VmException why = new VmException("the task farm stopped: " + cause.getMessage(), cause);
            for (Item item : drainQueue()) resolveFailed(item, why, false);
            placement.forEachInFlight(item -> {
                if (!item.resolved) resolveFailed(item, why, false);
            });
            deliveries = takeDeliveries();
        } finally {
            lock.unlock();
        }
        deliver(deliveries);
    }

    // ------------------------------------------------------------------ outcomes (lock held)

    long nextWire() {
        return ++wireSequence;
    }

    boolean isStopping() {
        return stopping;
    }

    /** A running item's deadline: the dispatcher wakes for it. */
    void noteDeadline(long deadline) {
        if (nextDeadline == NO_DEADLINE || deadline - nextDeadline < 0) nextDeadline = deadline;
    }

    /** Room appeared on the workers: send queued items. */
    void pump() {
        boolean removed = false;
        while (!queue.isEmpty()) {
            if (!placement.place(queue.peekFirst())) break;
            queue.pollFirst();
            removed = true;
        }
        if (removed) notFull.signalAll();
    }

    void succeeded(Item item, Object value) {
        item.resolved = true;
        item.ok = true;
        item.value = value;
        completed++;
        MapRun run = item.run;
        if (run != null) {
            run.results[item.index] = value;
            run.completed++;
        }
        progressed(item);
    }

    void threw(Item item, String remoteTrace) {
        if (item.failCount < failureRetries && !runStopping(item)) {
            item.failCount++;
            retried++;
            LOG.debug("{} threw; running it again ({} of {} retries)", item.describe(), item.failCount, failureRetries);
            requeue(item);
            return;
        }
        String retries = item.failCount > 0 ? " (after " + item.failCount + " retries)" : "";
        resolveFailed(item, new RemoteTaskException(item.describe() + " threw on a worker" + retries + ":\n"
                + remoteTrace, remoteTrace, item.index), false);
    }

    /**
     * The worker running {@code item} was lost.
     *
     * @param blame whether the item had started there (only then does it count as a lost run)
     */
    void lost(Item item, String where, boolean blame) {
        if (blame) item.lostCount++;
        if (item.lostCount > lostHostRetries) {
            resolveFailed(item, new TaskLostException(item.describe() + " was lost " + item.lostCount
                    + " times, last on " + where + " (lostHostRetries=" + lostHostRetries + ")"
                    + (lastWorkerError != null ? "; the last worker error was:\n" + lastWorkerError : "")
                    + "\nRaise TaskFarm.builder(vm).lostHostRetries(...) if hosts are expected to drop out", item.index), false);
            return;
        }
        if (blame) retried++;
        requeue(item);
    }

    void workerError(String trace) {
        lastWorkerError = trace;
    }

    /** Puts an unresolved item back at the front of the queue (it will be sent again). */
    void requeue(Item item) {
        item.worker = null;
        item.startedAt = 0;
        if (runStopping(item)) {
            resolveCancelled(item, "its map call has stopped");
        } else if (stopping) {
            resolveCancelled(item, "the task farm was closed");
        } else {
            queue.addFirst(item);
        }
    }

    /**
     * Empties the queue and wakes the callers waiting for room. The caller resolves the items
     * afterwards: resolving a map input stops its map call, which takes that call's items out
     * of the queue, so they must not be resolved while the queue is iterated.
     */
    private List<Item> drainQueue() {
        List<Item> all = new ArrayList<>(queue);
        queue.clear();
        notFull.signalAll();
        return all;
    }

    /** No worker is left: fail everything queued, since nothing could run it. */
    void noWorkersLeft(String why) {
        if (queue.isEmpty()) return;
        LOG.warn("the task farm has no worker left ({}); failing {} queued tasks", why, queue.size());
        for (Item item : drainQueue()) {
            resolveFailed(item, new TaskLostException(item.describe() + " cannot run: the task farm has no worker "
                    + "left (" + why + ")", item.index), false);
        }
    }

    void timedOut(Item item, String where) {
        resolveFailed(item, new TimeoutException(item.describe() + " timed out after "
                + Duration.ofNanos(item.timeoutNanos) + " on " + where
                + "; it still runs there, its worker counts as busy until it ends, and its result will be dropped"), true);
    }

    /**
     * After a send failed: returns whether {@code payload} is what cannot be sent (rather
     * than the worker being gone), by sending it to the spawner itself.
     */
    boolean cannotSend(Object payload) {
        try {
            vm.sendMessage(vm.taskId(), new SendProbe(payload));
            return false;
        } catch (VmException e) {
            return true;
        }
    }

    /** The item could not be sent (its task, input or function cannot be serialized). */
    void unsendable(Item item, VmException e) {
        resolveFailed(item, new VmException(item.describe() + " could not be sent to a worker: " + e.getMessage(), e), false);
    }

    /** The user cancelled a submitted task's future. */
    void cancelled(Item item) {
        Item deliveries;
        lock.lock();
        try {
            if (item.resolved) return;
            item.resolved = true;
            cancelled++;
            if (queue.removeFirstOccurrence(item)) {
                notFull.signalAll();
            } else {
                placement.cancel(item); // may move other jobs, and resolve one that cannot be sent
            }
            deliveries = takeDeliveries();
        } finally {
            lock.unlock();
        }
        deliver(deliveries);
    }

    private static boolean runStopping(Item item) {
        return item.run != null && item.run.stopping;
    }

    private void resolveFailed(Item item, Throwable error, boolean timeout) {
        item.resolved = true;
        item.ok = false;
        item.error = error;
        if (timeout) timedOut++;
        else failed++;
        MapRun run = item.run;
        if (run != null) {
            run.failed++;
            if (run.failure == null) {
                run.failure = item;
                stopRunLocked(run, "input " + item.index + " failed");
            }
        }
        progressed(item);
    }

    private void resolveCancelled(Item item, String why) {
        item.resolved = true;
        item.ok = false;
        item.error = new CancellationException(item.describe() + " was cancelled: " + why);
        cancelled++;
        if (item.run != null && item.run.failure == null) item.run.failure = item; // map must not return
        queueDelivery(item);
    }

    private void progressed(Item item) {
        if (progress != null) {
            item.farmProgress = new FarmProgress(completed, failed + timedOut, submitted,
                    Duration.ofNanos(System.nanoTime() - startNanos));
        }
        MapRun run = item.run;
        if (run != null && run.listener != null) {
            item.runProgress = new FarmProgress(run.completed, run.failed, run.size(),
                    Duration.ofNanos(System.nanoTime() - run.startNanos));
        }
        queueDelivery(item);
    }

    // ------------------------------------------------------------------ delivery

    private void queueDelivery(Item item) {
        if (item.future == null && item.run == null) return; // a tombstone
        if (deliverTail == null) deliverHead = item;
        else deliverTail.nextDelivery = item;
        deliverTail = item;
    }

    private Item takeDeliveries() {
        Item head = deliverHead;
        deliverHead = deliverTail = null;
        return head;
    }

    /** Hands resolved items to their futures, map calls and listeners; called without the lock. */
    private void deliver(Item chain) {
        while (chain != null) {
            Item item = chain;
            chain = item.nextDelivery;
            item.nextDelivery = null;
            if (item.farmProgress != null) tell(progress, item.farmProgress);
            MapRun run = item.run;
            if (run != null) {
                if (item.runProgress != null) tell(run.listener, item.runProgress);
                run.done.countDown();
            } else if (item.ok) {
                item.future.complete(item.value);
            } else {
                item.future.completeExceptionally(item.error);
            }
            item.value = null;
        }
    }

    private static void tell(ProgressListener listener, FarmProgress p) {
        try {
            listener.progress(p);
        } catch (RuntimeException | AssertionError e) {
            LOG.warn("a task farm progress listener threw", e);
        }
    }

    // ------------------------------------------------------------------ builder

    /**
     * Settings of a {@link TaskFarm}; every one has a default.
     *
     * <pre>{@code
     * try (TaskFarm farm = TaskFarm.builder(vm)
     *         .taskTimeout(Duration.ofMinutes(10))   // per task, counted from its start on a worker
     *         .lostHostRetries(5)                    // run again elsewhere up to 5 times
     *         .progress(p -> log.info("{} of {}", p.completed(), p.total()))
     *         .build()) {
     *     List<Double> ys = farm.map(x -> simulate(x), xs);
     * }
     * }</pre>
     */
    public static final class Builder {
        private final VirtualMachine vm;
        private int maxQueued = 10_000;
        private int inFlightPerSlot = 2;
        private Duration taskTimeout;
        private int lostHostRetries = 3;
        private int failureRetries;
        private ProgressListener progress;
        private Consumer<Received> otherMessages;
        private boolean spawnPerTask;
        private Duration queueWait = Duration.ofMinutes(10);
        private Duration closeTimeout = Duration.ofSeconds(30);

        private Builder(VirtualMachine vm) {
            if (vm == null) throw new VmException("TaskFarm: vm is null; pass the spawner's open VirtualMachine");
            this.vm = vm;
        }

        /**
         * How many tasks may wait for a worker (default 10,000). {@code submit} blocks while
         * the queue is full, at most {@link #queueWait(Duration)}; {@code map} feeds its
         * inputs as room appears.
         *
         * @param n at least 1
         * @return this builder
         */
        public Builder maxQueued(int n) {
            this.maxQueued = atLeast(n, 1, "maxQueued");
            return this;
        }

        /**
         * How many tasks each resident worker gets at once (default 2): the next is already
         * there when one ends, so a worker never idles between tasks.
         *
         * @param n at least 1
         * @return this builder
         */
        public Builder inFlightPerSlot(int n) {
            this.inFlightPerSlot = atLeast(n, 1, "inFlightPerSlot");
            return this;
        }

        /**
         * The timeout of every task of {@code submit(task)} and {@code map} (default none),
         * counted from when the task starts on its worker.
         *
         * @param d positive, or null for none
         * @return this builder
         */
        public Builder taskTimeout(Duration d) {
            if (d != null) positiveNanos(d, "taskTimeout");
            this.taskTimeout = d;
            return this;
        }

        /**
         * How many times a task whose worker or host was lost while it ran is run again
         * elsewhere (default 3).
         *
         * @param n 0 or more
         * @return this builder
         */
        public Builder lostHostRetries(int n) {
            this.lostHostRetries = atLeast(n, 0, "lostHostRetries");
            return this;
        }

        /**
         * How many times a task that threw is run again (default 0: a throw fails it).
         *
         * @param n 0 or more
         * @return this builder
         */
        public Builder failureRetries(int n) {
            this.failureRetries = atLeast(n, 0, "failureRetries");
            return this;
        }

        /**
         * Told the farm's totals after every task that finished, on the dispatcher thread.
         *
         * @param l the listener, or null for none
         * @return this builder
         */
        public Builder progress(ProgressListener l) {
            this.progress = l;
            return this;
        }

        /**
         * Takes the messages the dispatcher receives that are not the farm's: messages
         * from tasks (including a farm task's own messages to its parent), exits of tasks
         * spawned outside the farm, {@code HostAdded} and {@code HostRemoved} (after the
         * farm's own bookkeeping). Called on the dispatcher thread. Default: log and drop.
         *
         * @param handler the handler, or null for the default
         * @return this builder
         */
        public Builder otherMessages(Consumer<Received> handler) {
            this.otherMessages = handler;
            return this;
        }

        /**
         * PyOPUS style: run every task as its own {@code spawnFunction} (at most one per free
         * slot) instead of on resident workers. Slower for short tasks; there for comparison
         * and for tasks that need a fresh task each.
         *
         * @param b whether to spawn one task per item
         * @return this builder
         */
        public Builder spawnPerTask(boolean b) {
            this.spawnPerTask = b;
            return this;
        }

        /**
         * How long {@code submit} waits for room in a full queue before it throws (default
         * 10 minutes).
         *
         * @param d positive
         * @return this builder
         */
        public Builder queueWait(Duration d) {
            positiveNanos(d, "queueWait");
            this.queueWait = d;
            return this;
        }

        /**
         * How long {@link TaskFarm#close()} waits for the farm's worker tasks to exit
         * (default 30 s); a task still running then is left to end by itself.
         *
         * @param d positive
         * @return this builder
         */
        public Builder closeTimeout(Duration d) {
            positiveNanos(d, "closeTimeout");
            this.closeTimeout = d;
            return this;
        }

        /**
         * Builds the farm and starts its workers.
         *
         * @return the farm
         * @throws VmException on a worker's VM, or if the VM is closed
         */
        public TaskFarm build() {
            if (!vm.isSpawner()) {
                throw new VmException("TaskFarm works only on the spawner, and this is task " + vm.taskId()
                        + "; build it where vm.isSpawner() is true (in VirtualMachine.run's spawner main)");
            }
            return new TaskFarm(this);
        }

        private static int atLeast(int n, int min, String name) {
            if (n < min) {
                throw new VmException("TaskFarm." + name + "(" + n + "): must be at least " + min);
            }
            return n;
        }
    }
}
