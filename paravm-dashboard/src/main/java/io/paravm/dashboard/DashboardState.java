package io.paravm.dashboard;

import io.paravm.HostId;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.TaskResult;
import io.paravm.VmStatus;
import io.paravm.spi.FarmTaskEvent;
import io.paravm.spi.HostSample;
import io.paravm.spi.VmEventListener;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * What the page shows, kept up to date from the VM's events: counts, what each slot works on
 * and since when, one bucket per second of tasks ended and their durations, the latest
 * failures and losses, each rank's load and traffic. {@link #snapshot} turns it, with the
 * VM's own slot table, into a {@link Status}. Events come on the VM's threads, some with the
 * VM's locks held: each takes this object's lock briefly and never calls the VM; a snapshot
 * asks the VM first and takes the lock after, so the two never wait for each other.
 *
 * <pre>{@code
 * DashboardState state = new DashboardState((rank, counters) -> { });
 * vm.events().add(state);
 * Status now = state.snapshot(vm.status(), vm.transportName());
 * }</pre>
 */
final class DashboardState implements VmEventListener {

    /** Seconds of per-second points kept and shown. */
    static final int SERIES_SECONDS = 120;
    /** Failures and losses kept, newest first. */
    static final int KEPT = 50;
    /** The longest error text kept per failure, in characters. */
    static final int ERROR_CHARS = 16_000;
    /** The window tasks per second and the ETA are measured over, in seconds. */
    static final int RATE_SECONDS = 10;

    /** What a slot's task works on: a farm task (its words are made only for a snapshot). */
    private record Work(int index, int inputs, long sinceNanos) {
        String item() {
            return index < 0 ? "farm task" : "input " + index + " of " + inputs;
        }
    }

    /** One second's tasks. */
    private static final class Bucket {
        long ended;
        double sumMillis;
        double maxMillis;
    }

    private final long startMillis = System.currentTimeMillis();
    private final long startNanos = System.nanoTime();

    // Guarded by this.
    private long submitted, completed, failed, retried, timedOut, cancelled;
    private long spawned, finished, vmFailed, vmLost;
    private final TreeMap<Long, Bucket> seconds = new TreeMap<>();
    private final ArrayDeque<Status.Failure> failures = new ArrayDeque<>();
    private final ArrayDeque<Status.Lost> lost = new ArrayDeque<>();
    /** The farms' worker tasks: their own ends are not tasks of the user's. */
    private final Set<TaskId> farmWorkers = new HashSet<>();
    private final Map<TaskId, Long> spawnedAt = new LinkedHashMap<>();
    private final Map<TaskId, Work> farmWork = new LinkedHashMap<>();
    private final Map<Integer, HostSample> samples = new TreeMap<>();
    private final Map<Integer, Long> sampledAt = new TreeMap<>();

    /** Frames per rank: sent, bytes sent, received, bytes received. Not under the lock: frames are many. */
    private final ConcurrentHashMap<Integer, LongAdder[]> traffic = new ConcurrentHashMap<>();
    /** Told of each rank's counters when its first frame comes (the meters read them: frames are counted once). */
    private final BiConsumer<Integer, LongAdder[]> newRank;

    /** @param newRank told of each rank's frame counters (sent, bytes sent, received, bytes received) when they are made */
    DashboardState(BiConsumer<Integer, LongAdder[]> newRank) {
        this.newRank = newRank;
    }

    // ---------------------------------------------------------------- events

    @Override
    public synchronized void taskSpawned(TaskId task, HostId host) {
        spawned++;
        spawnedAt.put(task, System.nanoTime());
    }

    @Override
    public synchronized void taskResult(TaskId task, TaskResult result) {
        if (!result.success()) failure(task.toString(), null, result.error());
    }

    @Override
    public synchronized void taskExited(TaskId task, TaskExit.Reason reason) {
        Long since = spawnedAt.remove(task);
        farmWork.remove(task);
        switch (reason) {
            case FINISHED -> finished++;
            case FAILED -> vmFailed++;
            case LOST -> {
                vmLost++;
                lost(millisNow(), "task", task.toString());
            }
        }
        if (!farmWorkers.remove(task) && since != null && reason != TaskExit.Reason.LOST) {
            ended(System.nanoTime() - since);
        }
    }

    @Override
    public synchronized void hostRemoved(HostId host, int rank) {
        lost(millisNow(), "host", host.name() + " (rank " + rank + ")");
        samples.remove(rank);
        sampledAt.remove(rank);
    }

    @Override
    public void frameSent(int rank, int bytes) {
        LongAdder[] c = trafficOf(rank);
        c[0].increment();
        c[1].add(bytes);
    }

    @Override
    public void frameReceived(int rank, int bytes) {
        LongAdder[] c = trafficOf(rank);
        c[2].increment();
        c[3].add(bytes);
    }

    private LongAdder[] trafficOf(int rank) {
        LongAdder[] c = traffic.get(rank);
        return c != null ? c : traffic.computeIfAbsent(rank, r -> {
            LongAdder[] made = {new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder()};
            newRank.accept(r, made);
            return made;
        });
    }

    @Override
    public synchronized void hostSampled(HostSample sample) {
        samples.put(sample.rank(), sample);
        sampledAt.put(sample.rank(), System.nanoTime());
    }

    @Override
    public synchronized void farmTask(FarmTaskEvent e) {
        if (e.worker().isValid()) farmWorkers.add(e.worker());
        switch (e.kind()) {
            case SUBMITTED -> submitted++;
            case STARTED -> farmWork.put(e.worker(), new Work(e.index(), e.inputs(), System.nanoTime()));
            case COMPLETED -> {
                completed++;
                done(e);
                ended(e.runNanos());
            }
            case FAILED -> {
                failed++;
                done(e);
                ended(e.runNanos());
                failure(e.worker().isValid() ? e.worker().toString() : null, e.item(), e.error());
            }
            case TIMED_OUT -> {
                timedOut++;
                ended(e.runNanos());
            }
            case RETRIED -> {
                retried++;
                done(e);
            }
            case CANCELLED -> cancelled++;
        }
    }

    /** The worker of {@code e} no longer works on its item (unless it has taken up the next already). */
    private void done(FarmTaskEvent e) {
        Work w = farmWork.get(e.worker());
        if (w != null && w.index() == e.index() && w.inputs() == e.inputs()) farmWork.remove(e.worker());
    }

    private void ended(long durationNanos) {
        Bucket b = seconds.computeIfAbsent(millisNow() / 1000, s -> new Bucket());
        double millis = durationNanos / 1e6;
        b.ended++;
        b.sumMillis += millis;
        b.maxMillis = Math.max(b.maxMillis, millis);
        while (seconds.size() > SERIES_SECONDS + 2) seconds.pollFirstEntry();
    }

    private void failure(String task, String item, String error) {
        String text = error == null ? "(no message)" : error.length() > ERROR_CHARS
                ? error.substring(0, ERROR_CHARS) + "\n... (" + (error.length() - ERROR_CHARS) + " more characters)" : error;
        failures.addFirst(new Status.Failure(millisNow(), task, item, text));
        while (failures.size() > KEPT) failures.pollLast();
    }

    private void lost(long when, String kind, String what) {
        lost.addFirst(new Status.Lost(when, kind, what));
        while (lost.size() > KEPT) lost.pollLast();
    }

    private long millisNow() {
        return startMillis + (System.nanoTime() - startNanos) / 1_000_000;
    }

    // ---------------------------------------------------------------- the snapshot

    /**
     * The state now.
     *
     * @param vm        the VM's slot table, taken just before (never under this object's lock)
     * @param transport the engine's name
     */
    Status snapshot(VmStatus vm, String transport) {
        HostSample own = ownSample(); // the spawner's JVM: it sends no samples to itself
        synchronized (this) {
            long nowNanos = System.nanoTime();
            long now = millisNow();
            Map<String, Map<Integer, List<Status.Slot>>> byHost = new LinkedHashMap<>();
            Map<Integer, Long> pids = new TreeMap<>();
            int free = 0;
            for (VmStatus.Slot s : vm.slots()) {
                pids.put(s.rank(), s.pid());
                if (s.isFree() && s.rank() != 0) free++;
                Work w = s.isFree() ? null : farmWork.get(s.task());
                // A farm's worker between two farm tasks waits: its own age says nothing.
                boolean idleFarmWorker = w == null && !s.isFree() && farmWorkers.contains(s.task());
                Long since = s.isFree() || s.rank() == 0 || idleFarmWorker ? null
                        : w != null ? Long.valueOf(w.sinceNanos()) : spawnedAt.get(s.task());
                String work = s.rank() == 0 ? "the spawner" : w != null ? w.item() : idleFarmWorker ? "(farm worker, waiting)" : null;
                byHost.computeIfAbsent(s.host().name(), h -> new TreeMap<>()).computeIfAbsent(s.rank(), r -> new ArrayList<>())
                        .add(new Status.Slot(s.id().toString(), s.isFree() ? null : s.task().toString(), work,
                                since == null ? null : (nowNanos - since) / 1_000_000));
            }
            List<Status.Host> hosts = new ArrayList<>();
            byHost.forEach((name, ranks) -> {
                List<Status.Jvm> jvms = new ArrayList<>();
                ranks.forEach((rank, slots) -> {
                    HostSample h = rank == 0 ? own : samples.get(rank);
                    Long at = rank == 0 ? Long.valueOf(nowNanos) : sampledAt.get(rank);
                    jvms.add(new Status.Jvm(rank, pids.get(rank), h == null || h.cpuLoad() < 0 ? null : h.cpuLoad(),
                            h == null ? null : h.heapUsedBytes(), h == null ? null : h.heapMaxBytes(),
                            h == null ? null : h.gcMillis(), at == null ? null : (nowNanos - at) / 1_000_000, slots));
                });
                hosts.add(new Status.Host(name, jvms));
            });

            long thisSecond = now / 1000;
            List<Status.Point> series = new ArrayList<>(SERIES_SECONDS);
            long recent = 0;
            for (long s = thisSecond - SERIES_SECONDS + 1; s <= thisSecond; s++) {
                Bucket b = seconds.get(s);
                series.add(b == null ? new Status.Point(s * 1000, 0, null, null)
                        : new Status.Point(s * 1000, b.ended, b.sumMillis / b.ended, b.maxMillis));
                if (b != null && s > thisSecond - RATE_SECONDS) recent += b.ended;
            }
            // Over the last 10 s, or since the start if that is shorter (a fraction of the current second counts).
            double window = Math.min(RATE_SECONDS, Math.max(1.0, (now - startMillis) / 1000.0));
            double rate = recent / window;
            long backlog = Math.max(0, submitted - completed - failed - timedOut - cancelled);
            Double eta = backlog == 0 ? Double.valueOf(0) : rate > 0 ? Double.valueOf(backlog / rate) : null;

            List<Status.Traffic> flows = new ArrayList<>();
            new TreeMap<>(traffic).forEach((rank, c) -> flows.add(new Status.Traffic(rank, c[0].sum(), c[1].sum(),
                    c[2].sum(), c[3].sum())));
            return new Status(now, transport, now - startMillis, vm.slots().size(), free, hosts,
                    new Status.Farm(submitted, completed, failed, retried, timedOut, cancelled, backlog, rate, eta),
                    new Status.Tasks(spawned, finished, vmFailed, vmLost), series, List.copyOf(failures),
                    List.copyOf(lost), flows);
        }
    }

    /** The spawner's own sample and when it was taken (System.nanoTime()). */
    private record OwnSample(HostSample sample, long takenNanos) {
    }

    private volatile OwnSample ownSample;

    /**
     * This JVM's sample, taken at most once a second, as often as the workers send theirs: a
     * sample costs about 150 us (the process's CPU load is read from the container's files),
     * six times what the rest of an update costs.
     */
    private HostSample ownSample() {
        OwnSample last = ownSample;
        long now = System.nanoTime();
        if (last == null || now - last.takenNanos() >= OWN_SAMPLE_NANOS) {
            last = new OwnSample(sampleThisJvm(), now);
            ownSample = last;
        }
        return last.sample();
    }

    /** How often the spawner samples its own JVM. */
    private static final long OWN_SAMPLE_NANOS = 1_000_000_000L;

    /** A sample of this JVM, as a worker would send one. */
    static HostSample sampleThisJvm() {
        double cpu = -1;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            cpu = os.getProcessCpuLoad();
        }
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long gcMillis = 0;
        long gcCount = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcMillis += Math.max(0, gc.getCollectionTime());
            gcCount += Math.max(0, gc.getCollectionCount());
        }
        return new HostSample(HostId.bad(), 0, cpu, heap.getUsed(), heap.getMax(), gcMillis, gcCount);
    }
}
