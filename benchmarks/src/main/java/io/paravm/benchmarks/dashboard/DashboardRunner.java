package io.paravm.benchmarks.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.paravm.benchmarks.BenchRunner;
import io.paravm.benchmarks.SuiteOutcome;
import io.paravm.benchmarks.backend.Backend;
import io.paravm.benchmarks.backend.Backends;
import io.paravm.benchmarks.efficiency.CpuWork;
import io.paravm.dashboard.DashboardListenerBenchmark;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The dashboard suite (issue 15), called by {@link BenchRunner} for {@code --suite dashboard}: one
 * {@link DashboardOverheadJob} per backend at cores + 1 ranks (the launcher's default), each under
 * {@code timeout --kill-after=10 N}, then pairs of whole jobs, one with the dashboard on from its
 * start and one without (which runs first alternates), as a user's run has it: in full mode one
 * set mapping {@code x -> x} and one mapping a CPU-bound function of about 1 ms, the user's case
 * ({@value #CPU_BOUND_LABEL} in the label); the quick mode (CI) runs the default engine's trivial
 * pair only. Before them, the listener's cost per farm task in one JVM
 * (JMH). Writes {@value #SUITE_JSON}: what ran, what was skipped and why. {@link DashboardReport}
 * makes the report's section.
 *
 * <pre>{@code
 * SuiteOutcome o = DashboardRunner.run(out, target, quick, 300, List.of(), 0, 0, List.of("-Xms1g", "-Xmx1g"));
 * }</pre>
 */
public final class DashboardRunner {

    /** The suite's own record. */
    static final String SUITE_JSON = "dashboard-suite.json";
    /** JMH's results of {@code DashboardListenerBenchmark}. */
    static final String LISTENER_JSON = "jmh-dashboard-listener.json";
    /** The full mode's second set of pairs: a CPU-bound function of about this many µs, over {@value #CPU_BOUND_INPUTS} inputs. */
    static final int CPU_BOUND_MICROS = 1000;
    static final int CPU_BOUND_INPUTS = 2000;
    static final String CPU_BOUND_LABEL = "1ms";

    /**
     * Pairs of whole jobs per backend and kind of task in full mode: a pair of {@code x -> x} jobs takes about 30 s on
     * openmpi and 2 min on hazelcast, a pair of CPU-bound ones about 40 s and 1 min.
     */
    static final int PAIRS = 6;
    /** The backend of the quick mode: the README's default engine. */
    static final String QUICK_BACKEND = "hazelcast";

    private DashboardRunner() {
    }

    /**
     * Runs the suite.
     *
     * @param out         the result directory
     * @param target      {@code benchmarks/target}
     * @param quick       CI's smoke mode: the default engine only, fewer and shorter rounds
     * @param timeout     each job's limit, s
     * @param only        the backends asked for (empty: all, or the default engine's in quick mode)
     * @param rounds      rounds of each job, or 0 for the job's default (15; quick: 5)
     * @param pairs       pairs of whole jobs per backend, or 0 for the default ({@value #PAIRS}; quick: 1)
     * @param rankJvmArgs JVM options of every rank
     */
    public static SuiteOutcome run(Path out, Path target, boolean quick, long timeout, List<String> only, int rounds,
                                 int pairs, List<String> rankJvmArgs)
            throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        int ranks = Runtime.getRuntime().availableProcessors() + 1;
        Map<String, String> skipped = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        int jobs = 0;
        System.out.println("bench: dashboard suite (issue 15): map of x -> x" + (quick ? "" : " and of ~" + CPU_BOUND_MICROS
                + " µs tasks") + " with the dashboard off and on, " + ranks + " ranks");
        // One size for every CPU-bound job, measured here while no job runs: the two jobs of a pair then map the same work.
        long iterations = quick ? 0 : Math.max(1, CpuWork.calibrate(300).iterationsPerMilli() * CPU_BOUND_MICROS / 1000);
        if (!quick) System.out.printf("bench: dashboard: ~%d µs tasks are %,d iterations of the CPU loop%n", CPU_BOUND_MICROS, iterations);
        List<String> cpuBound = List.of("--task-iterations", Long.toString(iterations), "--inputs", Integer.toString(CPU_BOUND_INPUTS));
        if (!listenerCost(out, quick, rankJvmArgs)) failures.add("listener");
        for (Backend backend : Backends.ALL) {
            if (quick && only.isEmpty() && !backend.name().equals(QUICK_BACKEND)) {
                skipped.put(backend.name(), "the quick mode measures the default engine (" + QUICK_BACKEND + ") only");
                continue;
            }
            Optional<String> classPath = BenchRunner.runnable(backend, target, only, skipped, "dashboard");
            if (classPath.isEmpty()) continue;
            jobs++;
            String prefix = backend.name() + "-np" + ranks;
            List<String> args = new ArrayList<>(List.of("--backend", backend.name(), "--out", out.toString(), "--label", "np" + ranks));
            if (quick) args.add("--quick");
            if (rounds > 0) args.addAll(List.of("--rounds", Integer.toString(rounds)));
            if (!job(backend, ranks, classPath.get(), rankJvmArgs, args, out, prefix, out.resolve("dashboard-" + prefix + ".json"),
                    timeout)) {
                failures.add(prefix);
            }
            int wholePairs = pairs > 0 ? pairs : quick ? 1 : PAIRS;
            // Trivial tasks (the most events a second), then, in full mode, tasks of a user's size.
            List<List<String>> kinds = quick ? List.of(List.of()) : List.of(List.of(), cpuBound);
            for (List<String> kind : kinds) {
                String label = "np" + ranks + (kind.isEmpty() ? "" : "-" + CPU_BOUND_LABEL);
                for (int p = 0; p < wholePairs; p++) {
                    for (boolean on : p % 2 == 0 ? new boolean[] {false, true} : new boolean[] {true, false}) {
                        List<String> whole = new ArrayList<>(List.of("--backend", backend.name(), "--out", out.toString(),
                                "--label", label, "--whole", on ? "on" : "off", "--pair", Integer.toString(p)));
                        whole.addAll(kind);
                        if (quick) whole.add("--quick");
                        String name = backend.name() + "-" + label + "-p" + p + "-" + (on ? "on" : "off");
                        if (!job(backend, ranks, classPath.get(), rankJvmArgs, whole, out, "whole-" + name,
                                out.resolve(WholeJobFigures.fileName(backend.name(), label, p, on)), timeout)) {
                            failures.add("whole-" + name);
                        }
                    }
                }
            }
        }
        Map<String, Object> suite = new LinkedHashMap<>();
        suite.put("cores", Runtime.getRuntime().availableProcessors());
        suite.put("mode", quick ? "quick" : "full");
        suite.put("ranks", ranks);
        suite.put("skipped", skipped);
        suite.put("failed", failures);
        suite.put("seconds", (System.nanoTime() - t0) / 1e9);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve(SUITE_JSON).toFile(), suite);
        return new SuiteOutcome(jobs, !failures.isEmpty());
    }

    /**
     * Runs one {@link DashboardOverheadJob} under {@code timeout}, logged to
     * {@code logs/dashboard-<name>.log}.
     *
     * @return whether it ended well and wrote {@code figures}
     */
    private static boolean job(Backend backend, int ranks, String classPath, List<String> rankJvmArgs, List<String> args,
                               Path out, String name, Path figures, long timeout) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("timeout", "--kill-after=10", String.valueOf(timeout)));
        cmd.addAll(backend.jobCommand(ranks, classPath, rankJvmArgs, Backends.spawnerJvmArgs(backend, ranks, rankJvmArgs),
                DashboardOverheadJob.class.getName(), args));
        Path log = out.resolve("logs").resolve("dashboard-" + name + ".log");
        Files.createDirectories(log.getParent());
        Files.deleteIfExists(figures);
        System.out.println("bench: dashboard " + name + ": " + String.join(" ", cmd));
        int rc = BenchRunner.runLogged(cmd, backend.jobEnvironment(), log, timeout + 30);
        if (rc != 0 || !Files.exists(figures)) {
            System.out.println("bench: dashboard " + name + " FAILED (exit " + rc + "); see " + log);
            return false;
        }
        return true;
    }

    /**
     * The listener's own cost per farm task, in one JVM ({@code DashboardListenerBenchmark}, JMH,
     * one fork): what the on/off rounds cannot resolve on a noisy machine.
     *
     * @return whether it ran
     */
    private static boolean listenerCost(Path out, boolean quick, List<String> jvmArgs) {
        System.out.println("bench: dashboard listener cost per farm task (JMH, 1 fork)");
        try {
            Files.createDirectories(out.resolve("logs"));
            new Runner(new OptionsBuilder()
                    .include(DashboardListenerBenchmark.class.getName())
                    .forks(1).threads(1)
                    .jvmArgs(jvmArgs.toArray(String[]::new))
                    .warmupIterations(quick ? 1 : 3).warmupTime(TimeValue.milliseconds(quick ? 300 : 1000))
                    .measurementIterations(quick ? 2 : 5).measurementTime(TimeValue.milliseconds(quick ? 300 : 1000))
                    .shouldFailOnError(true)
                    .resultFormat(ResultFormatType.JSON).result(out.resolve(LISTENER_JSON).toString())
                    .output(out.resolve("logs").resolve("dashboard-listener.log").toString())
                    .build()).run();
            return true;
        } catch (Exception e) {
            System.out.println("bench: dashboard listener cost FAILED: " + e);
            return false;
        }
    }
}
