package io.paravm.benchmarks.efficiency;

import io.paravm.Task;
import io.paravm.VirtualMachine;
import io.paravm.benchmarks.Stats;
import io.paravm.farm.FarmStats;
import io.paravm.farm.TaskFarm;
import io.paravm.farm.TaskFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CPU-bound runs of one task size: rounds of a serial run and the parallel modes, each
 * parallel run against its round's serial run (issue 13's "speed-up over the same work in
 * one task on one worker"). Round 0 is a warm-up of a quarter of the tasks, not reported.
 *
 * <pre>{@code
 * List<JobFigures.Run> runs = new Measure(vm, 2, processes, plan, roundTripMicros, "openmpi-np3").size(1000, iterations);
 * }</pre>
 */
final class Measure {

    private static final Logger LOG = LoggerFactory.getLogger(Measure.class);
    private static final Duration RUN_LIMIT = Duration.ofMinutes(10);
    private static final int F = CpuWork.TIMED_FIELDS;

    private final VirtualMachine vm;
    private final int workers;
    private final JobProcesses processes;
    private final EfficiencyPlan plan;
    private final double roundTripMicros;
    private final String prefix;

    Measure(VirtualMachine vm, int workers, JobProcesses processes, EfficiencyPlan plan, double roundTripMicros, String prefix) {
        this.vm = vm;
        this.workers = workers;
        this.processes = processes;
        this.plan = plan;
        this.roundTripMicros = roundTripMicros;
        this.prefix = prefix;
    }

    /** One parallel run: {@code timed} holds {@link CpuWork#timed}'s fields per task, in input order. */
    private record Parallel(double seconds, long[] timed, int maxRunning, Map<String, Double> cpuPercent, long wallNanos) {
    }

    /** What the measured rounds of one mode gave. */
    private static final class Rounds {
        final List<Double> serial = new ArrayList<>();
        final List<Double> parallel = new ArrayList<>();
        final List<Double> speedups = new ArrayList<>();
        final List<Double> cpuSerial = new ArrayList<>();
        final List<Double> serialShare = new ArrayList<>();
        final List<Double> cpuParallel = new ArrayList<>();
        final List<Double> wallParallel = new ArrayList<>();
        final Map<String, Double> cpuTimesWall = new LinkedHashMap<>();
        long wall;
        int maxRunning;

        void add(double serialSeconds, double serialCpuMicros, double serialCpuShare, Parallel p) {
            serial.add(serialSeconds);
            serialShare.add(serialCpuShare);
            parallel.add(p.seconds());
            speedups.add(serialSeconds / p.seconds());
            cpuSerial.add(serialCpuMicros);
            cpuParallel.add(meanMicros(p.timed(), 1, -1));
            wallParallel.add(meanMicros(p.timed(), 3, 2));
            p.cpuPercent().forEach((role, pct) -> cpuTimesWall.merge(role, pct * p.wallNanos(), Double::sum));
            wall += p.wallNanos();
            maxRunning = p.maxRunning() < 0 || maxRunning < 0 ? -1 : Math.max(maxRunning, p.maxRunning());
        }

        Map<String, Double> cpuPercent() {
            Map<String, Double> out = new LinkedHashMap<>();
            cpuTimesWall.forEach((role, v) -> out.put(role, v / wall));
            return out;
        }
    }

    /**
     * Runs every mode for tasks of {@code micros} µs, {@code iterations} of the CPU loop each.
     *
     * @return one run per mode: map, map in chunks (when the plan asks and a task is under 1 ms), spawn loop
     */
    List<JobFigures.Run> size(int micros, int iterations) {
        int n = plan.tasks(micros);
        int chunk = EfficiencyPlan.chunk(micros);
        List<String> modes = new ArrayList<>(List.of("map"));
        if (plan.chunked() && chunk > 1) modes.add("map, chunks of " + chunk);
        modes.add("spawn loop");
        Map<String, Rounds> byMode = new LinkedHashMap<>();
        modes.forEach(m -> byMode.put(m, new Rounds()));
        EfficiencyJob.say("%s: %d us tasks (%,d iterations): %d warm-up task(s), then %d round(s) of %d; modes %s", prefix,
                micros, iterations, Math.max(EfficiencyPlan.MIN_TASKS, n / 4), plan.rounds(), n, modes);
        for (int round = 0; round <= plan.rounds(); round++) {
            int count = round == 0 ? Math.max(EfficiencyPlan.MIN_TASKS, n / 4) : n;
            long[] seeds = new long[count];
            long base = micros * 1_000_003L + round * 7_919_000_000L;
            for (int i = 0; i < count; i++) seeds[i] = base + i;
            long[][] serialOut = new long[1][];
            SpawnLoop.Timeline s = SpawnLoop.run(vm, 1, Duration.ZERO, i -> serialTask(seeds, iterations),
                    (i, v) -> serialOut[0] = (long[]) v);
            double serialSeconds = (s.resultAt[0] - s.spawnedAt[0]) / 1e9;
            long[] expected = Arrays.copyOf(serialOut[0], count);
            double serialCpu = 0;
            for (int i = 0; i < count; i++) serialCpu += serialOut[0][count + i] / 1e3;
            double serialShare = serialCpu * 1e3 / serialOut[0][2 * count]; // the sum of µs, over the loop's ns
            serialCpu /= count;
            for (String mode : modes) {
                Parallel p = mode.equals("map") ? map(seeds, iterations, expected, 1)
                        : mode.equals("spawn loop") ? spawnLoop(seeds, iterations, expected)
                        : map(seeds, iterations, expected, chunk);
                if (round > 0) byMode.get(mode).add(serialSeconds, serialCpu, serialShare, p);
            }
        }
        List<JobFigures.Run> runs = new ArrayList<>();
        for (var e : byMode.entrySet()) {
            Rounds r = e.getValue();
            double speedup = Stats.median(r.speedups);
            double taskWall = Stats.median(r.wallParallel);
            double cap = e.getKey().equals("spawn loop") && roundTripMicros > 0 ? taskWall / (taskWall + roundTripMicros) : -1;
            JobFigures.Run run = new JobFigures.Run(micros, e.getKey(), n, r.serial, r.parallel, speedup,
                    Stats.min(r.speedups), Stats.max(r.speedups), speedup / workers, n / Stats.median(r.parallel),
                    Stats.median(r.cpuSerial), Stats.median(r.serialShare), Stats.median(r.cpuParallel), taskWall,
                    r.cpuPercent(), r.maxRunning, cap);
            runs.add(run);
            EfficiencyJob.say("%s: %d us, %s: speed-up %.2f (%.2f-%.2f), efficiency %.2f%s, %,.0f tasks/s; task CPU %.0f us "
                            + "serial (%.0f%% of its wall), %.0f parallel; most running %d; CPU %% of a core %s",
                    prefix, micros, e.getKey(), speedup,
                    run.speedupMin(), run.speedupMax(), run.efficiency(), cap < 0 ? "" : String.format(" (cap %.2f)", cap),
                    run.tasksPerSecond(), run.taskCpuMicrosSerial(), 100 * run.serialCpuShare(), run.taskCpuMicrosParallel(),
                    r.maxRunning,
                    Stats.rounded(run.cpuPercent()));
        }
        return runs;
    }

    /** Every seed in one task: the serial reference. */
    private static Task<long[]> serialTask(long[] seeds, int iterations) {
        return w -> CpuWork.serial(seeds, iterations);
    }

    /** {@code TaskFarm.map} over the seeds one by one ({@code chunk} 1) or in chunks; default farm settings. */
    private Parallel map(long[] seeds, int iterations, long[] expected, int chunk) {
        List<long[]> inputs = new ArrayList<>();
        for (int i = 0; i < seeds.length; i += chunk) inputs.add(Arrays.copyOfRange(seeds, i, Math.min(seeds.length, i + chunk)));
        TaskFunction<long[], long[]> f = c -> CpuWork.timedChunk(c, iterations);
        TaskFunction<Long, long[]> one = seed -> CpuWork.timed(seed, iterations);
        String what = chunk == 1 ? "map" : "map, chunks of " + chunk;
        try (TaskFarm farm = TaskFarm.on(vm)) {
            Map<Long, Long> before = processes.cpuNanos();
            long t0 = System.nanoTime();
            List<long[]> got = chunk == 1 ? farm.map(one, Arrays.stream(seeds).boxed().toList()) : farm.map(f, inputs);
            long t1 = System.nanoTime();
            Map<String, Double> cpu = processes.percentOfCore(before, processes.cpuNanos(), t1 - t0);
            FarmStats stats = farm.stats();
            if (stats.retried() != 0 || stats.failed() != 0) {
                throw new IllegalStateException(what + " retried or failed tasks: " + stats);
            }
            long[] timed = new long[seeds.length * F];
            int at = 0;
            for (long[] g : got) {
                System.arraycopy(g, 0, timed, at, g.length);
                at += g.length;
            }
            if (at != timed.length) throw new IllegalStateException(what + " returned " + at / F + " results for " + seeds.length);
            check(what, timed, expected);
            long[] from = new long[seeds.length];
            long[] to = new long[seeds.length];
            Arrays.fill(from, t0);
            Arrays.fill(to, t1);
            return new Parallel((t1 - t0) / 1e9, timed, maxRunning(what, timed, from, to), cpu, t1 - t0);
        }
    }

    /** PyOPUS's spawn loop over the seeds: one task each, the next into a slot on its exit. */
    private Parallel spawnLoop(long[] seeds, int iterations, long[] expected) {
        long[] timed = new long[seeds.length * F];
        Map<Long, Long> before = processes.cpuNanos();
        long t0 = System.nanoTime();
        SpawnLoop.Timeline t = SpawnLoop.run(vm, seeds.length, RUN_LIMIT, i -> {
            long seed = seeds[i];
            return (Task<long[]>) w -> CpuWork.timed(seed, iterations);
        }, (i, v) -> System.arraycopy((long[]) v, 0, timed, i * F, F));
        long t1 = System.nanoTime();
        Map<String, Double> cpu = processes.percentOfCore(before, processes.cpuNanos(), t1 - t0);
        if (t.count != seeds.length) {
            throw new IllegalStateException("spawn loop ran " + t.count + " of " + seeds.length + " tasks");
        }
        check("spawn loop", timed, expected);
        return new Parallel(t.secondsToLastResult(), timed, maxRunning("spawn loop", timed, t.spawnedAt, t.resultAt), cpu, t1 - t0);
    }

    private static void check(String what, long[] timed, long[] expected) {
        for (int i = 0; i < expected.length; i++) {
            if (timed[i * F] != expected[i]) {
                throw new IllegalStateException(what + ": task " + i + " returned " + timed[i * F] + ", but the serial run "
                        + expected[i]);
            }
        }
    }

    /**
     * Most tasks running at once, from their own start and end. -1 when a task's interval does not lie within
     * the spawner's [from, to] for it: then the ranks do not share one clock (another host) and nothing can be said.
     */
    private int maxRunning(String what, long[] timed, long[] from, long[] to) {
        int n = timed.length / F;
        long[] starts = new long[n];
        long[] ends = new long[n];
        for (int i = 0; i < n; i++) {
            starts[i] = timed[i * F + 2];
            ends[i] = timed[i * F + 3];
            if (starts[i] < from[i] || ends[i] > to[i]) {
                LOG.warn("{}: task {} ran [{}, {}] outside the spawner's [{}, {}]: not one clock, concurrency not checked",
                        what, i, starts[i], ends[i], from[i], to[i]);
                return -1;
            }
        }
        Arrays.sort(starts);
        Arrays.sort(ends);
        int running = 0;
        int most = 0;
        for (int i = 0, j = 0; i < n; ) {
            if (starts[i] < ends[j]) {
                most = Math.max(most, ++running);
                i++;
            } else {
                running--;
                j++;
            }
        }
        return most;
    }

    /** Mean of {@code timed[i*F + field] - timed[i*F + minus]} (or of the field alone, {@code minus} -1), µs. */
    private static double meanMicros(long[] timed, int field, int minus) {
        int n = timed.length / F;
        double sum = 0;
        for (int i = 0; i < n; i++) sum += timed[i * F + field] - (minus < 0 ? 0 : timed[i * F + minus]);
        return sum / n / 1e3;
    }
}
