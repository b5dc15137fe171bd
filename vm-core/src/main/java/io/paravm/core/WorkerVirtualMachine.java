package io.paravm.core;

import io.paravm.HostId;
import io.paravm.Received;
import io.paravm.SlotId;
import io.paravm.Task;
import io.paravm.TaskId;
import io.paravm.VmConfig;
import io.paravm.VmException;
import io.paravm.VmStatus;
import io.paravm.spi.Transport;
import io.paravm.spi.Transport.Frame;
import io.paravm.core.TaskRouter.RunningTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A worker's VM, on every rank but 0: it says hello to the spawner, then runs the spawn loop
 * until the spawner says exit or is gone; the tasks it runs call this VM. A message to an
 * ended task cannot be refused here (only the spawner knows), so the {@link TaskRouter}'s
 * message rule applies. Spawner-only calls are refused, naming the call.
 *
 * <pre>{@code
 * VirtualMachine vm = CoreVirtualMachine.open(transport, config);  // rank > 0: this class
 * vm.runWorkerLoop();                                               // until the spawner closes the VM
 * }</pre>
 */
final class WorkerVirtualMachine extends CoreVirtualMachine {

    private static final Logger LOG = LoggerFactory.getLogger(WorkerVirtualMachine.class);

    /** Bytes of messages a worker holds for tasks that have not started yet; beyond it they are dropped. */
    static final String HELD_MAX_BYTES_PROP_NAME = "paravm.core.held.max.bytes";
    /** Default of {@link #HELD_MAX_BYTES_PROP_NAME}: 256 MiB. */
    static final long HELD_MAX_BYTES_DEFAULT = 256L << 20;

    private final TaskRouter router;
    private final SpawnLoop loop;
    /** Worker in a process of its own: ends the process if its spawner is lost while a task runs on. */
    private final OrphanWatch orphanWatch;
    /** Sends load samples to the spawner once it asks (it has a listener). */
    private final HostSampler sampler;

    WorkerVirtualMachine(Transport transport, VmConfig config) {
        super(transport, config);
        long heldMaxBytes = config.property(HELD_MAX_BYTES_PROP_NAME).map(Long::parseLong).orElse(HELD_MAX_BYTES_DEFAULT);
        int workerSlots = config.property(VmConfig.WORKER_SLOTS_PROP_NAME)
                .map(v -> parsePositive(v, VmConfig.WORKER_SLOTS_PROP_NAME)).orElse(1);
        TaskFolders folders = new TaskFolders(TaskFolders.rootFrom(config), ProcessHandle.current().pid(), rank, host);
        this.router = new TaskRouter(channel, debug, heldMaxBytes, folders);
        this.loop = new SpawnLoop(this, channel, router, host, debug, workerSlots, folders);
        this.sampler = new HostSampler(channel);
        router.onSamplesWanted(sampler::start);
        this.orphanWatch = transport.ranksShareProcess() ? null : new OrphanWatch(rank, config
                .property(OrphanWatch.GRACE_MILLIS_PROP_NAME).map(Long::parseLong).orElse(OrphanWatch.GRACE_MILLIS_DEFAULT));
        channel.watchMembership(lost -> {
            if (lost == 0 && orphanWatch != null) orphanWatch.spawnerLost();
        }, lost -> {
            if (lost == 0) router.spawnerLost();
        });
        channel.routeUnclaimed(f -> router.route(f, TaskRouter.NO_TASK, Transport.ANY_SOURCE, ANY_TASK));
        channel.send(0, FrameKind.HELLO, TaskRouter.NO_TASK, 0, new Hello(host, Runtime.getRuntime().availableProcessors(),
                ProcessHandle.current().pid(), workerSlots, codec.typeTableHash(), codec.describeTypeTable()));
        opened();
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

    @Override
    void keepOwn(Frame own) {
        router.keepOwn(own);
    }

    // ---------------------------------------------------------------- the split and identity

    @Override
    public void spawnerBarrier() {
        runWorkerLoop();
        WorkerProcessEnd.afterSpawnerClosed(rank, transport.ranksShareProcess());
    }

    @Override
    public void runWorkerLoop() {
        ensureOpen("runWorkerLoop()");
        if (debug > 0) logToSpawner("worker rank " + rank + " on " + host + " entered the spawn loop"
                + (loop.slots() > 1 ? " with " + loop.slots() + " slots" : ""));
        try {
            loop.run();
            if (router.spawnerGone() && !channel.isClosed()) LOG.debug("worker rank {} leaves the spawn loop", rank);
        } finally {
            close();
        }
    }

    @Override
    public boolean isSpawner() {
        return false;
    }

    @Override
    public TaskId taskId() {
        return new TaskId(rank, loop.callerTaskNumber());
    }

    @Override
    public TaskId parentTaskId() {
        return new TaskId(0, 0);
    }

    @Override
    public Path workDir() {
        Path dir = loop.callerWorkDir();
        return dir != null ? dir : Path.of("").toAbsolutePath();
    }

    // ---------------------------------------------------------------- messages

    @Override
    int senderTask() {
        return loop.callerTaskNumber();
    }

    @Override
    void checkDestination(TaskId d) {
        if (d.rank() >= transport.size()) {
            throw new VmException("sendMessage: destination " + d + " names rank " + d.rank() + ", outside [0, "
                    + transport.size() + ") of this VM");
        }
    }

    @Override
    Optional<Received> receive(long timeoutNanos, int source, int sourceTask, String call) {
        RunningTask me = loop.callerTask();
        if (me == null) {
            throw new VmException(call + " on worker rank " + rank + " outside any task: only a running task has "
                    + "messages; call it from the Task's code" + (loop.slots() > 1 ? " (on its own thread: this worker "
                    + "runs several tasks at once)" : ""));
        }
        return channel.receive(timeoutNanos, Transport.ANY_SOURCE, router.inboxFor(me, source, sourceTask), call);
    }

    @Override
    boolean incoming(int source, int sourceTask) {
        RunningTask me = loop.callerTask();
        if (me == null) return transport.probe(source);
        if (source < 0) return router.hasTaskFrame(me) || transport.probe(source);
        return router.incoming(me, source, sourceTask);
    }

    /** How many waiting frames the calling task's receives have examined so far (-1 outside a task); for tests. */
    long framesExamined() {
        RunningTask me = loop.callerTask();
        return me == null ? -1 : router.framesExamined(me);
    }

    @Override
    public void logToSpawner(String text) {
        ensureOpen("logToSpawner(...)");
        loop.logFrom(loop.callerTaskNumber(), text);
    }

    @Override
    void closeRole() {
        sampler.close();
        loop.close();
        if (orphanWatch != null) orphanWatch.closed();
    }

    // ---------------------------------------------------------------- spawner only: refused here

    private VmException spawnerOnly(String call) {
        ensureOpen(call);
        int task = loop.callerTaskNumber();
        return new VmException(call + " works only on the spawner (rank 0); this is worker rank " + rank
                + (task >= 0 ? " running task " + new TaskId(rank, task) : "")
                + ". Call it from the spawner's code: after spawnerBarrier(), or inside VirtualMachine.run(...)");
    }

    @Override
    public List<TaskId> spawnFunction(Task<?> task, int count, Collection<HostId> targets, boolean sendBack) {
        throw spawnerOnly("spawnFunction(...)");
    }

    @Override
    public int slots() {
        throw spawnerOnly("slots()");
    }

    @Override
    public int freeSlots() {
        throw spawnerOnly("freeSlots()");
    }

    @Override
    public Set<SlotId> freeSlotsSet() {
        throw spawnerOnly("freeSlotsSet()");
    }

    @Override
    public Set<HostId> hostsWithFreeSlots() {
        throw spawnerOnly("hostsWithFreeSlots()");
    }

    @Override
    public List<HostId> hosts() {
        throw spawnerOnly("hosts()");
    }

    @Override
    public HostId hostId(TaskId task) {
        throw spawnerOnly("hostId(TaskId)");
    }

    @Override
    public String formatSpawnerConfig() {
        throw spawnerOnly("formatSpawnerConfig()");
    }

    @Override
    public VmStatus status() {
        throw spawnerOnly("status()");
    }

    @Override
    public void clearLocalStorage() {
        throw spawnerOnly("clearLocalStorage()");
    }
}
