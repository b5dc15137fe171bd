package io.paravm.benchmarks.dashboard;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paravm.benchmarks.Stats;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The dashboard suite's section of {@code report.md}, from {@value DashboardRunner#SUITE_JSON} and
 * every {@code dashboard-<job>.json} of a result directory; empty when the suite did not run.
 *
 * <pre>{@code
 * String markdown = DashboardReport.section(Path.of("benchmarks/results/latest"));
 * }</pre>
 */
public final class DashboardReport {

    private DashboardReport() {
    }

    /** The section, or "" when {@code dir} holds no dashboard results. */
    public static String section(Path dir) throws IOException {
        Path suiteFile = dir.resolve(DashboardRunner.SUITE_JSON);
        if (!Files.exists(suiteFile)) return "";
        ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        JsonNode suite = json.readTree(suiteFile.toFile());
        List<DashboardFigures> jobs = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().matches("dashboard-.*-np\\d+\\.json")).toList()) {
                jobs.add(json.readValue(p.toFile(), DashboardFigures.class));
            }
        }
        jobs.sort(Comparator.comparing(DashboardFigures::backend));
        List<WholeJobFigures> whole = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().matches("dashboard-whole-.*\\.json")).toList()) {
                whole.add(json.readValue(p.toFile(), WholeJobFigures.class));
            }
        }
        StringBuilder md = new StringBuilder("\n## The dashboard's cost (issue 15)\n\n");
        md.append("`TaskFarm.map` of `x -> x` (the most events a second a farm makes)");
        whole.stream().filter(f -> f.taskIterations() > 0).findFirst().ifPresent(f -> md.append(", and in the rows labelled `-")
                .append(DashboardRunner.CPU_BOUND_LABEL).append("` of a CPU-bound function (a user's tasks: ")
                .append(String.format("%,d", f.taskIterations())).append(" iterations of the efficiency suite's loop, about ")
                .append(DashboardRunner.CPU_BOUND_MICROS).append(" µs, the same in every job)"));
        md.append(", with the dashboard off and on; ")
                .append("\"on\" has a page reading its live stream. Target: on at most ")
                .append(String.format("%.0f", -DashboardFigures.TARGET_PERCENT)).append("% slower than off, in the same run (")
                .append(suite.path("mode").asText()).append(" mode), read from the whole jobs when they ran: ")
                .append("a user's run starts the dashboard once.\n\n");
        md.append(wholeJobs(whole));
        md.append("\n### The dashboard started and stopped each round, in one job\n\n");
        if (jobs.isEmpty()) {
            md.append("No job wrote figures.\n");
        } else {
            md.append("| backend | ranks | inputs | rounds | off, median tasks/s (range) | on, median tasks/s (range) | medians, on vs off "
                    + "| each round's on vs its off: median (range) | target met |\n")
                    .append("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
            for (DashboardFigures f : jobs) {
                md.append("| ").append(f.backend()).append(" | ").append(f.label()).append(" | ")
                        .append(String.format("%,d", f.inputs())).append(" | ").append(f.off().size()).append(" | ")
                        .append(rate(f.medianOff(), f.off())).append(" | ").append(rate(f.medianOn(), f.on())).append(" | ")
                        .append(String.format("%+.1f%%", f.changePercent())).append(" | ")
                        .append(String.format("%+.1f%% (%s)", f.pairedChangePercent(), roundRange(f))).append(" | ")
                        .append(f.targetMet() ? "yes" : "no").append(" |\n");
            }
            md.append("\nA round is one map with the dashboard off and one with it on, back to back (which goes first alternates); ")
                    .append("the target is read from the median of the rounds' on/off, which a drift of the machine's speed between ")
                    .append("rounds does not move. The ranges show the machine's noise: a difference inside them is not the dashboard's. ")
                    .append("The 95% interval of that median assumes nothing of the noise's shape (order statistics): the ")
                    .append("dashboard's true cost lies in it, 19 times in 20. Unlike a user's run, each \"on\" round here ")
                    .append("starts the dashboard anew and the page is open for that map only, and the listener comes and goes ")
                    .append("(the JIT recompiles the VM's event paths): so the whole jobs above are the user's case, and the ")
                    .append("\"target met\" column here says what these rounds alone would say.\n");
        }
        md.append(listenerCost(dir, json, jobs));
        JsonNode skipped = suite.path("skipped");
        if (skipped.size() > 0) {
            List<String> why = new ArrayList<>();
            skipped.fields().forEachRemaining(e -> why.add(e.getKey() + " (" + e.getValue().asText() + ")"));
            md.append("\nNot measured: ").append(String.join("; ", why)).append(".\n");
        }
        return md.toString();
    }

    /**
     * The whole-job pairs, per backend: each pair's on against its off (the medians of their timed
     * maps), the median of those with its 95% interval, and the target read from it.
     */
    private static String wholeJobs(List<WholeJobFigures> whole) {
        if (whole.isEmpty()) return "No pairs of whole jobs ran.\n";
        StringBuilder md = new StringBuilder("Pairs of jobs, one with the dashboard and a page on from its start, one without ")
                .append("(which runs first alternates); each times its maps after three untimed ones.\n\n")
                .append("| backend | ranks | inputs | pairs | maps a job | off, median of the jobs' medians, tasks/s (range) "
                        + "| on, likewise | each pair's on vs its off: median (95% interval; range; slower in) | target met |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        Map<String, List<WholeJobFigures>> byJob = new TreeMap<>();
        for (WholeJobFigures f : whole) byJob.computeIfAbsent(f.backend() + " " + f.label(), k -> new ArrayList<>()).add(f);
        byJob.forEach((key, jobs) -> {
            Map<Integer, Double> off = new TreeMap<>();
            Map<Integer, Double> on = new TreeMap<>();
            for (WholeJobFigures f : jobs) (f.dashboard() ? on : off).put(f.pair(), f.median());
            List<Double> change = new ArrayList<>();
            for (var e : off.entrySet()) {
                Double o = on.get(e.getKey());
                if (o != null) change.add((o / e.getValue() - 1) * 100);
            }
            WholeJobFigures first = jobs.get(0);
            md.append("| ").append(first.backend()).append(" | ").append(first.label()).append(" | ")
                    .append(String.format("%,d", first.inputs())).append(" | ").append(change.size()).append(" | ")
                    .append(first.rates().size()).append(" | ")
                    .append(rate(off.isEmpty() ? Double.NaN : Stats.median(new ArrayList<>(off.values())), new ArrayList<>(off.values())))
                    .append(" | ")
                    .append(rate(on.isEmpty() ? Double.NaN : Stats.median(new ArrayList<>(on.values())), new ArrayList<>(on.values())))
                    .append(" | ");
            if (change.isEmpty()) {
                md.append("– | – |\n");
                return;
            }
            double median = Stats.median(change);
            double[] ci = Stats.medianInterval(change, 0.95);
            md.append(String.format("%+.1f%% (%s%+.0f%% to %+.0f%%; slower in %d of %d)", median,
                            ci == null ? "interval: too few pairs; range " : String.format("%+.1f%% to %+.1f%%; range ", ci[0], ci[1]),
                            Stats.min(change), Stats.max(change), change.stream().filter(c -> c < 0).count(), change.size()))
                    .append(" | ").append(median >= DashboardFigures.TARGET_PERCENT ? "yes" : "no")
                    .append(ci == null ? "" : ci[0] >= DashboardFigures.TARGET_PERCENT || ci[1] < DashboardFigures.TARGET_PERCENT
                            ? " (the whole interval)" : " (the interval spans the target)")
                    .append(" |\n");
        });
        return md.toString();
    }

    /**
     * The listener's cost per farm task from JMH, and what it is at each job's rate with the
     * dashboard off: the share of one core the spawner spends on it.
     */
    private static String listenerCost(Path dir, ObjectMapper json, List<DashboardFigures> jobs) throws IOException {
        Path file = dir.resolve(DashboardRunner.LISTENER_JSON);
        if (!Files.exists(file)) return "";
        Double off = null;
        Double on = null;
        for (JsonNode b : json.readTree(file.toFile())) {
            double ns = b.path("primaryMetric").path("score").asDouble();
            String which = b.path("params").path("listener").asText();
            if (which.equals("off")) off = ns;
            if (which.equals("on")) on = ns;
        }
        if (off == null || on == null) return "";
        double added = on - off;
        StringBuilder md = new StringBuilder(String.format("%nThe listener alone, in one JVM (JMH, `DashboardListenerBenchmark`: one "
                + "farm task's events as the farm and the frame channel tell them): %.0f ns a task with the dashboard's listener, "
                + "%.0f ns with none, so it adds %.0f ns a task", on, off, added));
        List<String> shares = new ArrayList<>();
        for (DashboardFigures f : jobs) {
            shares.add(String.format("%.1f%% of a core at %s's %,.0f tasks/s", added * f.medianOff() / 1e7, f.backend(), f.medianOff()));
        }
        md.append(shares.isEmpty() ? "." : ": " + String.join("; ", shares) + ".")
                .append(" The spawner's thread that farms spends that on each task besides what the farm and the engine cost, ")
                .append("measured without the machine's noise. Whatever the jobs above lose beyond it is not the listener's own CPU.\n");
        return md.toString();
    }

    private static String roundRange(DashboardFigures f) {
        List<Double> change = f.roundChangesPercent();
        double[] ci = f.pairedChangeInterval();
        return change.isEmpty() ? "–" : String.format("%s%+.0f%% to %+.0f%%; slower in %d of %d",
                ci == null ? "" : String.format("95%% interval %+.1f%% to %+.1f%%; range ", ci[0], ci[1]),
                Stats.min(change), Stats.max(change), change.stream().filter(c -> c < 0).count(), change.size());
    }

    private static String rate(double median, List<Double> rounds) {
        return String.format("%,.0f (%s)", median, rounds.isEmpty() ? "–"
                : String.format("%,.0f-%,.0f", Stats.min(rounds), Stats.max(rounds)));
    }
}
