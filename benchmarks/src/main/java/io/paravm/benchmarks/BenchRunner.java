package io.paravm.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paravm.benchmarks.backend.Backend;
import io.paravm.benchmarks.backend.Backends;
import io.paravm.benchmarks.backend.JobPlan;
import io.paravm.benchmarks.baseline.LoopbackLatencyBenchmark;
import io.paravm.benchmarks.dashboard.DashboardRunner;
import io.paravm.benchmarks.efficiency.EfficiencyRunner;
import io.paravm.benchmarks.report.Report;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The orchestrator {@code benchmarks/run.sh} starts: for every installed backend it runs
 * the planned jobs (each under {@code timeout --kill-after=10 N}), then the in-JVM loopback
 * baseline with an ordinary JMH fork, then writes the report. Exits 0 when every job ran,
 * 1 when one failed or timed out, 2 when no backend is installed.
 *
 * <pre>
 * java -cp benchmarks/target/classes:benchmarks/target/lib/* io.paravm.benchmarks.BenchRunner --out DIR
 *     --target benchmarks/target [--quick] [--timeout SECONDS] [--only BACKEND,...] [--suite messaging,efficiency]
 * </pre>
 * {@code --suite efficiency} runs only the parallel-efficiency jobs and their mpi4py anchor
 * ({@link EfficiencyRunner}), {@code --suite messaging} only the rest; both by default.
 * Every backend's jobs run on {@code TARGET/classes} and {@code TARGET/lib-<transport>/*}: Open MPI's
 * and MPJ's jars both define package {@code mpi} and never share a class path. This JVM's own
 * class path holds no engine.
 */
public final class BenchRunner {

    /** JVM options of every rank: a fixed heap, so heap resizing does not move the numbers. */
    static final List<String> RANK_JVM_ARGS = List.of("-Xms1g", "-Xmx1g");
    /**
     * The suites {@code --suite} names: latency, bandwidth, spawn and farm throughput (issue 7); parallel
     * efficiency (issue 13); the dashboard's cost (issue 15).
     */
    static final List<String> SUITES = List.of("messaging", "efficiency", "dashboard");

    /** The suites this run runs. */
    private final List<String> suites;
    /** The dashboard suite's rounds, or 0 for its default. */
    private final int dashboardRounds;
    /** The dashboard suite's pairs of whole jobs, or 0 for its default. */
    private final int dashboardPairs;

    private BenchRunner(List<String> suites, int dashboardRounds, int dashboardPairs) {
        this.suites = suites;
        this.dashboardRounds = dashboardRounds;
        this.dashboardPairs = dashboardPairs;
    }

    public static void main(String[] args) throws Exception {
        Path out = null;
        Path target = null;
        boolean quick = false;
        long timeout = -1;
        List<String> only = new ArrayList<>();
        List<String> suites = SUITES;
        int dashboardRounds = 0;
        int dashboardPairs = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--target" -> target = Path.of(args[++i]);
                case "--quick" -> quick = true;
                case "--timeout" -> timeout = Long.parseLong(args[++i]);
                case "--only" -> only.addAll(List.of(args[++i].split(",")));
                case "--suite" -> suites = List.of(args[++i].split(","));
                case "--rounds" -> dashboardRounds = Integer.parseInt(args[++i]);
                case "--pairs" -> dashboardPairs = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("bench: unknown argument '" + args[i]
                            + "'; use --out DIR --target BENCHMARKS_TARGET_DIR [--quick] [--timeout SECONDS] [--only BACKEND,...] [--suite messaging,efficiency,dashboard] [--rounds N] [--pairs N]");
                    System.exit(2);
                }
            }
        }
        if (out == null || target == null) {
            System.err.println("bench: --out DIR and --target BENCHMARKS_TARGET_DIR are required");
            System.exit(2);
        }
        if (timeout < 0) timeout = quick ? 300 : 3600;
        List<String> known = Backends.ALL.stream().map(Backend::name).toList();
        for (String name : only) {
            if (!known.contains(name)) {
                System.err.println("bench: unknown backend '" + name + "' in --only; the backends are " + known);
                System.exit(2);
            }
        }
        if (!SUITES.containsAll(suites)) {
            System.err.println("bench: unknown suite in --suite " + String.join(",", suites) + "; the suites are " + SUITES);
            System.exit(2);
        }
        System.exit(new BenchRunner(suites, dashboardRounds, dashboardPairs).run(out.toAbsolutePath(), target.toAbsolutePath(), quick, timeout, only));
    }

    /**
     * The class path of {@code backend}'s jobs if they can run here and were asked for; otherwise
     * empty, with the reason said and put in {@code skipped} (under the backend's name).
     *
     * @param suite the suite asking, for the line it prints ("" for the messaging suite)
     */
    public static Optional<String> runnable(Backend backend, Path target, List<String> only, Map<String, String> skipped,
                                            String suite) {
        if (!only.isEmpty() && !only.contains(backend.name())) {
            skipped.put(backend.name(), "not asked for (--only " + String.join(",", only) + ")");
            return Optional.empty();
        }
        Optional<String> classPath = jobClassPath(target, backend);
        Optional<String> cause = classPath.isEmpty()
                ? Optional.of(target.resolve("lib-" + backend.transport()) + " is missing; build with benchmarks/run.sh")
                : backend.unavailabilityCause();
        if (cause.isPresent()) {
            System.out.println("bench: " + (suite.isEmpty() ? "" : suite + ": ") + "skipping " + backend.name() + ": " + cause.get());
            skipped.put(backend.name(), cause.get());
            return Optional.empty();
        }
        return classPath;
    }

    /** The class path of {@code backend}'s jobs, or empty if it has not been built. */
    public static Optional<String> jobClassPath(Path target, Backend backend) {
        Path lib = target.resolve("lib-" + backend.transport());
        if (!Files.isDirectory(lib) || !Files.isDirectory(target.resolve("classes"))) return Optional.empty();
        return Optional.of(target.resolve("classes") + File.pathSeparator + lib.resolve("*"));
    }

    private int run(Path out, Path target, boolean quick, long timeout, List<String> only) throws Exception {
        Files.createDirectories(out.resolve("logs"));
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("date", ZonedDateTime.now().toString());
        machine.put("mode", quick ? "quick" : "full");
        machine.put("cpus", Runtime.getRuntime().availableProcessors());
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        machine.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        machine.put("rankJvmArgs", RANK_JVM_ARGS);
        machine.put("loadAverageStart", BenchJob.loadAverage());
        machine.put("suites", suites);
        Map<String, String> skipped = new LinkedHashMap<>();
        machine.put("skipped", skipped);

        boolean failed = false;
        int ran = 0;
        for (Backend backend : suites.contains("messaging") ? Backends.ALL : List.<Backend>of()) {
            Optional<String> classPath = runnable(backend, target, only, skipped, "");
            if (classPath.isEmpty()) continue;
            for (JobPlan plan : backend.plans(quick)) {
                ran++;
                String prefix = backend.name() + "-" + plan.label();
                List<String> jobArgs = new ArrayList<>(List.of("--backend", backend.name(), "--out", out.toString(),
                        "--label", plan.label()));
                if (quick) jobArgs.add("--quick");
                if (plan.tasksOnly()) jobArgs.add("--tasks-only");
                List<String> cmd = new ArrayList<>(List.of("timeout", "--kill-after=10", String.valueOf(timeout)));
                List<String> spawnerJvmArgs = Backends.spawnerJvmArgs(backend, plan.ranks(), RANK_JVM_ARGS);
                cmd.addAll(backend.jobCommand(plan.ranks(), classPath.get(), RANK_JVM_ARGS, spawnerJvmArgs,
                        BenchJob.class.getName(), jobArgs));
                Path log = out.resolve("logs").resolve(prefix + ".log");
                System.out.println("bench: " + prefix + ": " + String.join(" ", cmd));
                int rc = runLogged(cmd, backend.jobEnvironment(), log, timeout + 30);
                Path jobJson = out.resolve("job-" + prefix + ".json");
                if (rc != 0 || !Files.exists(jobJson)) {
                    failed = true;
                    System.out.println("bench: " + prefix + " FAILED (exit " + rc + (rc == 124 || rc == 137
                            ? ", killed by the " + timeout + " s timeout" : "") + "); last lines of " + log + ":");
                    List<String> lines = Files.readAllLines(log);
                    lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> System.out.println("  | " + l));
                    continue;
                }
                ObjectNode job = (ObjectNode) json.readTree(jobJson.toFile());
                job.put("binding", backend.binding(log));
                job.putPOJO("spawnerJvmArgs", spawnerJvmArgs);
                json.writeValue(jobJson.toFile(), job);
            }
        }

        if (suites.contains("efficiency")) {
            SuiteOutcome efficiency = EfficiencyRunner.run(out, target, quick, timeout, only, RANK_JVM_ARGS);
            ran += efficiency.jobs();
            failed |= efficiency.failed();
        }

        if (suites.contains("dashboard")) {
            SuiteOutcome dashboard = DashboardRunner.run(out, target, quick, timeout, only, dashboardRounds, dashboardPairs,
                    RANK_JVM_ARGS);
            ran += dashboard.jobs();
            failed |= dashboard.failed();
        }

        if (suites.contains("messaging")) {
            System.out.println("bench: in-JVM loopback baseline (JMH, 1 fork)");
            try {
                new Runner(new OptionsBuilder()
                        .include(LoopbackLatencyBenchmark.class.getName())
                        .forks(1).threads(1)
                        .jvmArgs(RANK_JVM_ARGS.toArray(String[]::new))
                        .warmupIterations(quick ? 1 : 3).warmupTime(TimeValue.milliseconds(quick ? 400 : 1000))
                        .measurementIterations(quick ? 2 : 5).measurementTime(TimeValue.milliseconds(quick ? 400 : 2000))
                        .shouldFailOnError(true)
                        .resultFormat(ResultFormatType.JSON).result(out.resolve("jmh-loopback.json").toString())
                        .output(out.resolve("logs").resolve("loopback.log").toString())
                        .build()).run();
            } catch (Exception e) {
                failed = true;
                System.out.println("bench: loopback baseline FAILED: " + e);
            }
        }

        json.writeValue(out.resolve("machine.json").toFile(), machine);
        if (ran == 0) {
            System.out.println("bench: no backend is installed here (" + skipped + "); nothing was measured");
            return 2;
        }
        String markdown = Report.write(out);
        System.out.println();
        System.out.println(markdown);
        System.out.println("bench: report in " + out.resolve(Report.MARKDOWN) + (Files.exists(out.resolve(Report.CHART)) ? ", chart " + out.resolve(Report.CHART) : ""));
        return failed ? 1 : 0;
    }

    /** Runs {@code cmd}, copying its output to {@code log} and echoing the progress lines. */
    public static int runLogged(List<String> cmd, Map<String, String> env, Path log, long hardLimitSeconds)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        Thread pump = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                 PrintWriter w = new PrintWriter(Files.newBufferedWriter(log))) {
                String line;
                while ((line = in.readLine()) != null) {
                    w.println(line);
                    if (line.startsWith("bench:") || line.startsWith("# Benchmark:") || line.startsWith("# Parameters:")
                            || line.contains("Exception") || line.contains("ERROR")) {
                        System.out.println("  " + line);
                    }
                }
            } catch (IOException e) {
                System.out.println("bench: lost the job's output: " + e);
            }
        }, "job-output");
        pump.start();
        // `timeout` ends the job. Ranks seen under it are remembered, so that any a killed
        // mpirun left behind are ended too (by their pid, nothing broader).
        java.util.Set<ProcessHandle> seen = new java.util.HashSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(hardLimitSeconds);
        while (!p.waitFor(2, TimeUnit.SECONDS)) {
            p.descendants().forEach(seen::add);
            if (System.nanoTime() - deadline > 0) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor();
                break;
            }
        }
        int rc = p.exitValue();
        if (rc != 0) seen.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        pump.join(10_000);
        return rc;
    }
}
