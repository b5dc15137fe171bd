package io.paravm.core;

import io.paravm.Received;
import io.paravm.Task;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.TaskResult;
import io.paravm.VmClosedException;
import io.paravm.VmException;
import io.paravm.spi.Transport;
import io.paravm.spi.Transport.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A worker's side of the VM: the spawn loop, the tasks it runs (one at a time, as in
 * PyOPUS, or several on threads of this JVM), and the routing of frames to them.
 *
 * <p>Frames: one thread at a time takes frames from the transport (it "pumps"): the task
 * that waits for a message, or the spawn loop waiting for work. A frame for the pumping
 * task is decoded and returned at once; a frame for another running task is kept in
 * {@code taskFrames} and that task woken; a spawn request is queued for the loop. With one
 * slot the task runs on the loop's thread, so nothing but the task itself ever pumps while
 * it runs and no frame is copied on the way.
 *
 * <p>Message rule: a message addressed to a running task is delivered; one addressed to a
 * task number above any started here is held until that task starts (a worker may message a
 * task whose spawn request has not reached its rank yet); one addressed to an ended task is
 * discarded, as in PyOPUS.
 */
final class SpawnLoop {

    private static final Logger LOG = LoggerFactory.getLogger(SpawnLoop.class);
    static final int NO_TASK = -1;

    /** A task running on this worker. */
    record RunningTask(int number, TaskId id, Path workDir) {
    }

    private final CoreVirtualMachine vm;
    private final Transport transport;
    private final Codec codec;
    private final int rank;
    private final String host;
    private final int debug;
    private final int slots;
    private final long heldMaxBytes;
    private final TaskFolders folders;

    /** Guards everything below that is not volatile. */
    private final Object routeLock = new Object();
    private boolean pumping;
    private int waiters;
    private final Map<Integer, RunningTask> running = new HashMap<>();
    private final ArrayDeque<Frame> taskFrames = new ArrayDeque<>();
    private final ArrayDeque<Frame> spawnRequests = new ArrayDeque<>();
    private final List<Frame> held = new ArrayList<>();
    private long heldBytes;
    private int highestTaskStarted;
    private volatile boolean exitRequested;
    private volatile boolean spawnerLost;

    private final ThreadLocal<RunningTask> taskOfThread = new ThreadLocal<>();
    /** The one running task, for threads a task started itself; null when none or several run. */
    private volatile RunningTask soleTask;

    SpawnLoop(CoreVirtualMachine vm, Transport transport, Codec codec, String host, int debug, int slots,
              long heldMaxBytes, TaskFolders folders) {
        this.vm = vm;
        this.transport = transport;
        this.codec = codec;
        this.rank = transport.rank();
        this.host = host;
        this.debug = debug;
        this.slots = slots;
        this.heldMaxBytes = heldMaxBytes;
        this.folders = folders;
    }

    int slots() {
        return slots;
    }

    /** The task the calling thread runs (or the only one running), or null. */
    RunningTask callerTask() {
        RunningTask t = taskOfThread.get();
        return t != null ? t : soleTask;
    }

    int callerTaskNumber() {
        RunningTask t = callerTask();
        return t == null ? NO_TASK : t.number();
    }

    boolean spawnerGone() {
        return exitRequested || spawnerLost;
    }

    void spawnerLost() {
        synchronized (routeLock) {
            spawnerLost = true;
            routeLock.notifyAll();
        }
    }

    // ---------------------------------------------------------------- the loop

    /** Runs tasks until the spawner says exit or is lost. */
    void run() {
        if (slots == 1) {
            for (Started s; (s = nextTask()) != null; ) runTask(s);
            return;
        }
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(slots, r -> {
            Thread t = new Thread(r, "paravm-task-" + rank + "-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            for (Started s; (s = nextTask()) != null; ) {
                Started task = s;
                threads.execute(() -> runTask(task));
            }
        } finally {
            threads.shutdown();
            try {
                if (!threads.awaitTermination(10, TimeUnit.SECONDS)) {
                    LOG.warn("worker rank {}: tasks still running 10 s after the spawn loop ended: {}", rank, running());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private record Started(RunningTask task, Frame spawnFrame) {
    }

    /** Waits (without a deadline: a worker idles until work or exit) for a spawn request and a free slot. */
    private Started nextTask() {
        while (true) {
            synchronized (routeLock) {
                if (spawnerGone()) return null;
                if (!spawnRequests.isEmpty() && running.size() < slots) return start(spawnRequests.poll());
                if (pumping) {
                    awaitRouted(-1);
                    continue;
                }
                pumping = true;
            }
            try {
                Transport.Frame f = transport.receive(Transport.ANY_SOURCE, -1);
                if (f == null) {
                    vm.drainLostRanks();
                } else {
                    route(f, NO_TASK, Transport.ANY_SOURCE, CoreVirtualMachine.ANY_TASK);
                }
            } finally {
                releasePump();
            }
        }
    }

    /** Registers a task as running; called with routeLock held. */
    private Started start(Frame spawnFrame) {
        int number = Envelope.destinationTask(spawnFrame.payload());
        highestTaskStarted = Math.max(highestTaskStarted, number);
        RunningTask t = new RunningTask(number, new TaskId(rank, number), null);
        running.put(number, t);
        soleTask = running.size() == 1 ? t : null;
        releaseHeld(number);
        return new Started(t, spawnFrame);
    }

    private void runTask(Started started) {
        RunningTask t = started.task();
        TaskId id = t.id();
        if (debug > 0) vm.logFrom(t.number(), "task " + id + " started on " + host);
        boolean sendBack = true;
        boolean keep = false;
        TaskResult result;
        try {
            SpawnRequest request = (SpawnRequest) codec.decode(Envelope.payload(started.spawnFrame().payload()));
            sendBack = request.sendBack();
            keep = request.keepFolder();
            t = withWorkDir(t, folders.prepare(id, request));
            taskOfThread.set(t);
            Task<?> task = request.task();
            Object value = task.run(vm);
            result = TaskResult.of(value);
        } catch (Throwable e) {
            result = TaskResult.failed(remoteTrace(id, e));
            if (debug > 0) vm.logFrom(t.number(), "task " + id + " failed: " + e);
        } finally {
            taskOfThread.remove();
        }
        if (sendBack) {
            try {
                vm.send(0, FrameKind.TASK_RESULT, t.number(), 0, result);
            } catch (VmClosedException e) {
                end(t, keep);
                throw e;
            } catch (VmException e) {
                result = TaskResult.failed(remoteTrace(id, e));
                vm.send(0, FrameKind.TASK_RESULT, t.number(), 0, result);
            }
        }
        end(t, keep); // before TASK_EXIT, which frees the slot on the spawner
        vm.sendExit(t.number(), result.success() ? TaskExit.Reason.FINISHED : TaskExit.Reason.FAILED);
        if (debug > 0) vm.logFrom(NO_TASK, "task " + id + " ended");
    }

    private RunningTask withWorkDir(RunningTask t, Path dir) {
        RunningTask withDir = new RunningTask(t.number(), t.id(), dir);
        synchronized (routeLock) {
            running.put(t.number(), withDir);
            if (soleTask == t) soleTask = withDir;
        }
        return withDir;
    }

    private void end(RunningTask t, boolean keep) {
        synchronized (routeLock) {
            running.remove(t.number());
            soleTask = running.size() == 1 ? running.values().iterator().next() : null;
            taskFrames.removeIf(f -> Envelope.destinationTask(f.payload()) == t.number()); // ended: discarded
            if (!spawnRequests.isEmpty()) transport.wakeup(); // a pumping loop may wait for this slot
            routeLock.notifyAll();
        }
        folders.finish(t.workDir(), keep);
    }

    private String remoteTrace(TaskId id, Throwable t) {
        StringWriter sw = new StringWriter();
        sw.append("task ").append(String.valueOf(id)).append(" on ").append(host).append(" failed: ");
        t.printStackTrace(new PrintWriter(sw));
        return sw.toString();
    }

    private List<TaskId> running() {
        synchronized (routeLock) {
            return running.values().stream().map(RunningTask::id).sorted().toList();
        }
    }

    // ---------------------------------------------------------------- receiving in a task

    /**
     * Waits for a message to the calling task.
     *
     * @param timeoutNanos negative blocks, zero polls
     * @param source       a rank, or negative for any
     * @param sourceTask   a task number on that rank, or {@code CoreVirtualMachine.ANY_TASK}
     */
    Optional<Received> receive(long timeoutNanos, int source, int sourceTask, String call) {
        RunningTask me = callerTask();
        if (me == null) {
            throw new VmException(call + " on worker rank " + rank + " outside any task: only a running task has "
                    + "messages; call it from the Task's code" + (slots > 1 ? " (on its own thread: this worker runs "
                    + "several tasks at once)" : ""));
        }
        long deadline = System.nanoTime() + Math.max(timeoutNanos, 0);
        while (true) {
            vm.ensureOpen(call);
            long wait;
            synchronized (routeLock) {
                Frame mine = takeTaskFrame(me.number(), source, sourceTask);
                if (mine != null) return Optional.of(decodeMessage(mine.source(), mine.payload()));
                if (spawnerGone()) {
                    throw new VmClosedException("the spawner " + (spawnerLost ? "is gone" : "closed the VM")
                            + " while task " + me.id() + " was waiting for a message");
                }
                wait = timeoutNanos < 0 ? -1 : timeoutNanos == 0 ? 0 : Math.max(0, deadline - System.nanoTime());
                if (pumping) {
                    if (wait == 0) return Optional.empty();
                    awaitRouted(wait);
                    continue;
                }
                pumping = true;
            }
            Received r = null;
            boolean nothing = false;
            try {
                Transport.Frame f = transport.receive(Transport.ANY_SOURCE, wait);
                if (f == null) {
                    vm.drainLostRanks();
                    nothing = true;
                } else {
                    r = route(f, me.number(), source, sourceTask);
                }
            } finally {
                releasePump();
            }
            if (r != null) return Optional.of(r);
            if (nothing && wait == 0) {
                synchronized (routeLock) {
                    Frame mine = takeTaskFrame(me.number(), source, sourceTask);
                    return mine == null ? Optional.empty() : Optional.of(decodeMessage(mine.source(), mine.payload()));
                }
            }
        }
    }

    /** Whether a message for the calling task waits here (the transport is asked by the caller). */
    boolean hasTaskFrame(int source) {
        RunningTask me = callerTask();
        if (me == null) return false;
        synchronized (routeLock) {
            for (Frame f : taskFrames) {
                if (Envelope.destinationTask(f.payload()) == me.number() && (source < 0 || f.source() == source)) return true;
            }
            return false;
        }
    }

    private Frame takeTaskFrame(int task, int source, int sourceTask) {
        if (taskFrames.isEmpty()) return null;
        for (Iterator<Frame> it = taskFrames.iterator(); it.hasNext(); ) {
            Frame f = it.next();
            if (Envelope.destinationTask(f.payload()) == task && (source < 0 || f.source() == source)
                    && (sourceTask == CoreVirtualMachine.ANY_TASK || Envelope.sourceTask(f.payload()) == sourceTask)) {
                it.remove();
                return f;
            }
        }
        return null;
    }

    private void awaitRouted(long waitNanos) {
        waiters++;
        try {
            if (waitNanos < 0) routeLock.wait();
            else TimeUnit.NANOSECONDS.timedWait(routeLock, waitNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VmException("interrupted while waiting for a message", e);
        } finally {
            waiters--;
        }
    }

    private void releasePump() {
        synchronized (routeLock) {
            pumping = false;
            if (waiters > 0) routeLock.notifyAll();
        }
    }

    /** Keeps a frame sent by this rank to itself. */
    void keepLocal(Frame own) {
        synchronized (routeLock) {
            routeMessage(own, true);
        }
        transport.wakeup();
    }

    // ---------------------------------------------------------------- routing

    /**
     * Handles one frame from the transport; returns the message if it is for {@code myTask}
     * from {@code mySource}, or null once the frame is routed, kept or dropped.
     */
    private Received route(Transport.Frame f, int myTask, int mySource, int mySourceTask) {
        ByteBuffer frame = f.payload();
        FrameKind kind = Envelope.kind(frame);
        if (kind == null) {
            LOG.warn("dropped a malformed frame of {} bytes from rank {}", frame.remaining(), f.source());
            return null;
        }
        if (kind != FrameKind.MESSAGE && f.source() != 0) {
            LOG.warn("dropped a {} frame from rank {}: only the spawner sends those to workers", kind, f.source());
            return null;
        }
        switch (kind) {
            case MESSAGE -> {
                int dest = Envelope.destinationTask(frame);
                synchronized (routeLock) {
                    // No older frame for us waits: we took those before pumping, and only the pump adds.
                    boolean mine = dest == myTask && myTask != NO_TASK && (mySource < 0 || mySource == f.source())
                            && (mySourceTask == CoreVirtualMachine.ANY_TASK || mySourceTask == Envelope.sourceTask(frame));
                    if (!mine) {
                        routeMessage(f, false);
                        return null;
                    }
                }
                return decodeMessage(f.source(), frame);
            }
            case SPAWN -> {
                synchronized (routeLock) {
                    spawnRequests.add(FrameBacklog.copyOf(f.source(), frame));
                    routeLock.notifyAll();
                }
            }
            case MIRROR -> folders.storeMirror((MirrorSet) codec.decode(Envelope.payload(frame)));
            case CLEAR_STORAGE -> {
                List<Path> inUse = new ArrayList<>();
                synchronized (routeLock) {
                    for (RunningTask t : running.values()) if (t.workDir() != null) inUse.add(t.workDir());
                }
                folders.clear(inUse);
            }
            case EXIT -> {
                synchronized (routeLock) {
                    exitRequested = true;
                    routeLock.notifyAll();
                }
            }
            default -> LOG.warn("dropped a {} frame from rank {}: workers do not take those", kind, f.source());
        }
        return null;
    }

    /** Applies the message rule to a frame not taken by the pumping task; routeLock held. */
    private void routeMessage(Frame f, boolean owned) {
        int dest = Envelope.destinationTask(f.payload());
        if (running.containsKey(dest)) {
            taskFrames.add(owned ? f : FrameBacklog.copyOf(f.source(), f.payload()));
            if (waiters > 0) routeLock.notifyAll();
        } else if (dest > highestTaskStarted) {
            hold(f, owned);
        } else if (debug > 1) {
            LOG.info("discarded a message from rank {} for ended task {}:{}", f.source(), rank, dest);
        }
    }

    private void hold(Frame f, boolean owned) {
        int size = f.payload().remaining();
        if (heldBytes + size > heldMaxBytes) {
            LOG.warn("dropped a message from rank {} for task {}:{}, which has not started: already holding {} bytes "
                    + "(raise {})", f.source(), rank, Envelope.destinationTask(f.payload()), heldBytes,
                    CoreVirtualMachine.HELD_MAX_BYTES_PROP_NAME);
            return;
        }
        held.add(owned ? f : FrameBacklog.copyOf(f.source(), f.payload()));
        heldBytes += size;
    }

    /** Moves frames held for task {@code number} to its queue and drops those for older tasks; routeLock held. */
    private void releaseHeld(int number) {
        for (Iterator<Frame> it = held.iterator(); it.hasNext(); ) {
            Frame lf = it.next();
            int dest = Envelope.destinationTask(lf.payload());
            if (dest <= number) {
                it.remove();
                heldBytes -= lf.payload().remaining();
                if (dest == number) taskFrames.add(lf);
            }
        }
    }

    private Received decodeMessage(int source, ByteBuffer frame) {
        TaskId sender = new TaskId(source, Envelope.sourceTask(frame));
        try {
            return new Received(sender, codec.decode(Envelope.payload(frame)));
        } catch (VmException e) {
            throw new VmException("a message from " + sender + " could not be decoded and was dropped: "
                    + e.getMessage(), e);
        }
    }

    /** Removes this worker's storage folder (unless folders are kept). */
    void close() {
        folders.close();
    }
}
