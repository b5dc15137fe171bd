package io.paravm.benchmarks.efficiency;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paravm.benchmarks.BenchRunner;
import io.paravm.benchmarks.SuiteOutcome;
import io.paravm.benchmarks.backend.Backend;
import io.paravm.benchmarks.backend.Backends;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The efficiency suite's orchestrator side (issue 13), called by {@link BenchRunner} for
 * {@code --suite efficiency}: for every installed backend, one {@link EfficiencyJob} per rank
 * count of {@link EfficiencyPlan#ranks} (cores + 1, and in the full run cores), each under
 * {@code timeout --kill-after=10 N}; then the mpi4py anchor at the same rank counts; then
 * {@code efficiency-suite.json} (the machine's cores, what was skipped and why, how long the
 * suite took). {@link EfficiencyReport} turns them into the report's section and chart.
 *
 * <pre>{@code
 * SuiteOutcome o = EfficiencyRunner.run(out, target, quick, 300, List.of(), List.of("-Xms1g", "-Xmx1g"));
 * }</pre>
 */
public final class EfficiencyRunner {

    /** The suite's own record. */
    static final String SUITE_JSON = "efficiency-suite.json";
    /** The anchor's script, under the benchmarks module. */
    static final String ANCHOR_SCRIPT = "anchor/efficiency_anchor.py";

    private EfficiencyRunner() {
    }

    /**
     * Runs the suite.
     *
     * @param out         the result directory
     * @param target      {@code benchmarks/target}
     * @param quick       CI's smoke mode: ~1 ms tasks only, cores + 1 ranks only
     * @param timeout     each job's limit, s
     * @param only        the backends asked for (empty: all); the anchor always runs
     * @param rankJvmArgs JVM options of every rank
     */
    public static SuiteOutcome run(Path out, Path target, boolean quick, long timeout, List<String> only, List<String> rankJvmArgs)
            throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        int cores = Runtime.getRuntime().availableProcessors();
        EfficiencyPlan plan = EfficiencyPlan.of(quick);
        List<Integer> rankCounts = EfficiencyPlan.ranks(quick, cores);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Map<String, String> skipped = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        int jobs = 0;
        List<String> common = new ArrayList<>(List.of("--out", out.toString(), "--runner-pid",
                String.valueOf(ProcessHandle.current().pid())));
        if (quick) common.add("--quick");
        common.addAll(plan.args());
        System.out.println("bench: efficiency suite (issue 13): " + cores + " cores, ranks " + rankCounts + ", " + plan);

        for (Backend backend : Backends.ALL) {
            Optional<String> classPath = BenchRunner.runnable(backend, target, only, skipped, "efficiency");
            if (classPath.isEmpty()) continue;
            for (int ranks : rankCounts) {
                jobs++;
                String prefix = backend.name() + "-np" + ranks;
                List<String> args = new ArrayList<>(List.of("--backend", backend.name(), "--label", "np" + ranks));
                args.addAll(common);
                List<String> cmd = limited(timeout);
                List<String> spawnerJvmArgs = Backends.spawnerJvmArgs(backend, ranks, rankJvmArgs);
                cmd.addAll(backend.jobCommand(ranks, classPath.get(), rankJvmArgs, spawnerJvmArgs,
                        EfficiencyJob.class.getName(), args));
                if (!runJob(prefix, cmd, backend.jobEnvironment(), out, timeout, json, backend::binding, spawnerJvmArgs)) {
                    failures.add(prefix);
                }
            }
        }

        Mpi4pyAnchor anchor = new Mpi4pyAnchor(target.getParent().resolve(ANCHOR_SCRIPT));
        Optional<String> anchorCause = anchor.unavailabilityCause();
        if (anchorCause.isPresent()) {
            System.out.println("bench: efficiency: skipping the mpi4py anchor: " + anchorCause.get());
            skipped.put(Mpi4pyAnchor.NAME, anchorCause.get());
        } else {
            for (int ranks : rankCounts) {
                jobs++;
                String prefix = Mpi4pyAnchor.NAME + "-np" + ranks;
                List<String> args = new ArrayList<>(List.of("--label", "np" + ranks));
                args.addAll(common);
                List<String> cmd = limited(timeout);
                cmd.addAll(anchor.command(ranks, args));
                if (!runJob(prefix, cmd, anchor.environment(), out, timeout, json, anchor::binding, List.of())) {
                    failures.add(prefix);
                }
            }
        }

        Map<String, Object> suite = new LinkedHashMap<>();
        suite.put("mode", quick ? "quick" : "full");
        suite.put("cores", cores);
        suite.put("ranks", rankCounts);
        suite.put("plan", plan);
        suite.put("rankJvmArgs", rankJvmArgs);
        suite.put("skipped", skipped);
        suite.put("failed", failures);
        suite.put("seconds", (System.nanoTime() - t0) / 1e9);
        json.writeValue(out.resolve(SUITE_JSON).toFile(), suite);
        System.out.printf("bench: efficiency suite: %d job(s) in %.0f s%s%n", jobs, (System.nanoTime() - t0) / 1e9,
                failures.isEmpty() ? "" : ", FAILED: " + failures);
        return new SuiteOutcome(jobs, !failures.isEmpty());
    }

    private static List<String> limited(long timeout) {
        return new ArrayList<>(List.of("timeout", "--kill-after=10", String.valueOf(timeout)));
    }

    /** How a job's ranks were bound, read from its log. */
    private interface Binding {
        String of(Path log);
    }

    /** Runs one job; adds the binding and the spawner's own JVM options to its JSON. Returns whether it ran and wrote its figures. */
    private static boolean runJob(String prefix, List<String> cmd, Map<String, String> env, Path out, long timeout,
                                  ObjectMapper json, Binding binding, List<String> spawnerJvmArgs)
            throws IOException, InterruptedException {
        Path log = out.resolve("logs").resolve("efficiency-" + prefix + ".log");
        Files.createDirectories(log.getParent());
        System.out.println("bench: efficiency " + prefix + ": " + String.join(" ", cmd));
        Path figures = out.resolve("efficiency-" + prefix + ".json");
        Files.deleteIfExists(figures);
        int rc = BenchRunner.runLogged(cmd, env, log, timeout + 30);
        if (rc != 0 || !Files.exists(figures)) {
            System.out.println("bench: efficiency " + prefix + " FAILED (exit " + rc + (rc == 124 || rc == 137
                    ? ", killed by the " + timeout + " s timeout" : "") + "); last lines of " + log + ":");
            List<String> lines = Files.readAllLines(log);
            lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> System.out.println("  | " + l));
            return false;
        }
        ObjectNode job = (ObjectNode) json.readTree(figures.toFile());
        job.put("binding", binding.of(log));
        job.putPOJO("spawnerJvmArgs", spawnerJvmArgs);
        json.writeValue(figures.toFile(), job);
        return true;
    }
}
