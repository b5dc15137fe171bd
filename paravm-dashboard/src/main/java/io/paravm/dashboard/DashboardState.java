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
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * What the page and the meters show, kept up to date from the VM's events: counts and
 * timings, what each slot works on and since when, one bucket per second of tasks ended and
 * their durations, the latest failures and losses, each rank's load and traffic.
 * {@link #snapshot} turns it, with the VM's own slot table, into a {@link Status};
 * {@link VmMeters} reads the counts when a registry is scraped. Events come on the VM's
 * threads, some with the VM's locks held: each takes this object's lock briefly and never
 * calls the VM; a snapshot asks the VM first and takes the lock after, so the two never wait
 * for each other.
 *
 * <p>It is the only listener the dashboard registers, and a farm task's events (submitted,
 * started, completed, two frames) run on the spawner's busiest thread: so an event updates
 * fields in place, allocates nothing and takes one lock. (A fan-out to a second listener,
 * boxed keys and a map entry per task cost about 300 ns a task, 4% of the spawner's time at
 * 100,000 tasks a second.)
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

    /** What a farm worker works on, updated in place at each farm task it takes up (guarded by the state). */
    private static final class Work {
        boolean busy;
        int index;
        int inputs;
        long sinceNanos;

        String item() {
            return index < 0 ? "farm task" : "input " + index + " of " + inputs;
        }
    }

    /** One second's tasks; reused for a later second once this one has left the series. */
    private static final class Bucket {
        long second = Long.MIN_VALUE;
        long ended;
        double sumMillis;
        double maxMillis;
    }

    /** What is counted, read by {@link VmMeters}: a farm's tasks, and tasks spawned with {@code spawnFunction}. */
    enum Count {
        SUBMITTED, COMPLETED, FAILED, RETRIED, TIMED_OUT, CANCELLED, SPAWNED, FINISHED, VM_FAILED, VM_LOST
    }

    /** What is timed, read by {@link VmMeters}: how many, and how long in all. */
    enum Timed {
        FARM_DURATION, FARM_TO_RESULT, VM_DURATION, VM_TO_RESULT
    }

    private final long startMillis = System.currentTimeMillis();
    private final long startNanos = System.nanoTime();

    // Guarded by this.
    private final long[] counts = new long[Count.values().length];
    private final long[] timedCount = new long[Timed.values().length];
    private final long[] timedNanos = new long[Timed.values().length];
    /** The per-second series, a ring: second s is in {@code seconds[s % length]} if its {@code second} is s. */
    private final Bucket[] seconds = new Bucket[SERIES_SECONDS + 2];
    private final ArrayDeque<Status.Failure> failures = new ArrayDeque<>();
    private final ArrayDeque<Status.Lost> lost = new ArrayDeque<>();
    /** The farms' worker tasks: their own ends are not tasks of the user's. */
    private final Set<TaskId> farmWorkers = new HashSet<>();
    private final Map<TaskId, Long> spawnedAt = new LinkedHashMap<>();
    private final Map<TaskId, Work> farmWork = new HashMap<>();
    private final Map<Integer, HostSample> samples = new TreeMap<>();
    private final Map<Integer, Long> sampledAt = new TreeMap<>();

    /**
     * Frames per rank, indexed by rank: sent, bytes sent, received, bytes received. Not under the
     * lock: frames are many. Grown, by copying the references, under {@link #newRank}'s lock.
     */
    private volatile LongAdder[][] traffic = new LongAdder[8][];
    /** Told of each rank's counters when its first frame comes (the meters read them: frames are counted once). */
    private final BiConsumer<Integer, LongAdder[]> newRank;

    /** @param newRank told of each rank's frame counters (sent, bytes sent, received, bytes received) when they are made */
    DashboardState(BiConsumer<Integer, LongAdder[]> newRank) {
        this.newRank = newRank;
        for (int i = 0; i < seconds.length; i++) seconds[i] = new Bucket();
    }

    /** A count so far (for the meters). */
    synchronized long count(Count c) {
        return counts[c.ordinal()];
    }

    /** How many of {@code t} were timed (for the meters). */
    synchronized long timedCount(Timed t) {
        return timedCount[t.ordinal()];
    }

    /** The total time of {@code t}, in nanoseconds (for the meters). */
    synchronized long timedNanos(Timed t) {
        return timedNanos[t.ordinal()];
    }

    /** Farm tasks submitted and not yet ended (guarded by this). */
    private long backlog() {
        return Math.max(0, counts[Count.SUBMITTED.ordinal()] - counts[Count.COMPLETED.ordinal()]
                - counts[Count.FAILED.ordinal()] - counts[Count.TIMED_OUT.ordinal()] - counts[Count.CANCELLED.ordinal()]);
    }

    /** {@link #backlog()} for the meters. */
    synchronized long farmBacklog() {
        return backlog();
    }

    private void add(Count c) {
        counts[c.ordinal()]++;
    }

    private void time(Timed t, long nanos) {
        timedCount[t.ordinal()]++;
        timedNanos[t.ordinal()] += nanos;
    }

    // ---------------------------------------------------------------- events

    @Override
    public synchronized void taskSpawned(TaskId task, HostId host) {
        add(Count.SPAWNED);
        spawnedAt.put(task, System.nanoTime());
    }

    @Override
    public synchronized void taskResult(TaskId task, TaskResult result) {
        Long since = spawnedAt.get(task);
        if (since != null) time(Timed.VM_TO_RESULT, System.nanoTime() - since);
        if (!result.success()) failure(task.toString(), null, result.error());
    }

    @Override
    public synchronized void taskExited(TaskId task, TaskExit.Reason reason) {
        Long since = spawnedAt.remove(task);
        farmWork.remove(task);
        switch (reason) {
            case FINISHED -> add(Count.FINISHED);
            case FAILED -> add(Count.VM_FAILED);
            case LOST -> {
                add(Count.VM_LOST);
                lost(millisNow(), "task", task.toString());
            }
        }
        if (since != null && reason != TaskExit.Reason.LOST) {
            long ran = System.nanoTime() - since;
            time(Timed.VM_DURATION, ran); // the meters' source=vm counts a farm's workers too
            if (!farmWorkers.remove(task)) ended(ran, since + ran);
        } else {
            farmWorkers.remove(task);
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
        LongAdder[][] t = traffic;
        LongAdder[] c;
        return rank >= 0 && rank < t.length && (c = t[rank]) != null ? c : newTraffic(rank);
    }

    /** A rank's first frame: its counters, made once (and told to the meters). */
    private LongAdder[] newTraffic(int rank) {
        if (rank < 0) throw new IllegalArgumentException("rank " + rank + " is negative");
        synchronized (newRank) {
            LongAdder[][] t = traffic;
            if (rank < t.length && t[rank] != null) return t[rank];
            if (rank >= t.length) t = Arrays.copyOf(t, Math.max(rank + 1, 2 * t.length));
            else t = t.clone();
            LongAdder[] made = {new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder()};
            t[rank] = made;
            traffic = t;
            newRank.accept(rank, made);
            return made;
        }
    }

    @Override
    public synchronized void hostSampled(HostSample sample) {
        samples.put(sample.rank(), sample);
        sampledAt.put(sample.rank(), System.nanoTime());
    }

    @Override
    public synchronized void farmTask(FarmTaskEvent e) {
        switch (e.kind()) {
            case SUBMITTED -> add(Count.SUBMITTED);
            case STARTED -> started(e);
            case COMPLETED -> {
                add(Count.COMPLETED);
                done(e);
                outcome(e);
            }
            case FAILED -> {
                add(Count.FAILED);
                done(e);
                outcome(e);
                failure(e.worker().isValid() ? e.worker().toString() : null, e.item(), e.error());
            }
            case TIMED_OUT -> { // it still runs on its worker, which stays busy with it until it ends
                add(Count.TIMED_OUT);
                outcome(e);
            }
            case RETRIED -> {
                add(Count.RETRIED);
                done(e);
            }
            case CANCELLED -> add(Count.CANCELLED);
        }
    }

    /** A worker takes up a farm task: its slot shows the item from now. */
    private void started(FarmTaskEvent e) {
        if (!e.worker().isValid()) return;
        Work w = farmWork.get(e.worker());
        if (w == null) {
            w = new Work();
            farmWork.put(e.worker(), w);
            farmWorkers.add(e.worker());
        }
        w.busy = true;
        w.index = e.index();
        w.inputs = e.inputs();
        w.sinceNanos = e.atNanos();
    }

    /** A farm task's outcome (completed, failed or timed out): timed, and in the series. */
    private void outcome(FarmTaskEvent e) {
        if (e.runNanos() > 0) time(Timed.FARM_DURATION, e.runNanos());
        if (e.sinceSubmitNanos() > 0) time(Timed.FARM_TO_RESULT, e.sinceSubmitNanos());
        ended(e.runNanos(), e.atNanos());
    }

    /** The worker of {@code e} no longer works on its item (unless it has taken up the next already). */
    private void done(FarmTaskEvent e) {
        if (!e.worker().isValid()) return;
        farmWorkers.add(e.worker()); // a farm's worker, even one whose start came before this listener
        Work w = farmWork.get(e.worker());
        if (w != null && w.index == e.index() && w.inputs == e.inputs()) w.busy = false;
    }

    /** A task that ran {@code durationNanos} ended at {@code atNanos} ({@link System#nanoTime()}). */
    private void ended(long durationNanos, long atNanos) {
        long second = millisAt(atNanos) / 1000;
        Bucket b = seconds[(int) Math.floorMod(second, (long) seconds.length)];
        if (b.second > second) return; // older than the series: no longer shown
        if (b.second != second) { // a second of the series' past, or never used: start it afresh
            b.second = second;
            b.ended = 0;
            b.sumMillis = 0;
            b.maxMillis = 0;
        }
        double millis = durationNanos / 1e6;
        b.ended++;
        b.sumMillis += millis;
        b.maxMillis = Math.max(b.maxMillis, millis);
    }

    /** Second {@code s}'s bucket, or null if no task ended in it (guarded by this). */
    private Bucket bucket(long s) {
        Bucket b = seconds[(int) Math.floorMod(s, (long) seconds.length)];
        return b.second == s ? b : null;
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
        return millisAt(System.nanoTime());
    }

    /** The wall-clock time, in ms, of {@code nanos} read from {@link System#nanoTime()}. */
    private long millisAt(long nanos) {
        return startMillis + (nanos - startNanos) / 1_000_000;
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
                if (w != null && !w.busy) w = null;
                // A farm's worker between two farm tasks waits: its own age says nothing.
                boolean idleFarmWorker = w == null && !s.isFree() && farmWorkers.contains(s.task());
                Long since = s.isFree() || s.rank() == 0 || idleFarmWorker ? null
                        : w != null ? Long.valueOf(w.sinceNanos) : spawnedAt.get(s.task());
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
                Bucket b = bucket(s);
                series.add(b == null ? new Status.Point(s * 1000, 0, null, null)
                        : new Status.Point(s * 1000, b.ended, b.sumMillis / b.ended, b.maxMillis));
                if (b != null && s > thisSecond - RATE_SECONDS) recent += b.ended;
            }
            // Over the last 10 s, or since the start if that is shorter (a fraction of the current second counts).
            double window = Math.min(RATE_SECONDS, Math.max(1.0, (now - startMillis) / 1000.0));
            double rate = recent / window;
            long backlog = backlog();
            Double eta = backlog == 0 ? Double.valueOf(0) : rate > 0 ? Double.valueOf(backlog / rate) : null;

            List<Status.Traffic> flows = new ArrayList<>();
            LongAdder[][] t = traffic;
            for (int rank = 0; rank < t.length; rank++) {
                LongAdder[] c = t[rank];
                if (c != null) flows.add(new Status.Traffic(rank, c[0].sum(), c[1].sum(), c[2].sum(), c[3].sum()));
            }
            return new Status(now, transport, now - startMillis, vm.slots().size(), free, hosts,
                    new Status.Farm(count(Count.SUBMITTED), count(Count.COMPLETED), count(Count.FAILED),
                            count(Count.RETRIED), count(Count.TIMED_OUT), count(Count.CANCELLED), backlog, rate, eta),
                    new Status.Tasks(count(Count.SPAWNED), count(Count.FINISHED), count(Count.VM_FAILED), count(Count.VM_LOST)),
                    series, List.copyOf(failures),
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
