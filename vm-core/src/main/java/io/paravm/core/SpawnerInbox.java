package io.paravm.core;

import io.paravm.HostAdded;
import io.paravm.HostId;
import io.paravm.HostRemoved;
import io.paravm.Received;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.TaskResult;
import io.paravm.VirtualMachines;
import io.paravm.VmException;
import io.paravm.spi.Transport;
import io.paravm.spi.Transport.Frame;
import io.paravm.spi.HostSample;
import io.paravm.spi.VmEventListener;
import io.paravm.spi.VmEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the spawner makes of the frames it receives: workers' hellos (refusing a rank whose
 * wire types differ, or whose hello cannot be read), tasks' results and exits, log lines and user messages; the
 * frames kept for another of its threads; and the messages the VM makes itself when a rank
 * is lost. Its queues are guarded by the channel's {@link FrameChannel#receiveLock()}.
 *
 * <pre>{@code
 * inbox.awaitWorkers(config.startupTimeout());
 * Optional<Received> r = channel.receive(timeoutNanos, source, inbox.forCall(source, sourceTask), call);
 * }</pre>
 */
final class SpawnerInbox {

    private static final Logger LOG = LoggerFactory.getLogger(SpawnerInbox.class);
    private static final TaskExit.Reason[] REASONS = TaskExit.Reason.values();

    private final FrameChannel channel;
    private final Codec codec;
    private final SlotTable slots;
    private final int debug;
    private final Object lock;
    /** Frames kept for a later receive (another task's, or this rank's own), by sending task and in arrival order. */
    private final SenderQueues<Frame> kept = new SenderQueues<>();
    /** Messages made by the VM itself (lost tasks and hosts). */
    private final ArrayDeque<Received> vmEvents = new ArrayDeque<>();
    /** Ranks refused at their hello, with why: they get no slot, and EXIT when the VM closes. */
    private final Map<Integer, String> refused = new TreeMap<>();
    /** The VM's listeners. */
    private final VmEvents events;
    /**
     * Tasks whose first frame the listeners were told of ({@link SenderQueues#key}); filled only
     * while someone listens. Concurrent: a receive's waiting() and the pump's arrived() both handle frames.
     */
    private final Set<Long> startedTasks = ConcurrentHashMap.newKeySet();

    SpawnerInbox(FrameChannel channel, SlotTable slots, int debug, VmEvents events) {
        this.channel = channel;
        this.events = events;
        this.codec = channel.codec();
        this.slots = slots;
        this.debug = debug;
        this.lock = channel.receiveLock();
    }

    /** Keeps a frame the spawner sent itself; lock held. */
    void keepOwn(Frame own) {
        keep(own);
    }

    /** Keeps a frame that stays valid (a copy, or this rank's own) under its sending task; lock held. */
    private void keep(Frame f) {
        kept.add(Envelope.senderKey(f.source(), f.payload()), f);
    }

    /** Keeps a copy of a frame the transport delivered, and wakes the threads waiting for one. */
    private void keepCopy(Frame f) {
        channel.handOver(() -> keep(FrameBacklog.copyOf(f.source(), f.payload())));
    }

    /** A frame taken while the caller waits for something else (credit): a log line is logged now, the rest kept. */
    void keepUnclaimed(Frame f) {
        if (forNobody(Envelope.kind(f.payload()))) handle(f.source(), f.payload());
        else keepCopy(f);
    }

    /** Frames no receive waits for, handled whichever thread takes them: log lines and load samples. */
    private static boolean forNobody(FrameKind kind) {
        return kind == FrameKind.LOG || kind == FrameKind.SAMPLE;
    }

    /** How many kept frames the spawner's receives have examined so far (see {@link SenderQueues#examined()}); for tests. */
    long framesExamined() {
        synchronized (lock) {
            return kept.examined();
        }
    }

    /** Ranks refused at their hello, each with the error logged for it. */
    Map<Integer, String> refused() {
        synchronized (lock) {
            return Map.copyOf(refused);
        }
    }

    // ---------------------------------------------------------------- start

    /** Waits for every rank known at start to say hello (PyOPUS's NCPU round), or to be lost or refused. */
    void awaitWorkers(Duration timeout) {
        int last = channel.transport().size() - 1;
        FrameChannel.Inbox<Boolean> hellos = new FrameChannel.Inbox<>() {
            @Override
            public Boolean waiting() {
                return missingWorkers(last).isEmpty() ? Boolean.TRUE : null;
            }

            @Override
            public Boolean arrived(Frame f) {
                if (Envelope.kind(f.payload()) == FrameKind.HELLO) {
                    Hello h = helloFrom(f.source(), f.payload());
                    if (h != null) admit(f.source(), h);
                } else {
                    keepCopy(f);
                }
                return null;
            }
        };
        long nanos = timeout.toNanos();
        if (channel.receive(nanos, Transport.ANY_SOURCE, hellos, "VirtualMachines.open()").isEmpty()) {
            throw new VmException("the spawner waited " + timeout.toSeconds() + " s for workers " + missingWorkers(last)
                    + " to report in, in vain; check that every rank runs the same program and opens the VM "
                    + "(or raise VmConfig.startupTimeout)");
        }
    }

    private List<Integer> missingWorkers(int lastRank) {
        List<Integer> missing = new ArrayList<>();
        synchronized (lock) {
            for (int r = 1; r <= lastRank; r++) {
                if (!slots.isKnown(r) && !slots.wasLost(r) && !refused.containsKey(r)) missing.add(r);
            }
        }
        return missing;
    }

    /**
     * The HELLO a frame carries, or null if it carries none. A rank whose hello cannot be read
     * runs another version of ParaVM (another {@link Hello}, or other core wire types): it is
     * refused at once, with the fix, rather than left for the start's timeout to name.
     */
    private Hello helloFrom(int source, ByteBuffer frame) {
        String why;
        try {
            if (codec.decode(Envelope.payload(frame)) instanceof Hello h) return h;
            why = "its hello carries no Hello";
        } catch (VmException e) {
            why = "its hello could not be decoded (" + e.getMessage() + ")";
        }
        if (slots.isKnown(source)) {
            LOG.warn("dropped another hello from rank {}, already known: {}", source, why);
        } else {
            refuse(source, "refused rank " + source + ": " + why + ", so it most likely "
                    + "runs another version of ParaVM than the spawner. Put the same ParaVM jars, at the same "
                    + "versions, on every rank's class path [" + VirtualMachines.ERROR_CODES_URL
                    + "#type-table-mismatch]");
        }
        return null;
    }

    /** Refuses {@code source} for good, logging {@code why} the first time. */
    private void refuse(int source, String why) {
        boolean first;
        synchronized (lock) {
            first = refused.putIfAbsent(source, why) == null;
        }
        if (first) LOG.error(why);
    }

    /**
     * Adds a worker's slots, unless the rank is known already or its wire types differ from the
     * spawner's, types or layouts (then neither could read the other's frames: it is refused).
     *
     * @return whether the rank joined
     */
    private boolean admit(int source, Hello h) {
        if (slots.isKnown(source)) return false;
        if (h.typeTableHash() != codec.typeTableHash()) {
            String spawners = codec.describeTypeTable();
            String why = "refused rank " + source + " on " + h.host() + ": its wire types differ from the spawner's, "
                    + "so neither could read the other's frames. Only rank " + source + " has: "
                    + CodecTypeTable.onlyIn(h.typeTable(), spawners) + "; only the spawner has: "
                    + CodecTypeTable.onlyIn(spawners, h.typeTable()) + ". Put the same ParaVM jars, at the same "
                    + "versions, on every rank's class path [" + VirtualMachines.ERROR_CODES_URL + "#type-table-mismatch]";
            refuse(source, why);
            return false;
        }
        if (!slots.addWorker(source, h)) return false;
        synchronized (lock) {
            refused.remove(source);
        }
        VmEventListener l = events.listener();
        if (l != null) {
            l.hostAdded(new HostId(h.host()), source, Math.max(1, h.slots()));
            HostSampler.ask(channel, source); // those there before the first listener were asked then
        }
        return true;
    }

    /** Tells the listeners that task {@code sourceTask} of rank {@code source} runs, at its first frame. */
    private void started(VmEventListener l, int source, int sourceTask) {
        if (sourceTask > 0 && startedTasks.add(SenderQueues.key(source, sourceTask))) {
            l.taskStarted(new TaskId(source, sourceTask));
        }
    }

    // ---------------------------------------------------------------- receiving

    /** What a receive on the spawner waits for: a message from {@code source} ({@code sourceTask}), or any. */
    FrameChannel.Inbox<Received> forCall(int source, int sourceTask) {
        return new FrameChannel.Inbox<>() {
            @Override
            public Received waiting() {
                for (Frame f; (f = pollKept(source, sourceTask)) != null; ) {
                    Received r = handle(f.source(), f.payload());
                    if (r != null) return r;
                }
                return null;
            }

            @Override
            public Received arrived(Frame f) {
                if (sourceTask != CoreVirtualMachine.ANY_TASK && Envelope.sourceTask(f.payload()) != sourceTask
                        && !forNobody(Envelope.kind(f.payload()))) {
                    keepCopy(f); // another task's, on the same rank
                    return null;
                }
                return handle(f.source(), f.payload());
            }

            @Override
            public Received nothingArrived() {
                return nextVmEvent(source, sourceTask);
            }
        };
    }

    /** The oldest frame kept from task {@code sourceTask} of rank {@code source}, or from anyone; lock held. */
    private Frame pollKept(int source, int sourceTask) {
        return source < 0 ? kept.pollAny() : kept.poll(SenderQueues.key(source, sourceTask));
    }

    /** Whether something waits here for a receive from anyone (the transport is asked by the caller). */
    boolean hasWaiting() {
        synchronized (lock) {
            return !kept.isEmpty() || channel.hasLostRanks() || !vmEvents.isEmpty();
        }
    }

    /**
     * Whether a receive from task {@code sourceTask} of rank {@code source} has something to
     * take: a frame kept from that task, its exit made by the VM, or a frame from it still in
     * the transport. Frames from that rank are moved from the transport to the frames kept
     * here, each under its own task, so another task's frame on the same rank does not count.
     */
    boolean incoming(int source, int sourceTask) {
        FrameChannel.Inbox<Boolean> check = new FrameChannel.Inbox<>() {
            @Override
            public Boolean waiting() {
                return kept.contains(SenderQueues.key(source, sourceTask)) || hasVmEvent(source, sourceTask) ? Boolean.TRUE
                        : null;
            }

            @Override
            public Boolean arrived(Frame f) {
                if (forNobody(Envelope.kind(f.payload()))) {
                    handle(f.source(), f.payload()); // logged (or told) at once, as a receive does
                    return null;
                }
                keepCopy(f);
                return Envelope.senderKey(f.source(), f.payload()) == SenderQueues.key(source, sourceTask) ? Boolean.TRUE
                        : null;
            }
        };
        synchronized (lock) {
            if (check.waiting() != null) return true;
        }
        return channel.transport().probe(source)
                && channel.receive(0, source, check, "checkForIncoming(from)").isPresent();
    }

    /** Handles one frame; returns what the user receives, or null if it was consumed. */
    private Received handle(int source, ByteBuffer frame) {
        FrameKind kind = FrameChannel.kindOrWarn(source, frame);
        if (kind == null) return null;
        int sourceTask = Envelope.sourceTask(frame);
        VmEventListener l = events.listener();
        if (l != null && kind != FrameKind.SAMPLE && kind != FrameKind.HELLO) started(l, source, sourceTask);
        switch (kind) {
            case MESSAGE -> {
                if (Envelope.destinationTask(frame) != 0) {
                    LOG.warn("dropped a message from rank {} for task 0:{}, which does not exist", source,
                            Envelope.destinationTask(frame));
                    return null;
                }
                return channel.decodeMessage(source, frame);
            }
            case TASK_RESULT -> {
                return result(l, source, sourceTask, Envelope.payload(frame));
            }
            case TASK_END -> {
                ByteBuffer p = Envelope.payload(frame);
                if (!p.hasRemaining()) {
                    LOG.warn("dropped an end of task {} from rank {} without its exit reason", sourceTask, source);
                    return null;
                }
                Received r = result(l, source, sourceTask, p.duplicate().position(p.position() + 1).slice().order(p.order()));
                if (r != null) exitNext(source, sourceTask, p.get(p.position()));
                return r;
            }
            case TASK_EXIT -> {
                ByteBuffer p = Envelope.payload(frame);
                int code = p.hasRemaining() ? p.get(0) : 0;
                TaskExit.Reason reason = code >= 0 && code < REASONS.length ? REASONS[code] : TaskExit.Reason.FAILED;
                TaskId id = new TaskId(source, sourceTask);
                if (sourceTask <= 0 || !slots.release(source, sourceTask)) {
                    LOG.warn("dropped an exit from rank {} for task {}, which does not run there", source, id);
                    return null;
                }
                channel.destinationEnded(source, sourceTask); // no credit will come from it
                if (debug > 1) LOG.info("task {} exited: {}", id, reason);
                if (l != null) {
                    l.taskExited(id, reason);
                    startedTasks.remove(SenderQueues.key(source, sourceTask));
                } else if (!startedTasks.isEmpty()) {
                    startedTasks.remove(SenderQueues.key(source, sourceTask)); // its listener has gone since
                }
                return new Received(id, new TaskExit(id, reason));
            }
            case HELLO -> {
                Hello h = helloFrom(source, frame);
                if (h != null && admit(source, h)) {
                    LOG.info("rank {} on {} joined the VM", source, h.host());
                    return new Received(TaskId.bad(), new HostAdded(new HostId(h.host()), List.of(source)));
                }
                return null;
            }
            case LOG -> {
                Object text;
                try {
                    text = codec.decode(Envelope.payload(frame));
                } catch (VmException e) {
                    LOG.warn("dropped a log line from rank {} that could not be decoded: {}", source, e.getMessage());
                    return null;
                }
                LOG.info("[{} {}] {}", new TaskId(source, sourceTask), slots.isKnown(source) ? slots.hostOf(source) : "?", text);
                return null;
            }
            case SAMPLE -> {
                if (l != null && slots.isKnown(source)) {
                    HostSample s = HostSampler.read(frame, source, slots.hostOf(source));
                    if (s != null) l.hostSampled(s);
                }
                return null;
            }
            default -> {
                LOG.warn("dropped a {} frame from rank {}: the spawner does not take those", kind, source);
                return null;
            }
        }
    }

    /** A task's result, as its receiver gets it, or null (logged) if the task does not run there. */
    private Received result(VmEventListener l, int source, int sourceTask, ByteBuffer payload) {
        TaskId sender = new TaskId(source, sourceTask);
        if (sourceTask <= 0 || !slots.isKnown(source) || !slots.runs(source, sourceTask)) {
            LOG.warn("dropped a result from rank {} for task {}, which does not run there", source, sender);
            return null;
        }
        Object result;
        try {
            result = codec.decode(payload);
        } catch (VmException e) {
            result = TaskResult.failed("the result of " + sender + " could not be decoded: " + e.getMessage());
        }
        if (l != null && result instanceof TaskResult tr) l.taskResult(sender, tr);
        return new Received(sender, result);
    }

    /**
     * Keeps the exit that came with a task's result ({@link FrameKind#TASK_END}) as the next
     * frame from that task: the receive after the result takes it, and frees the slot, as if a
     * {@link FrameKind#TASK_EXIT} frame had come right behind the result.
     */
    private void exitNext(int source, int sourceTask, byte reason) {
        ByteBuffer exit = ByteBuffer.allocate(Envelope.HEADER_BYTES + 1).order(ByteOrder.LITTLE_ENDIAN);
        Envelope.writeHeader(exit, FrameKind.TASK_EXIT, sourceTask, 0);
        exit.put(reason).flip();
        channel.handOver(() -> keep(new Frame(source, exit)));
    }

    // ---------------------------------------------------------------- lost ranks

    /** Turns a lost rank into messages: a TaskExit(LOST) per task it ran, then HostRemoved. */
    void rankLost(int lost) {
        synchronized (lock) {
            refused.remove(lost); // a newcomer that gets the number (Hazelcast) is judged by its own hello
        }
        String lostHost = slots.markLost(lost);
        if (lostHost == null) return;
        List<Integer> tasks = slots.removeLost(lost);
        synchronized (lock) {
            for (int task : tasks) {
                TaskId id = new TaskId(lost, task);
                vmEvents.add(new Received(id, new TaskExit(id, TaskExit.Reason.LOST)));
            }
            vmEvents.add(new Received(TaskId.bad(), new HostRemoved(new HostId(lostHost), List.of(lost))));
        }
        VmEventListener l = events.listener();
        if (l != null) {
            for (int task : tasks) {
                l.taskExited(new TaskId(lost, task), TaskExit.Reason.LOST);
                startedTasks.remove(SenderQueues.key(lost, task));
            }
            l.hostRemoved(new HostId(lostHost), lost);
        }
        LOG.warn("rank {} on {} was lost{}", lost, lostHost, tasks.isEmpty() ? "" : " with tasks " + tasks);
    }

    private Received nextVmEvent(int source, int sourceTask) {
        synchronized (lock) {
            for (Iterator<Received> it = vmEvents.iterator(); it.hasNext(); ) {
                Received r = it.next();
                if (isFrom(r, source, sourceTask)) {
                    it.remove();
                    return r;
                }
            }
            return null;
        }
    }

    /** Whether a message made by the VM waits from task {@code sourceTask} of rank {@code source}; lock held. */
    private boolean hasVmEvent(int source, int sourceTask) {
        for (Received r : vmEvents) if (isFrom(r, source, sourceTask)) return true;
        return false;
    }

    private static boolean isFrom(Received r, int source, int sourceTask) {
        return source < 0 || (r.sender().rank() == source
                && (sourceTask == CoreVirtualMachine.ANY_TASK || r.sender().number() == sourceTask));
    }
}
