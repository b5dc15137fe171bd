package io.paravm.core;

import io.paravm.HostAdded;
import io.paravm.HostId;
import io.paravm.HostRemoved;
import io.paravm.Received;
import io.paravm.Task;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.TaskResult;
import io.paravm.VirtualMachine;
import io.paravm.VmClosedException;
import io.paravm.VmConfig;
import io.paravm.VmException;
import io.paravm.VmStatus;
import io.paravm.WorkerFinished;
import io.paravm.spi.Transport;
import io.paravm.spi.Transport.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one implementation of the virtual machine's semantics, over any {@link Transport}.
 *
 * <p>Message rule on a worker: see {@link SpawnLoop}. On the spawner, sending to an
 * ended or never-spawned task is an error, because the spawner knows.
 *
 * <p>Threads: receives are serialised by {@code receiveLock}, sends by {@code sendLock}
 * (one reusable direct frame buffer). Membership callbacks only queue and wake.
 */
final class CoreVirtualMachine implements VirtualMachine {

    private static final Logger LOG = LoggerFactory.getLogger(CoreVirtualMachine.class);
    private static final int NO_TASK = -1;
    /** Receive from any task of the given rank. */
    static final int ANY_TASK = Integer.MIN_VALUE;
    private static final TaskExit.Reason[] REASONS = TaskExit.Reason.values();

    /** Default of {@link #HELD_MAX_BYTES_PROP_NAME}: 256 MiB. */
    static final long HELD_MAX_BYTES_DEFAULT = 256L << 20;
    /** Bytes of messages a worker holds for tasks that have not started yet; beyond it they are dropped. */
    static final String HELD_MAX_BYTES_PROP_NAME = "paravm.core.held.max.bytes";

    private final Transport transport;
    private final Codec codec;
    private final int rank;
    private final String host;
    private final boolean spawner;
    private final SlotTable slots;        // spawner only
    private final int debug;
    private final String[] userArgs;
    private final long heldMaxBytes;

    private final ReentrantLock sendLock = new ReentrantLock();
    private final FrameWriter writer = new FrameWriter();
    private final ReentrantLock receiveLock = new ReentrantLock();
    /** Frames kept on this rank, in arrival order; guarded by itself. */
    private final FrameBacklog localFrames = new FrameBacklog();
    /** Ranks reported lost by the transport, not yet turned into messages. */
    private final ConcurrentLinkedQueue<Integer> lostRanks = new ConcurrentLinkedQueue<>();
    /** Spawner: messages made by the VM itself (lost tasks and hosts); guarded by receiveLock. */
    private final ArrayDeque<Received> vmEvents = new ArrayDeque<>();

    /** Worker only: the spawn loop, the running tasks and the routing of frames to them. */
    private final SpawnLoop worker;
    // Spawner only: the working environment sent with spawns.
    private final MirrorSource mirror;
    private final String startDir;
    private final boolean keepTaskFolders;
    private final Map<Integer, Integer> mirrorSent = new HashMap<>(); // rank -> MirrorSet version; guarded by sendLock

    private final AtomicBoolean closed = new AtomicBoolean();
    /** How long the spawner's close() waits for its EXIT frames to be taken. */
    private static final long EXIT_SEND_WAIT_MS = 5_000;
    /** Worker in a process of its own: ends the process if its spawner is lost while a task runs on. */
    private final OrphanWatch orphanWatch;

    CoreVirtualMachine(Transport transport, VmConfig config) {
        this.transport = transport;
        this.rank = transport.rank();
        this.host = transport.hostName();
        this.spawner = rank == 0;
        this.debug = config.debug();
        this.userArgs = transport.userArgs();
        this.heldMaxBytes = config.property(HELD_MAX_BYTES_PROP_NAME).map(Long::parseLong).orElse(HELD_MAX_BYTES_DEFAULT);
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        this.codec = new Codec(loader != null ? loader : CoreVirtualMachine.class.getClassLoader(), ClassAllowList.forVm(config));
        this.slots = spawner ? new SlotTable() : null;
        int workerSlots = config.property(VmConfig.WORKER_SLOTS_PROP_NAME).map(v -> parsePositive(v,
                VmConfig.WORKER_SLOTS_PROP_NAME)).orElse(1);
        this.worker = spawner ? null : new SpawnLoop(this, transport, codec, host, debug, workerSlots, heldMaxBytes,
                new TaskFolders(TaskFolders.rootFrom(config), ProcessHandle.current().pid(), rank, host));
        this.mirror = spawner ? MirrorSource.fromConfig(config) : null;
        this.startDir = config.property(VmConfig.START_DIR_PROP_NAME).orElse(null);
        this.keepTaskFolders = config.property(VmConfig.STORAGE_KEEP_PROP_NAME).map(Boolean::parseBoolean).orElse(false);
        this.orphanWatch = spawner || transport.ranksShareProcess() ? null : new OrphanWatch(rank, config
                .property(OrphanWatch.GRACE_MS_PROP_NAME).map(Long::parseLong).orElse(OrphanWatch.GRACE_MS_DEFAULT));
        transport.setMembershipListener(new Transport.MembershipListener() {
            @Override
            public void rankJoined(int joined) {
                // The new rank's HELLO frame carries what the spawner needs; nothing to do yet.
                LOG.debug("rank {} joined", joined);
            }

            @Override
            public void rankLost(int lost) {
                lostRanks.add(lost);
                transport.wakeup();
                if (lost == 0 && orphanWatch != null) orphanWatch.spawnerLost();
            }
        });
        if (spawner) {
            slots.addSpawner(host, Runtime.getRuntime().availableProcessors(), ProcessHandle.current().pid());
            awaitWorkers(config.startupTimeout());
        } else {
            send(0, FrameKind.HELLO, NO_TASK, 0,
                    new Hello(host, Runtime.getRuntime().availableProcessors(), ProcessHandle.current().pid(), workerSlots));
        }
        if (debug > 0) LOG.info("ParaVM rank {} of {} on {} open over {}", rank, transport.size(), host, transport.name());
    }

    private static int parsePositive(String value, String name) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new VmException(name + "=" + value + " is not a positive whole number; set it to 1 or more");
    }

    /** Waits for every rank known at start to say hello (PyOPUS's NCPU round). */
    private void awaitWorkers(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int last = transport.size() - 1;
        // A rank lost before its hello is not waited for; the lost-rank queue reports it later.
        while (!missingWorkers(last).isEmpty()) {
            long left = deadline - System.nanoTime();
            Transport.Frame f = left > 0 ? transport.receive(Transport.ANY_SOURCE, left) : null;
            if (f == null) {
                if (System.nanoTime() - deadline >= 0) {
                    List<Integer> missing = missingWorkers(last);
                    throw new VmException("the spawner waited " + timeout.toSeconds() + " s for workers " + missing
                            + " to report in, in vain; check that every rank runs the same program and opens the VM "
                            + "(or raise VmConfig.startupTimeout)");
                }
                continue;
            }
            if (Envelope.kind(f.payload()) == FrameKind.HELLO) {
                Hello h = helloFrom(f.source(), f.payload());
                if (h != null) slots.addWorker(f.source(), h);
            } else {
                keepLocal(FrameBacklog.copyOf(f.source(), f.payload()));
            }
        }
    }

    private List<Integer> missingWorkers(int lastRank) {
        List<Integer> missing = new ArrayList<>();
        for (int r = 1; r <= lastRank; r++) if (!slots.isKnown(r) && !lostRanks.contains(r)) missing.add(r);
        return missing;
    }

    // ---------------------------------------------------------------- split

    @Override
    public void spawnerBarrier() {
        if (spawner) return;
        runWorkerLoop();
        if (transport.ranksShareProcess()) {
            throw new WorkerFinished(rank);
        }
        LOG.debug("worker rank {} exits", rank);
        System.exit(0); // DESIGN: a worker process ends when the spawner closes the VM
    }

    @Override
    public void runWorkerLoop() {
        ensureOpen("runWorkerLoop()");
        if (spawner) {
            throw new VmException("runWorkerLoop() is for workers, and this is the spawner (rank 0); "
                    + "call it only where isSpawner() is false, or use VirtualMachine.run(...)");
        }
        if (debug > 0) logToSpawner("worker rank " + rank + " on " + host + " entered the spawn loop"
                + (worker.slots() > 1 ? " with " + worker.slots() + " slots" : ""));
        try {
            worker.run();
            if (worker.spawnerGone() && !closed.get()) LOG.debug("worker rank {} leaves the spawn loop", rank);
        } finally {
            close();
        }
    }

    void sendExit(int number, TaskExit.Reason reason) {
        sendLock.lock();
        try {
            ByteBuffer buf = writer.start();
            Envelope.writeHeader(buf, FrameKind.TASK_EXIT, number, 0);
            buf.put((byte) reason.ordinal());
            transport.send(0, writer.finish());
        } finally {
            sendLock.unlock();
        }
    }

    // ---------------------------------------------------------------- identity

    @Override
    public boolean isSpawner() {
        return spawner;
    }

    @Override
    public String[] args() {
        return userArgs.clone();
    }

    @Override
    public String transportName() {
        return transport.name();
    }

    @Override
    public TaskId taskId() {
        return spawner ? new TaskId(0, 0) : new TaskId(rank, worker.callerTaskNumber());
    }

    @Override
    public TaskId parentTaskId() {
        return spawner ? TaskId.bad() : new TaskId(0, 0);
    }

    @Override
    public HostId hostId() {
        return new HostId(host);
    }

    @Override
    public Path workDir() {
        SpawnLoop.RunningTask t = spawner ? null : worker.callerTask();
        return t != null && t.workDir() != null ? t.workDir() : Path.of("").toAbsolutePath();
    }

    // ---------------------------------------------------------------- spawner only

    @Override
    public List<TaskId> spawnFunction(Task<?> task, int count, Collection<HostId> targets, boolean sendBack) {
        requireSpawner("spawnFunction(...)");
        if (task == null) {
            throw new VmException("spawnFunction: task is null; pass a Task such as worker -> compute(x)");
        }
        if (count < 0) {
            throw new VmException("spawnFunction: count " + count + " is negative; pass 0 or more (freeSlots() is "
                    + freeSlots() + ")");
        }
        List<Integer> ranks = slots.pickFree(count, targets);
        if (ranks.isEmpty()) return List.of();
        MirrorSet files = mirror == null ? null : mirror.current(); // reads the files before anything is sent
        List<TaskId> ids = new ArrayList<>(ranks.size());
        sendLock.lock();
        try {
            if (files != null) sendMirror(files, ranks);
            ByteBuffer buf = writer.start();
            Envelope.writeHeader(buf, FrameKind.SPAWN, 0, 0);
            codec.encode(new SpawnRequest(task, sendBack, startDir, files == null ? 0 : files.version(), keepTaskFolders),
                    writer); // fails before any spawn is sent
            ByteBuffer frame = writer.finish();
            for (int r : ranks) {
                int number = slots.newTaskNumber();
                frame.putInt(5, number).position(0); // the addressee is the new task
                // Booked before it is sent: another thread may receive its result before send() returns.
                slots.assign(r, number);
                try {
                    transport.send(r, frame);
                } catch (VmException e) {
                    slots.release(r, number);
                    if (ids.isEmpty()) throw e;
                    LOG.warn("spawn on rank {} failed after {} tasks were spawned: {}", r, ids.size(), e.getMessage());
                    break;
                }
                ids.add(new TaskId(r, number));
            }
        } finally {
            sendLock.unlock();
        }
        if (debug > 1) LOG.info("spawned {}", ids);
        return ids;
    }

    /** Sends the mirrored files to each rank that lacks this version; sendLock held. */
    private void sendMirror(MirrorSet files, List<Integer> ranks) {
        ByteBuffer frame = null;
        for (int r : new java.util.TreeSet<>(ranks)) {
            if (mirrorSent.getOrDefault(r, 0) == files.version()) continue;
            if (frame == null) {
                ByteBuffer buf = writer.start();
                Envelope.writeHeader(buf, FrameKind.MIRROR, 0, NO_TASK);
                codec.encode(files, writer);
                frame = writer.finish();
            }
            transport.send(r, frame.position(0));
            mirrorSent.put(r, files.version());
        }
    }

    @Override
    public void clearLocalStorage() {
        requireSpawner("clearLocalStorage()");
        sendLock.lock();
        try {
            mirrorSent.clear(); // workers drop their mirrored files too
            for (int r : slots.liveRanks()) {
                if (r == 0) continue;
                ByteBuffer buf = writer.start();
                Envelope.writeHeader(buf, FrameKind.CLEAR_STORAGE, 0, NO_TASK);
                transport.send(r, writer.finish());
            }
        } finally {
            sendLock.unlock();
        }
    }

    @Override
    public int slots() {
        requireSpawner("slots()");
        return slots.slotCount();
    }

    @Override
    public int freeSlots() {
        requireSpawner("freeSlots()");
        return slots.freeCount();
    }

    @Override
    public Set<Integer> freeSlotsSet() {
        requireSpawner("freeSlotsSet()");
        return Set.copyOf(slots.freeRanks());
    }

    @Override
    public Set<HostId> hostsWithFreeSlots() {
        requireSpawner("hostsWithFreeSlots()");
        return slots.hostsWithFree();
    }

    @Override
    public List<HostId> hosts() {
        requireSpawner("hosts()");
        return slots.hosts();
    }

    @Override
    public HostId hostId(TaskId task) {
        requireSpawner("hostId(TaskId)");
        if (task == null || task.rank() < 0) {
            throw new VmException("hostId: task " + task + " has no rank; pass an id from spawnFunction() or a Received.sender()");
        }
        return slots.hostOf(task.rank());
    }

    @Override
    public String formatSpawnerConfig() {
        requireSpawner("formatSpawnerConfig()");
        return slots.format();
    }

    @Override
    public VmStatus status() {
        requireSpawner("status()");
        return slots.status();
    }

    private void requireSpawner(String call) {
        ensureOpen(call);
        if (!spawner) {
            throw new VmException(call + " works only on the spawner (rank 0); this is worker rank " + rank
                    + (worker.callerTaskNumber() >= 0 ? " running task " + taskId() : "")
                    + ". Call it from the spawner's code: after spawnerBarrier(), or inside VirtualMachine.run(...)");
        }
    }

    // ---------------------------------------------------------------- messages

    @Override
    public void sendMessage(TaskId destination, Object message) {
        ensureOpen("sendMessage(...)");
        checkDestination(destination);
        send(destination.rank(), FrameKind.MESSAGE, spawner ? 0 : worker.callerTaskNumber(), destination.number(), message);
    }

    private void checkDestination(TaskId d) {
        if (d == null) throw new VmException("sendMessage: destination is null; use an id from spawnFunction() or Received.sender()");
        if (!d.isValid()) {
            throw new VmException("sendMessage: destination " + d + " is not a valid task id (rank and number must "
                    + "be >= 0); use an id from spawnFunction() or Received.sender()");
        }
        if (d.rank() == 0 && d.number() != 0) {
            throw new VmException("sendMessage: destination " + d + " does not exist; the spawner is task 0:0");
        }
        if (!spawner) {
            if (d.rank() >= transport.size()) {
                throw new VmException("sendMessage: destination " + d + " names rank " + d.rank() + ", outside [0, "
                        + transport.size() + ") of this VM");
            }
            return;
        }
        if (d.rank() == 0) return;
        if (!slots.isKnown(d.rank())) {
            throw new VmException("sendMessage: destination " + d + " names rank " + d.rank()
                    + ", which is not a slot of this VM; live ranks are " + slots.liveRanks());
        }
        if (slots.isLost(d.rank())) {
            throw new VmException("sendMessage: destination " + d + " is on rank " + d.rank()
                    + ", which was lost; its TaskExit(LOST) is or will be in receiveMessage()");
        }
        if (d.number() >= slots.everIssuedBelow()) {
            throw new VmException("sendMessage: task " + d + " was never spawned (task numbers issued so far are below "
                    + slots.everIssuedBelow() + "); use an id returned by spawnFunction()");
        }
        if (!slots.runs(d.rank(), d.number())) {
            List<TaskId> running = slots.runningTasks(d.rank());
            throw new VmException("sendMessage: task " + d + " has ended (or never ran on rank " + d.rank() + "); rank "
                    + d.rank() + (running.isEmpty() ? " is free" : " now runs " + running) + ". The message was not sent");
        }
    }

    void send(int destRank, FrameKind kind, int sourceTask, int destTask, Object payload) {
        sendLock.lock();
        try {
            ByteBuffer buf = writer.start();
            Envelope.writeHeader(buf, kind, sourceTask, destTask);
            codec.encode(payload, writer); // on failure nothing has been sent
            ByteBuffer frame = writer.finish();
            if (destRank == rank) {
                if (spawner) {
                    keepLocal(FrameBacklog.copyOf(rank, frame));
                    transport.wakeup();
                } else {
                    worker.keepLocal(FrameBacklog.copyOf(rank, frame));
                }
            } else {
                transport.send(destRank, frame);
            }
        } finally {
            sendLock.unlock();
        }
    }

    @Override
    public Optional<Received> receiveMessage(Duration timeout) {
        return receive(timeout, Transport.ANY_SOURCE, ANY_TASK, "receiveMessage(timeout)");
    }

    @Override
    public Optional<Received> receiveMessage(Duration timeout, TaskId from) {
        if (from == null || from.rank() < 0) {
            throw new VmException("receiveMessage: sender " + from + " has no rank; pass a task id, or call "
                    + "receiveMessage(timeout) to receive from anyone");
        }
        if (from.rank() >= transport.size()) {
            throw new VmException("receiveMessage: sender " + from + " names rank " + from.rank() + ", outside [0, "
                    + transport.size() + ")");
        }
        return receive(timeout, from.rank(), from.number(), "receiveMessage(timeout, from)");
    }

    /**
     * @param source     a rank, or any
     * @param sourceTask a task number on that rank, or {@link #ANY_TASK}: a rank may run several tasks
     */
    private Optional<Received> receive(Duration timeout, int source, int sourceTask, String call) {
        ensureOpen(call);
        if (timeout == null) throw new VmException(call + ": timeout is null; pass Duration.ofSeconds(-1) to block");
        long timeoutNanos = timeout.isNegative() ? -1 : saturatedNanos(timeout);
        if (!spawner) return worker.receive(timeoutNanos, source, sourceTask, call);
        long deadline = System.nanoTime() + Math.max(timeoutNanos, 0);
        receiveLock.lock();
        try {
            while (true) {
                ensureOpen(call);
                Received r;
                Frame local = pollLocal(source, sourceTask);
                if (local != null) {
                    r = handle(local.source(), local.payload());
                    if (r != null) return Optional.of(r);
                    continue;
                }
                Transport.Frame f = transport.receive(source, 0);
                if (f == null) {
                    r = nextVmEvent(source, sourceTask);
                    if (r != null) return Optional.of(r);
                    long wait = timeoutNanos;
                    if (timeoutNanos > 0) {
                        wait = deadline - System.nanoTime();
                        if (wait <= 0) return Optional.empty();
                    } else if (timeoutNanos == 0) {
                        return Optional.empty();
                    }
                    f = transport.receive(source, wait);
                    if (f == null) continue; // timed out or woken: look again, the deadline decides
                }
                if (sourceTask != ANY_TASK && Envelope.sourceTask(f.payload()) != sourceTask
                        && Envelope.kind(f.payload()) != FrameKind.LOG) {
                    keepLocal(FrameBacklog.copyOf(f.source(), f.payload())); // another task's, on the same rank
                    continue;
                }
                r = handle(f.source(), f.payload());
                if (r != null) return Optional.of(r);
            }
        } finally {
            receiveLock.unlock();
        }
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 2;
        }
    }

    @Override
    public boolean checkForIncoming() {
        return incoming(Transport.ANY_SOURCE);
    }

    @Override
    public boolean checkForIncoming(TaskId from) {
        if (from == null || from.rank() < 0) {
            throw new VmException("checkForIncoming: sender " + from + " has no rank; pass a task id, or call checkForIncoming()");
        }
        if (from.rank() >= transport.size()) { // an engine may treat probing a rank it lacks as fatal
            throw new VmException("checkForIncoming: sender " + from + " names rank " + from.rank() + ", outside [0, "
                    + transport.size() + ")");
        }
        return incoming(from.rank());
    }

    private boolean incoming(int source) {
        ensureOpen("checkForIncoming(...)");
        if (!spawner) return worker.hasTaskFrame(source) || transport.probe(source);
        synchronized (localFrames) {
            if (localFrames.contains(source)) return true;
        }
        if (spawner && source < 0 && (!lostRanks.isEmpty() || !vmEvents.isEmpty())) return true;
        return transport.probe(source);
    }

    @Override
    public void logToSpawner(String text) {
        ensureOpen("logToSpawner(...)");
        if (spawner) {
            LOG.info("{}", text);
        } else {
            logFrom(worker.callerTaskNumber(), text);
        }
    }

    /** Worker: sends a line for the spawner's log on behalf of task {@code number}. */
    void logFrom(int number, String text) {
        send(0, FrameKind.LOG, number, 0, text);
    }

    // ---------------------------------------------------------------- frame handling

    /** Handles one frame; returns what the user receives, or null if it was consumed. */
    private Received handle(int source, ByteBuffer frame) {
        return handleSpawnerFrame(source, frame);
    }

    private Received handleSpawnerFrame(int source, ByteBuffer frame) {
        FrameKind kind = Envelope.kind(frame);
        if (kind == null) {
            LOG.warn("dropped a malformed frame of {} bytes from rank {}", frame.remaining(), source);
            return null;
        }
        int sourceTask = Envelope.sourceTask(frame);
        switch (kind) {
            case MESSAGE -> {
                if (Envelope.destinationTask(frame) != 0) {
                    LOG.warn("dropped a message from rank {} for task 0:{}, which does not exist", source,
                            Envelope.destinationTask(frame));
                    return null;
                }
                TaskId sender = new TaskId(source, sourceTask);
                Object message;
                try {
                    message = codec.decode(Envelope.payload(frame));
                } catch (VmException e) {
                    throw new VmException("a message from " + sender + " could not be decoded and was dropped: "
                            + e.getMessage(), e);
                }
                return new Received(sender, message);
            }
            case TASK_RESULT -> {
                TaskId sender = new TaskId(source, sourceTask);
                if (sourceTask <= 0 || !slots.isKnown(source) || !slots.runs(source, sourceTask)) {
                    LOG.warn("dropped a result from rank {} for task {}, which does not run there", source, sender);
                    return null;
                }
                Object result;
                try {
                    result = codec.decode(Envelope.payload(frame));
                } catch (VmException e) {
                    result = TaskResult.failed("the result of " + sender + " could not be decoded: " + e.getMessage());
                }
                return new Received(sender, result);
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
                if (debug > 1) LOG.info("task {} exited: {}", id, reason);
                return new Received(id, new TaskExit(id, reason));
            }
            case HELLO -> {
                Hello h = helloFrom(source, frame);
                if (h != null && slots.addWorker(source, h)) {
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
            default -> {
                LOG.warn("dropped a {} frame from rank {}: the spawner does not take those", kind, source);
                return null;
            }
        }
    }

    /** The HELLO a frame carries, or null (logged) if it carries none. */
    private Hello helloFrom(int source, ByteBuffer frame) {
        try {
            if (codec.decode(Envelope.payload(frame)) instanceof Hello h) return h;
            LOG.warn("dropped a hello from rank {} that carries no Hello", source);
        } catch (VmException e) {
            LOG.warn("dropped a hello from rank {} that could not be decoded: {}", source, e.getMessage());
        }
        return null;
    }

    private void keepLocal(Frame lf) {
        synchronized (localFrames) {
            localFrames.add(lf);
        }
    }

    private Frame pollLocal(int source, int sourceTask) {
        synchronized (localFrames) {
            if (sourceTask == ANY_TASK) return localFrames.poll(source);
            return localFrames.poll(source, f -> Envelope.sourceTask(f.payload()) == sourceTask);
        }
    }

    // ---------------------------------------------------------------- membership

    /** Turns lost ranks into messages (spawner) or notes the spawner's loss (worker). */
    void drainLostRanks() {
        Integer lost;
        while ((lost = lostRanks.poll()) != null) {
            if (!spawner) {
                if (lost == 0) worker.spawnerLost();
                continue;
            }
            String lostHost = slots.markLost(lost);
            if (lostHost == null) continue;
            List<Integer> tasks = slots.removeLost(lost);
            for (int task : tasks) {
                TaskId id = new TaskId(lost, task);
                vmEvents.add(new Received(id, new TaskExit(id, TaskExit.Reason.LOST)));
            }
            vmEvents.add(new Received(TaskId.bad(), new HostRemoved(new HostId(lostHost), List.of(lost))));
            LOG.warn("rank {} on {} was lost{}", lost, lostHost, tasks.isEmpty() ? "" : " with tasks " + tasks);
        }
    }

    private Received nextVmEvent(int source, int sourceTask) {
        drainLostRanks();
        for (Iterator<Received> it = vmEvents.iterator(); it.hasNext(); ) {
            Received r = it.next();
            if (source < 0 || (r.sender().rank() == source && (sourceTask == ANY_TASK || r.sender().number() == sourceTask))) {
                it.remove();
                return r;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- close

    void ensureOpen(String call) {
        if (closed.get()) {
            throw new VmClosedException(call + " on a closed virtual machine (rank " + rank + "); open a new one "
                    + "with VirtualMachines.open()");
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        try {
            if (spawner) askWorkersToExit();
        } finally {
            if (worker != null) worker.close();
            if (orphanWatch != null) orphanWatch.closed();
            transport.close();
            if (debug > 0) LOG.info("ParaVM rank {} closed", rank);
        }
    }

    /**
     * Sends EXIT to every live worker, on a thread of its own, waiting for it at most
     * {@link #EXIT_SEND_WAIT_MS}: a worker whose only slot runs a task that never returns
     * does not take frames, and an engine may then never complete the send (MPJ's multicore
     * device; Hazelcast once its window is full). Such a worker is left to its launcher.
     */
    private void askWorkersToExit() {
        Thread asking = new Thread(() -> {
            for (int r : slots.liveRanks()) {
                if (r == 0) continue;
                try {
                    sendLock.lock();
                    try {
                        ByteBuffer buf = writer.start();
                        Envelope.writeHeader(buf, FrameKind.EXIT, 0, NO_TASK);
                        transport.send(r, writer.finish());
                    } finally {
                        sendLock.unlock();
                    }
                } catch (RuntimeException e) {
                    LOG.warn("could not ask rank {} to exit: {}", r, e.getMessage());
                }
            }
        }, "paravm-close-rank-0");
        asking.setDaemon(true);
        asking.start();
        try {
            asking.join(EXIT_SEND_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (asking.isAlive()) {
            LOG.warn("close(): a worker did not take its EXIT within {} ms (busy slots: {}); closing without it",
                    EXIT_SEND_WAIT_MS, slots.slotCount() - 1 - slots.freeCount());
        }
    }

    static ByteOrder order() {
        return ByteOrder.LITTLE_ENDIAN;
    }
}
