package io.paravm.core;

import io.paravm.Received;
import io.paravm.TaskId;
import io.paravm.VmClosedException;
import io.paravm.spi.Transport;
import io.paravm.spi.Transport.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A worker's tasks and the routing of the frames its rank receives to them: which tasks run,
 * the messages waiting for each, the spawn requests waiting for a slot, and whether the
 * spawner said exit or is gone. Everything here is guarded by the channel's
 * {@link FrameChannel#receiveLock()}.
 *
 * <p>Message rule: a message addressed to a running task is delivered; one addressed to a
 * task number above any started here is held until that task starts (a worker may message a
 * task whose spawn request has not reached its rank yet); one addressed to an ended task is
 * discarded, as in PyOPUS.
 *
 * <pre>{@code
 * Optional<Received> r = channel.receive(timeoutNanos, Transport.ANY_SOURCE,
 *         router.inboxFor(task, source, sourceTask), "receiveMessage(timeout)");
 * }</pre>
 */
final class TaskRouter {

    private static final Logger LOG = LoggerFactory.getLogger(TaskRouter.class);
    /** The number a worker's frames carry when no task sends or is addressed. */
    static final int NO_TASK = -1;

    /**
     * A task running on this worker, and the messages waiting for it, by sending task (guarded by
     * the lock). A class, not a record: its folder is set once it is made, without a second object
     * per task.
     */
    static final class RunningTask {
        private final int number;
        private final TaskId id;
        private final SenderQueues<Frame> frames;
        private final TaskInbox fromAnyone;
        private volatile Path workDir;

        RunningTask(int number, TaskId id, SenderQueues<Frame> frames, TaskInbox fromAnyone) {
            this.number = number;
            this.id = id;
            this.frames = frames;
            this.fromAnyone = fromAnyone;
        }

        int number() {
            return number;
        }

        TaskId id() {
            return id;
        }

        /** The folder the task runs in, or null before it is prepared. */
        Path workDir() {
            return workDir;
        }

        SenderQueues<Frame> frames() {
            return frames;
        }

        TaskInbox fromAnyone() {
            return fromAnyone;
        }
    }

    private final FrameChannel channel;
    private final int rank;
    private final int debug;
    private final long heldMaxBytes;
    private final TaskFolders folders;

    private final Object lock;
    private final Map<Integer, RunningTask> running = new HashMap<>();
    private final ArrayDeque<Frame> spawnRequests = new ArrayDeque<>();
    private final List<Frame> held = new ArrayList<>();
    private long heldBytes;
    private int highestTaskStarted;
    private volatile boolean exitRequested;
    private volatile boolean spawnerLost;
    /** The one running task, for threads a task started itself; null when none or several run. */
    private volatile RunningTask soleTask;

    TaskRouter(FrameChannel channel, int debug, long heldMaxBytes, TaskFolders folders) {
        this.channel = channel;
        this.rank = channel.transport().rank();
        this.debug = debug;
        this.heldMaxBytes = heldMaxBytes;
        this.folders = folders;
        this.lock = channel.receiveLock();
    }

    /** The one running task, or null when none or several run. */
    RunningTask soleTask() {
        return soleTask;
    }

    boolean spawnerGone() {
        return exitRequested || spawnerLost;
    }

    /** The spawner is gone: whoever waits here is woken. */
    void spawnerLost() {
        synchronized (lock) {
            spawnerLost = true;
            lock.notifyAll();
        }
    }

    // ---------------------------------------------------------------- tasks

    /** The next spawn request if one waits and fewer than {@code slots} tasks run, or null; lock held. */
    Frame nextSpawnRequest(int slots) {
        return running.size() < slots ? spawnRequests.poll() : null;
    }

    /** Registers the task a spawn request starts as running; lock held. */
    RunningTask start(Frame spawnFrame) {
        int number = Envelope.destinationTask(spawnFrame.payload());
        highestTaskStarted = Math.max(highestTaskStarted, number);
        TaskId id = new TaskId(rank, number);
        SenderQueues<Frame> frames = new SenderQueues<>();
        RunningTask t = new RunningTask(number, id, frames,
                new TaskInbox(number, id, frames, Transport.ANY_SOURCE, CoreVirtualMachine.ANY_TASK));
        running.put(number, t);
        soleTask = running.size() == 1 ? t : null;
        releaseHeld(number);
        return t;
    }

    /** Records the folder a task runs in. */
    void setWorkDir(RunningTask t, Path dir) {
        t.workDir = dir; // volatile: the folder sweep reads it under the lock from another thread
    }

    /** The task has ended: its slot is free and messages still waiting for it are discarded (with its queue). */
    void end(RunningTask t) {
        synchronized (lock) {
            running.remove(t.number());
            soleTask = running.size() == 1 ? running.values().iterator().next() : null;
            if (!spawnRequests.isEmpty()) channel.wakePump(); // a pumping loop may wait for this slot
            lock.notifyAll();
        }
        channel.readerEnded(t.number()); // its unread messages are discarded: their senders forget it
    }

    List<TaskId> running() {
        synchronized (lock) {
            return running.values().stream().map(RunningTask::id).sorted().toList();
        }
    }

    // ---------------------------------------------------------------- receiving in a task

    /** What task {@code me} waits for: a message from {@code source} (and {@code sourceTask}), or any. */
    FrameChannel.Inbox<Received> inboxFor(RunningTask me, int source, int sourceTask) {
        // a task's receives reuse its inboxes (from anyone, and from the sender it last named):
        // nothing is allocated per message
        return source < 0 ? me.fromAnyone() : me.fromAnyone().from(source, sourceTask);
    }

    /** Receives for one task: from its kept frames first, then routing what the transport delivers. */
    final class TaskInbox implements FrameChannel.Inbox<Received> {
        private final int number;
        private final TaskId id;
        private final SenderQueues<Frame> frames;
        private final int source;
        private final int sourceTask;
        /** The inbox for the sender this task last named; immutable, so threads of one task may share it. */
        private volatile TaskInbox lastNamed;

        TaskInbox(int number, TaskId id, SenderQueues<Frame> frames, int source, int sourceTask) {
            this.number = number;
            this.id = id;
            this.frames = frames;
            this.source = source;
            this.sourceTask = sourceTask;
        }

        /** This task's inbox for messages from task {@code sourceTask} of rank {@code source}. */
        TaskInbox from(int source, int sourceTask) {
            TaskInbox last = lastNamed;
            if (last != null && last.source == source && last.sourceTask == sourceTask) return last;
            last = new TaskInbox(number, id, frames, source, sourceTask);
            lastNamed = last;
            return last;
        }

        @Override
        public Received waiting() {
            Frame mine = source < 0 ? frames.pollAny() : frames.poll(SenderQueues.key(source, sourceTask));
            if (mine != null) return channel.decodeMessage(mine.source(), mine.payload());
            if (spawnerGone()) {
                throw new VmClosedException("the spawner " + (spawnerLost ? "is gone" : "closed the VM")
                        + " while task " + id + " was waiting for a message");
            }
            return null;
        }

        @Override
        public Received arrived(Frame frame) {
            return route(frame, number, source, sourceTask);
        }
    }

    /** Whether a message for task {@code me} from anyone waits here (the transport is asked by the caller). */
    boolean hasTaskFrame(RunningTask me) {
        synchronized (lock) {
            return !me.frames().isEmpty();
        }
    }

    /**
     * Whether a message for task {@code me} from task {@code sourceTask} of rank {@code source}
     * waits: kept here, or still in the transport. Frames from that rank are routed out of the
     * transport first, so another task's frame on the same rank does not count.
     */
    boolean incoming(RunningTask me, int source, int sourceTask) {
        long from = SenderQueues.key(source, sourceTask);
        FrameChannel.Inbox<Boolean> check = new FrameChannel.Inbox<>() {
            @Override
            public Boolean waiting() {
                return me.frames().contains(from) ? Boolean.TRUE : null;
            }

            @Override
            public Boolean arrived(Frame f) {
                route(f, NO_TASK, source, sourceTask); // routes, keeps or drops it: nothing comes back
                synchronized (lock) {
                    return waiting();
                }
            }
        };
        synchronized (lock) {
            if (check.waiting() != null) return true;
        }
        return channel.transport().probe(source)
                && channel.receive(0, source, check, "checkForIncoming(from)").isPresent();
    }

    /** How many waiting frames task {@code me}'s receives have examined so far; for tests. */
    long framesExamined(RunningTask me) {
        synchronized (lock) {
            return me.frames().examined();
        }
    }

    /** What a worker does when the spawner asks for load samples (the period in ms); set once, before frames flow. */
    private volatile java.util.function.IntConsumer samplesWanted = periodMillis -> { };

    void onSamplesWanted(java.util.function.IntConsumer start) {
        this.samplesWanted = start;
    }

    /** Keeps a frame this rank sent to one of its own tasks; lock held. */
    void keepOwn(Frame own) {
        routeMessage(own, true);
    }

    // ---------------------------------------------------------------- routing

    /**
     * Handles one frame from the transport; returns the message if it is for {@code myTask}
     * from {@code mySource}, or null once the frame is routed, kept or dropped.
     */
    Received route(Frame f, int myTask, int mySource, int mySourceTask) {
        ByteBuffer frame = f.payload();
        FrameKind kind = FrameChannel.kindOrWarn(f.source(), frame);
        if (kind == null) return null;
        if (kind != FrameKind.MESSAGE && f.source() != 0) {
            LOG.warn("dropped a {} frame from rank {}: only the spawner sends those to workers", kind, f.source());
            return null;
        }
        switch (kind) {
            case MESSAGE -> {
                int dest = Envelope.destinationTask(frame);
                synchronized (lock) {
                    // No older frame for us waits: we took those before pumping, and only the pump adds.
                    boolean mine = dest == myTask && myTask != NO_TASK && (mySource < 0 || mySource == f.source())
                            && (mySourceTask == CoreVirtualMachine.ANY_TASK || mySourceTask == Envelope.sourceTask(frame));
                    if (!mine) {
                        routeMessage(f, false);
                        return null;
                    }
                }
                return channel.decodeMessage(f.source(), frame);
            }
            case SPAWN -> channel.handOver(() -> spawnRequests.add(FrameBacklog.copyOf(f.source(), frame)));
            case MIRROR -> folders.storeMirror((MirrorSet) channel.codec().decode(Envelope.payload(frame)));
            case CLEAR_STORAGE -> {
                List<Path> inUse = new ArrayList<>();
                synchronized (lock) {
                    for (RunningTask t : running.values()) if (t.workDir() != null) inUse.add(t.workDir());
                }
                folders.clear(inUse);
            }
            case EXIT -> {
                synchronized (lock) {
                    exitRequested = true;
                    lock.notifyAll();
                }
            }
            case SAMPLES_WANTED -> samplesWanted.accept(Envelope.destinationTask(frame));
            default -> LOG.warn("dropped a {} frame from rank {}: workers do not take those", kind, f.source());
        }
        return null;
    }

    /** Applies the message rule to a frame not taken by the pumping task; lock held. */
    private void routeMessage(Frame f, boolean owned) {
        int dest = Envelope.destinationTask(f.payload());
        RunningTask to = running.get(dest);
        if (to != null) {
            to.frames().add(Envelope.senderKey(f.source(), f.payload()), owned ? f : FrameBacklog.copyOf(f.source(), f.payload()));
            channel.handedOver();
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
                    WorkerVirtualMachine.HELD_MAX_BYTES_PROP_NAME);
            return;
        }
        held.add(owned ? f : FrameBacklog.copyOf(f.source(), f.payload()));
        heldBytes += size;
    }

    /** Moves frames held for task {@code number} to its queue and drops those for older tasks; lock held. */
    private void releaseHeld(int number) {
        SenderQueues<Frame> queue = running.get(number).frames();
        for (Iterator<Frame> it = held.iterator(); it.hasNext(); ) {
            Frame lf = it.next();
            int dest = Envelope.destinationTask(lf.payload());
            if (dest <= number) {
                it.remove();
                heldBytes -= lf.payload().remaining();
                if (dest == number) queue.add(Envelope.senderKey(lf.source(), lf.payload()), lf);
            }
        }
    }
}
