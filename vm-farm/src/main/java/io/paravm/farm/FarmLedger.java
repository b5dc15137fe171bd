package io.paravm.farm;

import io.paravm.Received;
import io.paravm.TaskId;
import io.paravm.VirtualMachine;
import io.paravm.VmClosedException;
import io.paravm.VmException;
import io.paravm.spi.FarmTaskEvent;
import io.paravm.spi.VmEventListener;
import io.paravm.spi.VmEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The farm's books, kept under its one lock: which items wait ({@link FarmQueue}) and run
 * ({@link Placement}), how each one ends, and the counts {@link FarmStats} shows. The
 * placement reports here what its workers did, with the lock held (the methods under "the
 * placement's reports"); every other method takes the lock itself, and hands the items it
 * resolved to {@link Deliveries} once it has let go of the lock.
 */
final class FarmLedger {

    private static final Logger LOG = LoggerFactory.getLogger(FarmLedger.class);

    /** How often workers passed over for want of room are tried again: they get room as they read. */
    private static final long ROOM_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final VirtualMachine vm;
    private final RetryPolicy retries;
    private final long queueWaitNanos;
    private final long closeTimeoutNanos;
    private final long startNanos = System.nanoTime();
    private final ReentrantLock lock = new ReentrantLock();
    private final FarmQueue queue;
    private final Deliveries deliveries;
    private final ProgressListener progress;
    private final Placement placement;
    /** The VM's listeners, told of every farm task's steps. */
    private final VmEvents events;

    // Guarded by lock.
    private int functionSequence;
    private long submitted, completed, failed, retried, timedOut, cancelled;
    private boolean closed;
    private boolean stopping;
    private long stopDeadline;
    private long nextDeadline = Placement.NO_DEADLINE;
    /** When the workers passed over for want of room were last tried again. */
    private long lastRoomRetry = System.nanoTime();
    /** The last error a farm worker task died of, for the messages of lost tasks. */
    private String lastWorkerError;

    /** Opens the books and starts the placement {@code placements} makes (it reports back here). */
    FarmLedger(VirtualMachine vm, FarmSettings settings, Function<FarmLedger, Placement> placements) {
        this.vm = vm;
        this.retries = new RetryPolicy(settings.lostHostRetries(), settings.failureRetries());
        this.queueWaitNanos = settings.queueWaitNanos();
        this.closeTimeoutNanos = settings.closeTimeoutNanos();
        this.queue = new FarmQueue(settings.maxQueued(), lock.newCondition(), lock.newCondition());
        this.progress = settings.progress();
        this.deliveries = new Deliveries(progress);
        this.events = eventsOf(vm);
        this.placement = placements.apply(this);
        locked(() -> {
            placement.start();
            return null;
        });
    }

    /** The VM's event hub, or one nobody listens to for a VM that publishes no events. */
    private static VmEvents eventsOf(VirtualMachine vm) {
        try {
            return vm.events();
        } catch (VmException e) {
            return new VmEvents();
        }
    }

    /** Tells the listeners, if any, of a step of {@code item} (lock held), reading the clock for it. */
    private void tell(VmEventListener l, FarmTaskEvent.Kind kind, Item item, String error) {
        tell(l, kind, item, error, System.nanoTime());
    }

    /**
     * Tells the listeners of a step of {@code item} that happened at {@code now} (lock held):
     * where the farm has just read the clock for its own books, a listener costs no second read.
     */
    private void tell(VmEventListener l, FarmTaskEvent.Kind kind, Item item, String error, long now) {
        l.farmTask(new FarmTaskEvent(kind, item.worker != null ? item.worker : TaskId.bad(), item.run != null ? item.index : -1,
                item.run != null ? item.run.size() : 0,
                item.startedAt != 0 && kind != FarmTaskEvent.Kind.STARTED ? now - item.startedAt : 0,
                item.submittedAt != 0 && kind != FarmTaskEvent.Kind.STARTED ? now - item.submittedAt : 0, error, now));
    }

    private <T> T locked(Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code action} under the lock, then delivers what it resolved, without the lock. */
    private <T> T lockedThenDeliver(Supplier<T> action) {
        T result;
        Item chain;
        lock.lock();
        try {
            result = action.get();
            chain = deliveries.take();
        } finally {
            lock.unlock();
        }
        deliveries.deliver(chain);
        return result;
    }

    private void lockedThenDeliver(Runnable action) {
        lockedThenDeliver(() -> {
            action.run();
            return null;
        });
    }

    // ------------------------------------------------------------------ taking work

    /**
     * Puts {@code item} on the queue (or straight onto a worker), waiting for room.
     *
     * @param limited whether the wait for room is bounded by queueWait (submit) or only by
     *                the farm closing and the map call stopping (map)
     * @param mayWait false on the dispatcher thread, which must never wait for itself
     * @return false if the item was not taken because its map call is stopping
     */
    boolean admit(Item item, boolean limited, boolean mayWait) {
        String call = limited ? "submit" : "map";
        return lockedThenDeliver(() -> {
            ensureUsable(call);
            long left = queueWaitNanos;
            while (queue.isFull() && mayWait) {
                if (item.runStopping()) return false;
                if (limited && left <= 0) {
                    throw new VmException("submit: the farm's queue stayed full (maxQueued=" + queue.maxQueued() + ", "
                            + placement.inFlight() + " tasks on " + placement.workers() + " workers) for "
                            + Duration.ofNanos(queueWaitNanos) + "; wait for results before submitting more, or "
                            + "raise TaskFarm.builder(vm).maxQueued(...) or .queueWait(...)");
                }
                try {
                    if (limited) left = queue.awaitRoom(left);
                    else queue.awaitRefill();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new VmException("interrupted while waiting for room in the farm's queue", e);
                }
                ensureUsable(call);
            }
            if (item.runStopping()) return false;
            submitted++;
            VmEventListener l = events.listener();
            if (l != null) {
                item.submittedAt = System.nanoTime();
                tell(l, FarmTaskEvent.Kind.SUBMITTED, item, null, item.submittedAt);
            }
            queue.offer(item, placement);
            return true;
        });
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

    /** Starts the books of a {@code map} call of {@code size} inputs. */
    MapRun openMap(TaskFunction<Object, Object> function, int size, ProgressListener listener) {
        return locked(() -> {
            ensureUsable("map");
            return new MapRun(++functionSequence, function, size, listener);
        });
    }

    /** The {@code map} call {@code run} has ended: its workers may drop its function. */
    void closeMap(MapRun run) {
        locked(() -> {
            placement.forget(run);
            return null;
        });
    }

    /** The user cancelled a submitted task's future. */
    void cancelled(Item item) {
        lockedThenDeliver(() -> {
            if (item.resolved) return;
            item.resolved = true;
            cancelled++;
            if (!queue.remove(item)) {
                placement.cancel(item); // may move other jobs, and resolve one that cannot be sent
            }
        });
    }

    /** Cancels every unresolved input of {@code run}, queued or sent; no more is fed. */
    void stopRun(MapRun run, String why) {
        lockedThenDeliver(() -> stopRunLocked(run, why));
    }

    private void stopRunLocked(MapRun run, String why) {
        if (run.stopping) return;
        run.stopping = true;
        for (Item item : queue.removeRun(run)) resolveCancelled(item, why);
        placement.forEachInFlight(item -> {
            if (item.run == run && !item.resolved) {
                resolveCancelled(item, why);
                placement.cancel(item);
            }
        });
    }

    // ------------------------------------------------------------------ stats, stop

    FarmStats stats() {
        return locked(() -> new FarmStats(submitted, completed, failed, retried, timedOut, cancelled, queue.size(),
                placement.inFlight(), placement.workers()));
    }

    /** Cancels all unresolved work and asks the workers to end; idempotent. */
    void close() {
        lockedThenDeliver(() -> {
            if (closed) return;
            closed = true;
            stopping = true;
            stopDeadline = System.nanoTime() + closeTimeoutNanos;
            String why = "the task farm was closed";
            for (Item item : queue.drain()) resolveCancelled(item, why);
            placement.forEachInFlight(item -> {
                if (!item.resolved) resolveCancelled(item, why);
            });
            placement.stop();
        });
    }

    /** The VM under the farm was closed (or the dispatcher died): nothing can finish any more. */
    void vmClosed(Throwable cause) {
        lockedThenDeliver(() -> {
            closed = true;
            stopping = true;
            VmException why = new VmException("the task farm stopped: " + cause.getMessage(), cause);
            for (Item item : queue.drain()) resolveFailed(item, why, false);
            placement.forEachInFlight(item -> {
                if (!item.resolved) resolveFailed(item, why, false);
            });
        });
    }

    // ------------------------------------------------------------------ the dispatcher's calls

    /**
     * Before each receive: resolves the items whose timeout passed, and says how long the
     * dispatcher may wait for a message.
     *
     * @param longestWait the longest wait, so that the dispatcher notices a close
     * @return nanoseconds to wait, or -1 once the farm has stopped and its tasks have exited
     *         (or the close timeout has passed)
     */
    long beforeReceive(long longestWait) {
        return lockedThenDeliver(() -> {
            long now = System.nanoTime();
            boolean ended = false;
            if (stopping && (placement.ended() || now - stopDeadline >= 0)) {
                if (!placement.ended()) {
                    LOG.warn("the task farm stopped waiting for its {} worker tasks to exit after {}",
                            placement.workers(), Duration.ofNanos(closeTimeoutNanos));
                }
                ended = true;
            }
            if (nextDeadline != Placement.NO_DEADLINE && now - nextDeadline >= 0) {
                nextDeadline = placement.checkTimeouts(now);
            }
            if (ended) return -1L;
            long wait = longestWait;
            if (placement.anyFull()) {
                // A worker had no room for its next job; it gets room as it reads, which no message tells.
                if (now - lastRoomRetry >= ROOM_RETRY_NANOS) {
                    lastRoomRetry = now;
                    placement.forgetFull();
                    pump();
                }
                wait = Math.min(wait, ROOM_RETRY_NANOS);
            }
            return nextDeadline == Placement.NO_DEADLINE ? wait : Math.max(1, Math.min(wait, nextDeadline - now));
        });
    }

    /** Hands a received message to the placement; returns whether it was the farm's own. */
    boolean onMessage(Received r) {
        return lockedThenDeliver(() -> placement.onMessage(r));
    }

    // ------------------------------------------------------------------ the placement's reports (lock held)

    boolean isStopping() {
        return stopping;
    }

    /** A running item's deadline: the dispatcher wakes for it. */
    void noteDeadline(long deadline) {
        if (nextDeadline == Placement.NO_DEADLINE || deadline - nextDeadline < 0) nextDeadline = deadline;
    }

    /** Room appeared on the workers: send queued items. */
    void pump() {
        queue.pump(placement);
    }

    /** {@code item} is now the one its worker runs (the placement's inference), since {@code item.startedAt}. */
    void itemStarted(Item item) {
        VmEventListener l = events.listener();
        if (l != null) tell(l, FarmTaskEvent.Kind.STARTED, item, null, item.startedAt);
    }

    void succeeded(Item item, Object value) {
        VmEventListener l = events.listener();
        if (l != null) tell(l, FarmTaskEvent.Kind.COMPLETED, item, null);
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
        if (retries.againAfterThrow(item)) {
            retried++;
            VmEventListener l = events.listener();
            if (l != null) tell(l, FarmTaskEvent.Kind.RETRIED, item, remoteTrace);
            requeue(item);
        } else {
            resolveFailed(item, retries.thrown(item, remoteTrace), false);
        }
    }

    /**
     * The worker running {@code item} was lost.
     *
     * @param blame whether the item had started there (only then does it count as a lost run)
     */
    void lost(Item item, String where, boolean blame) {
        if (!retries.againAfterLoss(item, blame)) {
            resolveFailed(item, retries.lostTooOften(item, where, lastWorkerError), false);
            return;
        }
        if (blame) {
            retried++;
            VmEventListener l = events.listener();
            if (l != null) tell(l, FarmTaskEvent.Kind.RETRIED, item, "its worker was lost: " + where);
        }
        requeue(item);
    }

    void workerError(String trace) {
        lastWorkerError = trace;
    }

    /** Puts an unresolved item back at the front of the queue (it will be sent again). */
    void requeue(Item item) {
        item.worker = null;
        item.startedAt = 0;
        if (item.runStopping()) {
            resolveCancelled(item, "its map call has stopped");
        } else if (stopping) {
            resolveCancelled(item, "the task farm was closed");
        } else {
            queue.pushFront(item);
        }
    }

    /** No worker is left: fail everything queued, since nothing could run it. */
    void noWorkersLeft(String why) {
        if (queue.isEmpty()) return;
        LOG.warn("the task farm has no worker left ({}); failing {} queued tasks", why, queue.size());
        for (Item item : queue.drain()) {
            resolveFailed(item, new TaskLostException(item.describe() + " cannot run: the task farm has no worker "
                    + "left (" + why + ")", item.index), false);
        }
    }

    void timedOut(Item item, String where) {
        resolveFailed(item, new TimeoutException(item.describe() + " timed out after "
                + Duration.ofNanos(item.timeoutNanos) + " on " + where
                + "; it still runs there, its worker counts as busy until it ends, and its result will be dropped"), true);
    }

    /** The item could not be sent (its task, input or function cannot be serialized). */
    void unsendable(Item item, VmException e) {
        resolveFailed(item, new VmException(item.describe() + " could not be sent to a worker: " + e.getMessage(), e), false);
    }

    // ------------------------------------------------------------------ resolving

    private void resolveFailed(Item item, Throwable error, boolean timeout) {
        VmEventListener l = events.listener();
        if (l != null) {
            tell(l, timeout ? FarmTaskEvent.Kind.TIMED_OUT : FarmTaskEvent.Kind.FAILED, item, error.getMessage());
        }
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
        VmEventListener l = events.listener();
        if (l != null) tell(l, FarmTaskEvent.Kind.CANCELLED, item, why);
        item.resolved = true;
        item.ok = false;
        item.error = new CancellationException(item.describe() + " was cancelled: " + why);
        cancelled++;
        if (item.run != null && item.run.failure == null) item.run.failure = item; // map must not return
        deliveries.add(item);
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
        deliveries.add(item);
    }
}
