package io.paravm.core;

import io.paravm.HostId;
import io.paravm.Received;
import io.paravm.SlotId;
import io.paravm.Task;
import io.paravm.TaskEndedException;
import io.paravm.TaskId;
import io.paravm.VmConfig;
import io.paravm.VmException;
import io.paravm.VmStatus;
import io.paravm.spi.Transport;
import io.paravm.spi.Transport.Frame;
import io.paravm.spi.VmEventListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The spawner's VM, on rank 0: it waits for every worker's hello, spawns tasks into free
 * slots (with the files they mirror), keeps the bookkeeping of slots and hosts, and asks the
 * workers to exit when it closes. On an ended or never-spawned task a send is refused,
 * because the spawner knows.
 *
 * <pre>{@code
 * VirtualMachine vm = CoreVirtualMachine.open(transport, config);  // rank 0: this class
 * List<TaskId> ids = vm.spawnFunction(w -> 42, vm.freeSlots(), null, true);
 * }</pre>
 */
final class SpawnerVirtualMachine extends CoreVirtualMachine {

    private static final Logger LOG = LoggerFactory.getLogger(SpawnerVirtualMachine.class);
    /** How long close() waits for its EXIT frames to be taken. */
    private static final long EXIT_SEND_WAIT_MS = 5_000;
    /** The number the spawner's control frames carry as addressee: no task. */
    private static final int NO_TASK = -1;

    private final SlotTable slots = new SlotTable();
    private final SpawnerInbox inbox;
    // The working environment sent with spawns.
    private final MirrorSource mirror;
    private final String startDir;
    private final boolean keepTaskFolders;
    private final Map<Integer, Integer> mirrorSent = new HashMap<>(); // rank -> MirrorSet version; guarded by the send lock
    /** The live dashboard, if the configuration asked for one; closed with the VM. */
    private final AutoCloseable dashboard;

    SpawnerVirtualMachine(Transport transport, VmConfig config) {
        super(transport, config);
        this.inbox = new SpawnerInbox(channel, slots, debug, events);
        this.mirror = MirrorSource.fromConfig(config);
        this.startDir = config.property(VmConfig.START_DIR_PROP_NAME).orElse(null);
        this.keepTaskFolders = config.property(VmConfig.STORAGE_KEEP_PROP_NAME).map(Boolean::parseBoolean).orElse(false);
        channel.watchMembership(lost -> { }, inbox::rankLost);
        channel.routeUnclaimed(inbox::keepUnclaimed);
        slots.addSpawner(host, Runtime.getRuntime().availableProcessors(), ProcessHandle.current().pid());
        inbox.awaitWorkers(config.startupTimeout());
        // Before opened(): a dashboard that cannot start fails the open with nothing else to undo.
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        this.dashboard = DashboardStart.ifAsked(this, config, loader != null ? loader : getClass().getClassLoader());
        opened();
    }

    /** A first listener: every worker is asked for load samples (and each that joins later, see {@link SpawnerInbox}). */
    @Override
    void firstListener() {
        for (int r : slots.liveRanks()) {
            if (r == 0) continue;
            try {
                HostSampler.ask(channel, r);
            } catch (VmException e) {
                LOG.debug("could not ask rank {} for load samples: {}", r, e.getMessage());
            }
        }
    }

    @Override
    void keepOwn(Frame own) {
        inbox.keepOwn(own);
    }

    /** Ranks refused at their hello, each with the error logged for it. */
    Map<Integer, String> refusedRanks() {
        return inbox.refused();
    }

    // ---------------------------------------------------------------- the split and identity

    @Override
    public void spawnerBarrier() {
        // The spawner goes on past the barrier.
    }

    @Override
    public void runWorkerLoop() {
        ensureOpen("runWorkerLoop()");
        throw new VmException("runWorkerLoop() is for workers, and this is the spawner (rank 0); "
                + "call it only where isSpawner() is false, or use VirtualMachine.run(...)");
    }

    @Override
    public boolean isSpawner() {
        return true;
    }

    @Override
    public TaskId taskId() {
        return new TaskId(0, 0);
    }

    @Override
    public TaskId parentTaskId() {
        return TaskId.bad();
    }

    @Override
    public Path workDir() {
        return Path.of("").toAbsolutePath();
    }

    // ---------------------------------------------------------------- spawning

    @Override
    public List<TaskId> spawnFunction(Task<?> task, int count, Collection<HostId> targets, boolean sendBack) {
        ensureOpen("spawnFunction(...)");
        Objects.requireNonNull(task, "spawnFunction: task is null; pass a Task such as worker -> compute(x)");
        if (targets != null) {
            for (HostId h : targets) {
                Objects.requireNonNull(h, "spawnFunction: targets holds null; pass hosts from vm.hosts(), or null "
                        + "for any host");
            }
        }
        if (count < 0) {
            throw new VmException("spawnFunction: count " + count + " is negative; pass 0 or more (freeSlots() is "
                    + freeSlots() + ")");
        }
        List<Integer> ranks = slots.pickFree(count, targets);
        if (ranks.isEmpty()) return List.of();
        MirrorSet files = mirror == null ? null : mirror.current(); // reads the files before anything is sent
        List<TaskId> ids = channel.whileSending(writer -> {
            if (files != null) sendMirror(files, ranks, writer);
            ByteBuffer buf = writer.start();
            Envelope.writeHeader(buf, FrameKind.SPAWN, 0, 0);
            codec.encode(new SpawnRequest(task, sendBack, startDir, files == null ? 0 : files.version(), keepTaskFolders),
                    writer); // fails before any spawn is sent
            return sendSpawns(writer.finish(), ranks);
        });
        if (debug > 1) LOG.info("spawned {}", ids);
        return ids;
    }

    /** Sends one spawn frame to each picked slot's rank, readdressed to each new task; send lock held. */
    private List<TaskId> sendSpawns(ByteBuffer frame, List<Integer> ranks) {
        List<TaskId> ids = new ArrayList<>(ranks.size());
        for (int r : ranks) {
            int number = slots.newTaskNumber();
            Envelope.setDestinationTask(frame.position(0), number); // the addressee is the new task
            // Booked before it is sent: another thread may receive its result before send() returns.
            slots.assign(r, number);
            try {
                channel.transmit(r, frame);
            } catch (VmException e) {
                slots.release(r, number);
                if (ids.isEmpty()) throw e;
                LOG.warn("spawn on rank {} failed after {} tasks were spawned: {}", r, ids.size(), e.getMessage());
                break;
            }
            TaskId id = new TaskId(r, number);
            ids.add(id);
            VmEventListener l = events.listener();
            if (l != null) l.taskSpawned(id, slots.hostOf(r));
        }
        return ids;
    }

    /** Sends the mirrored files to each rank that lacks this version; send lock held. */
    private void sendMirror(MirrorSet files, List<Integer> ranks, FrameWriter writer) {
        ByteBuffer frame = null;
        for (int r : new TreeSet<>(ranks)) {
            if (mirrorSent.getOrDefault(r, 0) == files.version()) continue;
            if (frame == null) {
                ByteBuffer buf = writer.start();
                Envelope.writeHeader(buf, FrameKind.MIRROR, 0, NO_TASK);
                codec.encode(files, writer);
                frame = writer.finish();
            }
            channel.transmit(r, frame.position(0));
            mirrorSent.put(r, files.version());
        }
    }

    @Override
    public void clearLocalStorage() {
        ensureOpen("clearLocalStorage()");
        channel.whileSending(writer -> {
            mirrorSent.clear(); // workers drop their mirrored files too
            for (int r : slots.liveRanks()) {
                if (r != 0) channel.sendHeader(r, FrameKind.CLEAR_STORAGE, 0, NO_TASK);
            }
            return null;
        });
    }

    // ---------------------------------------------------------------- slots and hosts

    @Override
    public int slots() {
        ensureOpen("slots()");
        return slots.slotCount();
    }

    @Override
    public int freeSlots() {
        ensureOpen("freeSlots()");
        return slots.freeCount();
    }

    @Override
    public Set<SlotId> freeSlotsSet() {
        ensureOpen("freeSlotsSet()");
        // Hashed, in SlotId order: contains() of anything else (a rank, as code written before SlotId asks)
        // is false rather than a sorted set's ClassCastException.
        return Collections.unmodifiableSet(new LinkedHashSet<>(slots.freeSlots()));
    }

    @Override
    public Set<HostId> hostsWithFreeSlots() {
        ensureOpen("hostsWithFreeSlots()");
        return slots.hostsWithFree();
    }

    @Override
    public List<HostId> hosts() {
        ensureOpen("hosts()");
        return slots.hosts();
    }

    @Override
    public HostId hostId(TaskId task) {
        ensureOpen("hostId(TaskId)");
        Objects.requireNonNull(task, "hostId: task is null; pass an id from spawnFunction() or a Received.sender()");
        if (task.rank() < 0) {
            throw new VmException("hostId: task " + task + " has no rank; pass an id from spawnFunction() or a Received.sender()");
        }
        return slots.hostOf(task.rank());
    }

    @Override
    public String formatSpawnerConfig() {
        ensureOpen("formatSpawnerConfig()");
        return slots.format();
    }

    @Override
    public VmStatus status() {
        ensureOpen("status()");
        VmStatus st = slots.status(); // then the channel's counts: never the slot table's lock and the channel's at once
        long bound = channel.unreadBound();
        List<VmStatus.Slot> withUnread = new ArrayList<>(st.slots().size());
        for (VmStatus.Slot s : st.slots()) {
            long unread = s.isFree() || s.rank() == 0 ? 0 : channel.unreadAt(s.rank(), s.task().number());
            withUnread.add(new VmStatus.Slot(s.id(), s.host(), s.pid(), s.task(), unread, bound));
        }
        return new VmStatus(st.hosts(), withUnread);
    }

    // ---------------------------------------------------------------- messages

    @Override
    int senderTask() {
        return 0;
    }

    @Override
    void checkDestination(TaskId d) {
        if (d.rank() == 0) return;
        if (!slots.isKnown(d.rank())) {
            if (slots.wasLost(d.rank())) {
                throw new TaskEndedException("sendMessage: destination " + d + " was on rank " + d.rank()
                        + ", which was lost; its TaskExit(LOST) is or will be in receiveMessage(). The message was not sent");
            }
            throw new VmException("sendMessage: destination " + d + " names rank " + d.rank()
                    + ", which is not a slot of this VM; live ranks are " + slots.liveRanks());
        }
        if (d.number() >= slots.everIssuedBelow()) {
            throw new VmException("sendMessage: task " + d + " was never spawned (task numbers issued so far are below "
                    + slots.everIssuedBelow() + "); use an id returned by spawnFunction()");
        }
        if (!slots.runs(d.rank(), d.number())) {
            List<TaskId> running = slots.runningTasks(d.rank());
            throw new TaskEndedException("sendMessage: task " + d + " has ended (or never ran on rank " + d.rank()
                    + "); rank " + d.rank() + (running.isEmpty() ? " is free" : " now runs " + running)
                    + ". The message was not sent");
        }
    }

    @Override
    Optional<Received> receive(long timeoutNanos, int source, int sourceTask, String call) {
        return channel.receive(timeoutNanos, source, inbox.forCall(source, sourceTask), call);
    }

    @Override
    boolean incoming(int source, int sourceTask) {
        if (source < 0) return inbox.hasWaiting() || transport.probe(source);
        return inbox.incoming(source, sourceTask);
    }

    /** How many kept frames the spawner's receives have examined so far; for tests. */
    long framesExamined() {
        return inbox.framesExamined();
    }

    @Override
    public void logToSpawner(String text) {
        ensureOpen("logToSpawner(...)");
        LOG.info("{}", text);
    }

    // ---------------------------------------------------------------- close

    @Override
    void closeRole() {
        if (dashboard != null) {
            try {
                dashboard.close();
            } catch (Exception e) {
                LOG.warn("the dashboard did not stop cleanly: {}", e.toString());
            }
        }
        askWorkersToExit();
    }

    @Override
    void afterTransportClosed() {
        ClassDataDump.writeIfRequested(); // no worker waits for the spawner's finalize meanwhile
    }

    /**
     * Sends EXIT to every live or refused worker, on a thread of its own, waiting for it at most
     * {@link #EXIT_SEND_WAIT_MS}: a worker whose only slot runs a task that never returns
     * does not take frames, and an engine may then never complete the send (MPJ's multicore
     * device; Hazelcast once its window is full). Such a worker is left to its launcher.
     */
    private void askWorkersToExit() {
        Set<Integer> workers = new TreeSet<>(slots.liveRanks());
        workers.addAll(inbox.refused().keySet());
        workers.remove(0);
        Thread asking = new Thread(() -> {
            for (int r : workers) {
                try {
                    channel.sendHeader(r, FrameKind.EXIT, 0, NO_TASK);
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
}
