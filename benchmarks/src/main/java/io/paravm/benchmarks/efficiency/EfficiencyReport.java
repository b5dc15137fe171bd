package io.paravm.benchmarks.efficiency;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paravm.benchmarks.backend.Backends;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The efficiency suite's section of {@code report.md} and its chart {@value #CHART}, from
 * {@code efficiency-suite.json} and every {@code efficiency-<job>.json} of a result directory.
 * Empty when the directory holds no efficiency results.
 *
 * <pre>{@code
 * String markdown = EfficiencyReport.section(Path.of("benchmarks/results/latest"));
 * }</pre>
 */
public final class EfficiencyReport {

    /** The chart's file name. */
    public static final String CHART = "efficiency.png";

    private final ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private final StringBuilder md = new StringBuilder();

    private EfficiencyReport() {
    }

    /** The section (with its chart written beside it), or "" when {@code dir} has no efficiency results. */
    public static String section(Path dir) throws IOException {
        return new EfficiencyReport().render(dir);
    }

    private String render(Path dir) throws IOException {
        Path suiteFile = dir.resolve(EfficiencyRunner.SUITE_JSON);
        if (!Files.exists(suiteFile)) return "";
        JsonNode suite = json.readTree(suiteFile.toFile());
        List<JobFigures> jobs = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().matches("efficiency-.*-np\\d+\\.json")).toList()) {
                jobs.add(json.readValue(p.toFile(), JobFigures.class));
            }
        }
        // report order: Backends.ALL, the anchor last; within each, the most ranks first
        jobs.sort(Comparator.<JobFigures>comparingInt(j -> j.backend().equals(Mpi4pyAnchor.NAME) ? Integer.MAX_VALUE
                : Backends.order(j.backend())).thenComparing(Comparator.comparingInt(JobFigures::ranks).reversed()));
        int cores = suite.path("cores").asInt();
        boolean quick = suite.path("mode").asText().equals("quick");
        double seconds = suite.path("seconds").asDouble();

        md.append("\n## Parallel efficiency on CPU-bound work (issue 13)\n\n");
        md.append("- machine: **").append(cores).append(" cores** (read every ratio against it); ")
                .append(quick ? "quick" : "full").append(" run; ranks ").append(suite.path("ranks"))
                .append(" (cores + 1 is `paravm run`'s default); every rank's JVM ").append(suite.path("rankJvmArgs"))
                .append("; the suite took ").append(String.format(Locale.ROOT, "%.0f s", seconds)).append('\n');
        md.append("- plan: ").append(suite.path("plan")).append('\n');
        suite.path("skipped").fields().forEachRemaining(e -> md.append("- **skipped** ").append(e.getKey()).append(": ")
                .append(e.getValue().asText()).append('\n'));
        suite.path("failed").forEach(f -> md.append("- **failed** ").append(f.asText()).append(" (its log is in logs/)\n"));
        md.append("""
                - speed-up: the same tasks run one after the other in **one task on one worker** of the same job (the \
                round's serial run), over the parallel run from the first send to the last result; efficiency = speed-up \
                / workers. A warm-up round of a quarter of the tasks comes first; the figure is the median of the \
                measured rounds (slowest–fastest beside it). Every task's result is checked against the serial run's.
                - the task: a pure CPU loop (xorshift64) sized by a calibration on a worker; its own CPU time \
                (ThreadMXBean inside the task; `time.thread_time_ns` in the anchor) is given for the serial and the \
                parallel run, and the serial run's CPU as a share of its own wall time: below 100% the worker waited \
                for a core (a busy machine), and the speed-up is not to be trusted.
                - modes: `map` is `TaskFarm.map` with default settings, one input a message; `map, chunks of N` maps \
                over chunks of about 1 ms (reported apart); `spawn loop` is PyOPUS's: one `spawnFunction` per free \
                slot, the next on its `TaskExit`, capped at t / (t + round trip), the round trip being a warm trivial \
                task's spawn to exit; `anchor loop` is the same on mpi4py (rank 0 sends, the workers compute and reply).
                - CPU %: of one core, `utime + stime` of **every process of the job** (`/proc/PID/stat`, 10 ms \
                ticks: about ±1% over a second) over the parallel runs, and over 4 idle windows together (the spawner \
                blocked in a receive, every worker waiting for work), each followed by one trivial task whose answer \
                is timed (median and worst reported).

                """);

        md.append("### Jobs: processes and binding\n\n| job | engine | workers | binding | spawner's own JVM options "
                + "| processes: role [CPUs allowed] (CPUs its runtime sees) | CPU loop, iterations/ms "
                + "| load average at start → end |\n|---|---|---:|---|---|---|---:|---|\n");
        for (JobFigures j : jobs) {
            md.append("| ").append(name(j)).append(" | ").append(j.engine()).append(" | ").append(j.workers())
                    .append(" | ").append(j.binding()).append(" | ").append(spawnerOptions(j)).append(" | ")
                    .append(j.processes().stream().map(p -> p.role() + " [" + p.cpusAllowed() + "]"
                            + (p.cpusSeen() > 0 ? " (" + p.cpusSeen() + ")" : "")).collect(Collectors.joining(", ")))
                    .append(" | ").append(String.format(Locale.ROOT, "%,d", j.calibration()))
                    .append(" | ").append(j.loadAverageStart()).append(" → ").append(j.loadAverageEnd()).append(" |\n");
        }

        md.append("\n### Efficiency\n\n| job | task | mode | tasks | speed-up (rounds) | efficiency | × cap | tasks/s "
                + "| task CPU µs: serial (% of its wall) → parallel | spawner CPU % | workers' CPU % | other processes' CPU % | all, % "
                + "| most running / slots |\n|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|\n");
        for (JobFigures j : jobs) {
            for (JobFigures.Run r : j.runs()) {
                Map<String, Double> cpu = r.cpuPercent();
                md.append("| ").append(name(j)).append(" | ").append(EfficiencyTargets.size(r.taskMicros()))
                        .append(" | ").append(r.mode()).append(" | ").append(String.format(Locale.ROOT, "%,d", r.tasks()))
                        .append(" | ").append(String.format(Locale.ROOT, "%.2f (%.2f–%.2f)", r.speedup(), r.speedupMin(), r.speedupMax()))
                        .append(" | **").append(f2(r.efficiency())).append("**")
                        .append(" | ").append(r.capEfficiency() > 0
                                ? f2(r.efficiency() / r.capEfficiency()) + " of " + f2(r.capEfficiency()) : "–")
                        .append(" | ").append(String.format(Locale.ROOT, "%,.0f", r.tasksPerSecond()))
                        .append(" | ").append(String.format(Locale.ROOT, "%.0f (%.0f%%) → %.0f", r.taskCpuMicrosSerial(),
                                100 * r.serialCpuShare(), r.taskCpuMicrosParallel()))
                        .append(" | ").append(spawner(cpu)).append(" | ").append(workers(cpu)).append(" | ").append(others(cpu))
                        .append(" | ").append(f1(cpu.getOrDefault(JobProcesses.ALL, -1.0)))
                        .append(" | ").append(r.maxRunning() < 0 ? "–" : r.maxRunning() + " / " + j.workers()).append(" |\n");
            }
        }

        md.append("\n### Idle, and trivial tasks\n\n| job | idle s (windows together) | idle CPU %: spawner | workers | other processes | all "
                + "| answer after each idle window, µs: median, worst, of N (warm) | launch → first result, ms | first N trivial tasks/s (tenths) "
                + "| warm, constant | warm, capturing | farm map, trivial |\n|---|---:|---:|---|---|---:|---:|---:|---|---:|---:|---:|\n");
        for (JobFigures j : jobs) {
            JobFigures.Idle i = j.idle();
            JobFigures.Trivial t = j.trivial();
            Map<String, Double> cpu = i.cpuPercent();
            md.append("| ").append(name(j)).append(" | ").append(f1(i.seconds())).append(" | ").append(spawner(cpu))
                    .append(" | ").append(workers(cpu)).append(" | ").append(others(cpu))
                    .append(" | ").append(f1(cpu.getOrDefault(JobProcesses.ALL, -1.0)))
                    .append(" | ").append(i.windows() == 1 ? String.format(Locale.ROOT, "%,.0f (%,.0f)", i.firstAnswerAfterIdleMicros(), i.warmAnswerMicros())
                            : String.format(Locale.ROOT, "%,.0f, worst %,.0f, of %d (%,.0f)", i.firstAnswerAfterIdleMicros(),
                            i.worstAnswerAfterIdleMicros(), i.windows(), i.warmAnswerMicros()))
                    .append(" | ").append(String.format(Locale.ROOT, "%,.0f", j.launchToFirstResultMillis()))
                    .append(" | ").append(String.format(Locale.ROOT, "%,d at %,.0f (%s)", t.coldTasks(), t.coldTasksPerSecond(),
                            t.coldBlocksTasksPerSecond().stream().map(b -> String.format(Locale.ROOT, "%,.0f", b))
                                    .collect(Collectors.joining(", "))))
                    .append(" | ").append(String.format(Locale.ROOT, "%,.0f", t.warmConstantTasksPerSecond()))
                    .append(" | ").append(String.format(Locale.ROOT, "%,.0f", t.warmCapturingTasksPerSecond()))
                    .append(" | ").append(t.farmMapTasksPerSecond() < 0 ? "–"
                            : String.format(Locale.ROOT, "%,.0f", t.farmMapTasksPerSecond()))
                    .append(" |\n");
        }
        md.append("\nThe anchor has no JIT and no lambdas: its constant and capturing figures are one loop. "
                + "Launch → first result counts from the start of the job's first process (the `timeout` the runner starts).\n");

        md.append("\n### Targets (issue 13)\n\n| target | measured | met |\n|---|---|---|\n");
        for (EfficiencyTargets.Row row : EfficiencyTargets.rows(jobs, cores, seconds, quick)) {
            md.append("| ").append(row.target()).append(" | ").append(row.measured()).append(" | ").append(row.met()).append(" |\n");
        }
        suite.path("skipped").fields().forEachRemaining(e -> md.append("| ").append(e.getKey())
                .append(": every target | not measured: skipped (why: above) | – |\n"));
        md.append("\nNo target is asserted: the run fails only when a job fails. On a shared machine read the load "
                + "averages above before any figure.\n");

        if (chart(jobs, cores + 1, dir)) md.append("\n![parallel efficiency per task size](").append(CHART).append(")\n");
        return md.toString();
    }

    /** Efficiency per task size, a bar per job and mode at {@code ranks} ranks. Returns whether it wrote one. */
    private static boolean chart(List<JobFigures> jobs, int ranks, Path dir) throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(1100).height(600)
                .title("Parallel efficiency (speed-up / workers) at -np " + ranks + ", CPU-bound tasks")
                .xAxisTitle("task size").yAxisTitle("efficiency").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.1);
        TreeSet<Integer> sizes = new TreeSet<>();
        jobs.stream().filter(j -> j.ranks() == ranks).forEach(j -> j.runs().forEach(r -> sizes.add(r.taskMicros())));
        List<String> categories = sizes.stream().map(EfficiencyTargets::size).toList();
        for (JobFigures j : jobs) {
            if (j.ranks() != ranks) continue;
            for (String mode : j.runs().stream().map(JobFigures.Run::mode).distinct().toList()) {
                List<Double> values = new ArrayList<>();
                for (int s : sizes) values.add(EfficiencyTargets.run(j, s, mode).map(JobFigures.Run::efficiency).orElse(0.0));
                chart.addSeries(j.backend() + ", " + mode, categories, values);
            }
        }
        if (chart.getSeriesMap().isEmpty()) return false;
        BitmapEncoder.saveBitmap(chart, dir.resolve(CHART).toString(), BitmapEncoder.BitmapFormat.PNG);
        return true;
    }

    private static String name(JobFigures j) {
        return j.backend() + " np" + j.ranks();
    }

    /** What the spawner's JVM had beyond every rank's options: C1 only, at cores + 1, as {@code paravm run} gives it. */
    private static String spawnerOptions(JobFigures j) {
        if (j.backend().equals(Mpi4pyAnchor.NAME)) return "n/a (Python)";
        if (j.spawnerJvmArgs() == null) return "not recorded";
        return j.spawnerJvmArgs().isEmpty() ? "none" : "`" + String.join(" ", j.spawnerJvmArgs()) + "`";
    }

    private static String spawner(Map<String, Double> cpu) {
        return cpu.entrySet().stream().filter(e -> e.getKey().startsWith("spawner"))
                .map(e -> f1(e.getValue()) + (e.getKey().equals("spawner") ? "" : " (" + e.getKey() + ")"))
                .collect(Collectors.joining(", "));
    }

    private static String workers(Map<String, Double> cpu) {
        String w = cpu.entrySet().stream().filter(e -> e.getKey().startsWith("worker"))
                .map(e -> f1(e.getValue())).collect(Collectors.joining(" / "));
        return w.isEmpty() ? "in the spawner's JVM" : w;
    }

    private static String others(Map<String, Double> cpu) {
        return cpu.entrySet().stream().filter(e -> !e.getKey().startsWith("spawner") && !e.getKey().startsWith("worker")
                        && !e.getKey().equals(JobProcesses.ALL))
                .map(e -> e.getKey() + " " + f1(e.getValue())).collect(Collectors.joining(", "));
    }

    private static String f1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String f2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
