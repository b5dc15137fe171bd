package io.paravm.benchmarks.efficiency;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.paravm.Received;
import io.paravm.Task;
import io.paravm.VirtualMachine;
import io.paravm.benchmarks.BenchJob;
import io.paravm.benchmarks.Stats;
import io.paravm.benchmarks.VmTasks;
import io.paravm.benchmarks.backend.Backends;
import io.paravm.farm.FarmStats;
import io.paravm.farm.TaskFarm;
import io.paravm.farm.TaskFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * What every rank of an efficiency job runs (issue 13). Workers sit in ParaVM's spawn loop;
 * the spawner measures, in this order:
 * <ol>
 * <li>the first {@code --cold-tasks} trivial tasks of the fresh job (a spawn loop of tasks that
 *     capture their argument), and the time from the job's launch to the first result;</li>
 * <li>once warm, the trivial spawn loop's rate with tasks that capture nothing and with tasks
 *     that capture their argument, in turn, and its round trip;</li>
 * <li>every process of the job, and the CPU loop's speed on a worker ({@link CpuWork#calibrate});</li>
 * <li>{@value #IDLE_WINDOWS} idle windows (every worker waiting for work, the spawner blocked in
 *     {@code receiveMessage}), each followed by one trivial task's answer;</li>
 * <li>per task size, one warm-up round and then the measured rounds, each: the serial run (every
 *     task in one task on one worker), {@code TaskFarm.map} (one input a message), optionally
 *     {@code map} over chunks of about 1 ms, and the spawn loop; each parallel run against the
 *     serial run of its round, every result checked against the serial run's, the CPU of every
 *     process of the job read before and after;</li>
 * <li>{@code TaskFarm.map} of a trivial function.</li>
 * </ol>
 * and writes {@code efficiency-<backend>-<label>.json} ({@link JobFigures}).
 *
 * <pre>
 * mpirun -np 3 java -cp CP -Djava.library.path=... io.paravm.benchmarks.efficiency.EfficiencyJob --backend openmpi
 *     --out DIR --label np3 [--runner-pid PID] [--quick] --sizes-us 1000 --work-ms 400 --rounds 2 ... (EfficiencyPlan#args)
 * </pre>
 */
public final class EfficiencyJob {

    private static final Logger LOG = LoggerFactory.getLogger(EfficiencyJob.class);
    /** Idle windows, each followed by one task's answer. */
    static final int IDLE_WINDOWS = 4;
    /** A trivial task that captures nothing. */
    static final Task<Integer> CONSTANT = w -> 1;
    /** The trivial farm function. */
    static final TaskFunction<Integer, Integer> INCREMENT = x -> x + 1;

    private final VirtualMachine vm;
    private final String backend;
    private final Path out;
    private final String label;
    private final boolean quick;
    private final long runnerPid;
    private final EfficiencyPlan plan;
    private final String prefix;

    private EfficiencyJob(VirtualMachine vm, String[] args) {
        this.vm = vm;
        String name = vm.transportName();
        String l = "np" + vm.slots();
        Path o = null;
        boolean q = false;
        boolean chunked = false;
        long runner = -1;
        Map<String, String> planOptions = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (EfficiencyPlan.OPTIONS.contains(a) || a.equals("--backend") || a.equals("--out") || a.equals("--label")
                    || a.equals("--runner-pid")) {
                if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value");
                String v = args[++i];
                switch (a) {
                    case "--backend" -> name = v;
                    case "--out" -> o = Path.of(v);
                    case "--label" -> l = v;
                    case "--runner-pid" -> runner = Long.parseLong(v);
                    default -> planOptions.put(a, v);
                }
            } else if (a.equals("--quick")) {
                q = true;
            } else if (a.equals("--chunked")) {
                chunked = true;
            } else {
                throw new IllegalArgumentException("unknown argument '" + a + "'; use --backend NAME --out DIR [--label L] "
                        + "[--runner-pid PID] [--quick] and the plan's options " + EfficiencyPlan.OPTIONS + " [--chunked]");
            }
        }
        if (o == null) throw new IllegalArgumentException("--out DIR is required");
        String transport = Backends.named(name).transport();
        if (!transport.equals(vm.transportName())) {
            throw new IllegalArgumentException("--backend " + name + " runs on transport " + transport + ", but this job runs on "
                    + vm.transportName() + "; start it with that backend's job command");
        }
        this.backend = name;
        this.out = o;
        this.label = l;
        this.quick = q;
        this.runnerPid = runner;
        this.plan = planOptions.isEmpty() ? EfficiencyPlan.of(q) : EfficiencyPlan.parse(planOptions, chunked);
        this.prefix = backend + "-" + label;
    }

    public static void main(String[] args) throws Exception {
        VirtualMachine.run(args, (vm, userArgs) -> new EfficiencyJob(vm, userArgs).run());
    }

    private void run() throws Exception {
        Files.createDirectories(out);
        List<Double> loadStart = BenchJob.loadAverage();
        int workers = vm.freeSlots(); // every worker's slot; vm.slots() counts the spawner's too
        say("%s: %d worker slot(s), %d CPU(s) seen by the spawner; plan %s", prefix, workers,
                Runtime.getRuntime().availableProcessors(), plan);

        // 1. the fresh job: its first trivial tasks, as a user writes them (capturing their argument)
        long nanoAtStart = System.nanoTime();
        Instant wallAtStart = Instant.now();
        SpawnLoop.Timeline cold = SpawnLoop.run(vm, plan.coldTasks(), Duration.ofMinutes(5), EfficiencyJob::capturing,
                EfficiencyJob::checkCapturing);
        long firstResult = Arrays.stream(cold.resultAt, 0, cold.count).min().orElse(nanoAtStart);
        Instant firstResultAt = wallAtStart.plusNanos(firstResult - nanoAtStart);
        List<Double> blocks = new ArrayList<>();
        int block = Math.max(1, cold.count / 10);
        for (int from = 0; from + block <= cold.count; from += block) blocks.add(cold.tasksPerSecond(from, from + block));
        say("%s: first %d trivial tasks at %,.0f tasks/s (tenths: %s)", prefix, cold.count, cold.tasksPerSecond(),
                thousands(blocks));

        // 2. warm trivial spawn loop: constant and capturing tasks in turn
        Duration roundLength = Duration.ofMillis(plan.trivialMillis());
        SpawnLoop.run(vm, Integer.MAX_VALUE, roundLength, EfficiencyJob::capturing, EfficiencyJob::checkCapturing);
        List<Double> constant = new ArrayList<>();
        List<Double> capturing = new ArrayList<>();
        List<Double> roundTrips = new ArrayList<>();
        List<Double> results = new ArrayList<>();
        for (int r = 0; r < plan.trivialRounds(); r++) {
            SpawnLoop.Timeline c = SpawnLoop.run(vm, Integer.MAX_VALUE, roundLength, i -> CONSTANT, EfficiencyJob::checkConstant);
            constant.add(c.tasksPerSecond());
            roundTrips.add(c.exitMedianMicros());
            results.add(c.resultMedianMicros());
            capturing.add(SpawnLoop.run(vm, Integer.MAX_VALUE, roundLength, EfficiencyJob::capturing,
                    EfficiencyJob::checkCapturing).tasksPerSecond());
        }
        double roundTrip = Stats.median(roundTrips);
        say("%s: warm trivial spawn loop: %,.0f tasks/s constant, %,.0f capturing; round trip %.1f us (rounds: constant %s, capturing %s)",
                prefix, Stats.median(constant), Stats.median(capturing), roundTrip, thousands(constant), thousands(capturing));

        // 3. the job's processes, and the CPU loop's speed on a worker
        Map<Integer, long[]> workerPids = probeWorkers();
        JobProcesses processes = JobProcesses.discover(runnerPid, workerPids);
        double launchToFirst = processes.launched().map(l -> Duration.between(l, firstResultAt).toNanos() / 1e6).orElse(-1.0);
        CpuWork.Calibration cal = (CpuWork.Calibration) VmTasks.awaitEnd(vm, VmTasks.spawnOne(vm, w -> CpuWork.calibrate(300)));
        say("%s: launch to first result %.0f ms; %d process(es): %s; CPU loop %,d iterations/ms", prefix, launchToFirst,
                processes.infos().size(), processes.infos().stream().map(p -> p.role() + " [" + p.cpusAllowed() + "]").toList(),
                cal.iterationsPerMilli());

        // 4. idle
        JobFigures.Idle idle = idle(processes, Stats.median(results));

        // 5. CPU-bound tasks
        Measure measure = new Measure(vm, workers, processes, plan, roundTrip, prefix);
        List<JobFigures.Run> runs = new ArrayList<>();
        for (int micros : plan.taskMicros()) {
            int iterations = (int) Math.max(1, cal.iterationsPerMilli() * micros / 1000);
            runs.addAll(measure.size(micros, iterations));
        }

        // 6. the farm's map of trivial tasks
        double farmTrivial = plan.farmTrivialInputs() > 0 ? farmTrivial(plan.farmTrivialInputs()) : -1;

        JobFigures figures = new JobFigures(backend, label, vm.slots(), workers, Runtime.getRuntime().availableProcessors(),
                Backends.named(backend).engineVersion(), quick, null, launchToFirst, cal.iterationsPerMilli(),
                processes.infos(), idle,
                new JobFigures.Trivial(cold.count, cold.tasksPerSecond(), blocks, Stats.median(constant),
                        Stats.median(capturing), roundTrip, Stats.median(results), farmTrivial),
                runs, loadStart, BenchJob.loadAverage(), null); // the runner adds the spawner's options
        Path file = out.resolve("efficiency-" + prefix + ".json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), figures);
        say("%s: wrote %s", prefix, file);
    }

    /** Rates as the log shows them: whole numbers with thousands separators. */
    private static List<String> thousands(List<Double> rates) {
        return rates.stream().map(x -> String.format("%,.0f", x)).toList();
    }

    /** Task {@code i} of a trivial spawn loop that captures its argument, as the API's documentation passes one. */
    static Task<?> capturing(int i) {
        int x = i;
        return w -> x + 1;
    }

    private static void checkCapturing(int i, Object v) {
        if (!(v instanceof Integer n) || n != i + 1) {
            throw new IllegalStateException("trivial task " + i + " returned " + v + ", expected " + (i + 1));
        }
    }

    private static void checkConstant(int i, Object v) {
        if (!(v instanceof Integer n) || n != 1) throw new IllegalStateException("trivial task " + i + " returned " + v + ", expected 1");
    }

    /** Each worker rank's pid and the CPUs its runtime sees, by rank. */
    private Map<Integer, long[]> probeWorkers() {
        Task<long[]> probe = w -> new long[]{ProcessHandle.current().pid(), Runtime.getRuntime().availableProcessors()};
        Map<Integer, long[]> byRank = new TreeMap<>();
        VmTasks.awaitAll(vm, vm.spawnFunction(probe, vm.freeSlots(), null, true))
                .forEach((task, v) -> byRank.put(task.rank(), (long[]) v));
        return byRank;
    }

    /**
     * {@value #IDLE_WINDOWS} idle windows, each followed by one trivial task's answer. One answer
     * said little: on this 2-core VM, answers after the same idle ranged 0.5-1.5 ms (two ranks
     * woken from sleep, each on a core that was idle), so the median and the worst are reported.
     * The CPU is read over the windows only, not over the answers between them.
     */
    private JobFigures.Idle idle(JobProcesses processes, double warmAnswerMicros) {
        Duration length = Duration.ofMillis(plan.idleMillis());
        Map<Long, Long> used = new HashMap<>();
        long wall = 0;
        List<Double> answers = new ArrayList<>();
        for (int w = 0; w < IDLE_WINDOWS; w++) {
            Map<Long, Long> before = processes.cpuNanos();
            long t0 = System.nanoTime();
            long end = t0 + length.toNanos();
            for (int i = 0; i < 1000; i++) {
                long left = end - System.nanoTime();
                if (left <= 0) break;
                Optional<Received> r = vm.receiveMessage(Duration.ofNanos(left));
                r.ifPresent(m -> LOG.warn("idle window: {} from {} arrived (ignored)", m.message().getClass().getSimpleName(), m.sender()));
            }
            wall += System.nanoTime() - t0;
            JobProcesses.used(before, processes.cpuNanos()).forEach((pid, u) -> used.merge(pid, u, Long::sum));
            SpawnLoop.Timeline one = SpawnLoop.run(vm, 1, Duration.ZERO, i -> CONSTANT, EfficiencyJob::checkConstant);
            answers.add((one.resultAt[0] - one.spawnedAt[0]) / 1e3);
        }
        Map<String, Double> cpu = processes.percentOfCore(used, wall);
        say("%s: idle %d x %.1f s: CPU %% of a core %s; first answer after each %s us (warm: %.0f us)", prefix, IDLE_WINDOWS,
                length.toMillis() / 1e3, Stats.rounded(cpu), answers.stream().map(a -> String.format("%.0f", a)).toList(),
                warmAnswerMicros);
        return new JobFigures.Idle(wall / 1e9, cpu, Stats.median(answers), warmAnswerMicros, answers);
    }

    /** {@code TaskFarm.map} of {@code x -> x + 1}, default farm, after a warm-up map of a fifth as many. */
    private double farmTrivial(int inputs) {
        List<Integer> warm = IntStream.range(0, Math.max(100, inputs / 5)).boxed().toList();
        List<Integer> timed = IntStream.range(0, inputs).boxed().toList();
        try (TaskFarm farm = TaskFarm.on(vm)) {
            farm.map(INCREMENT, warm);
            long t0 = System.nanoTime();
            List<Integer> got = farm.map(INCREMENT, timed);
            double rate = inputs / ((System.nanoTime() - t0) / 1e9);
            for (int i = 0; i < inputs; i++) {
                if (got.get(i) != i + 1) throw new IllegalStateException("trivial map: result " + i + " is " + got.get(i));
            }
            FarmStats stats = farm.stats();
            if (stats.retried() != 0 || stats.failed() != 0) throw new IllegalStateException("trivial map retried or failed: " + stats);
            say("%s: trivial map: %,.0f tasks/s over %d worker(s)", prefix, rate, stats.workers());
            return rate;
        }
    }

    /** One console line, as the runner echoes it ({@code bench: efficiency ...}). */
    static void say(String format, Object... args) {
        System.out.println("bench: efficiency " + String.format(java.util.Locale.ROOT, format, args));
    }
}
