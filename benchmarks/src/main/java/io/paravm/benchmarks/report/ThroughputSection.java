package io.paravm.benchmarks.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.paravm.benchmarks.backend.Backends;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.Styler;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * The messaging report's task-throughput sections: the spawn loop's tasks/s beside the raw
 * engine's round trip, and the task farm's map in each mode beside the spawn loop of the same
 * job, with the farm's chart. Writes into {@link Report}'s document and adds to its targets.
 *
 * <pre>{@code
 * ThroughputSection throughput = new ThroughputSection(md, targets);
 * throughput.spawn(jobs, rawRoundTrip8);
 * CategoryChart farmChart = throughput.farm(jobs);
 * }</pre>
 */
final class ThroughputSection {

    private final StringBuilder md;
    private final List<Report.Target> targets;

    /**
     * @param md      the report's document, appended to
     * @param targets the report's targets, added to
     */
    ThroughputSection(StringBuilder md, List<Report.Target> targets) {
        this.md = md;
        this.targets = targets;
    }

    void spawn(Map<String, JsonNode> jobs, Map<String, Double> rawRoundTrip8) {
        md.append("## Spawn throughput (trivial task with sendBack; the next task into a slot when its TaskExit arrives)\n\n")
                .append("| backend | ranks | worker slots | tasks/s | × target | spawn→result median µs | p99 µs "
                        + "| spawn→exit median µs | × raw 8 B round trip | alloc B/task, spawner | alloc B/task, workers |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (var e : jobs.entrySet()) {
            JsonNode j = e.getValue();
            JsonNode s = j.path("spawn");
            if (s.isMissingNode()) continue;
            String backend = Report.text(j, "backend");
            OptionalDouble goal = Backends.named(backend).targets().spawnTasksPerSecond();
            Double raw = rawRoundTrip8.get(backend);
            double tps = s.path("tasksPerSecond").asDouble();
            md.append("| ").append(backend).append(" | ").append(j.path("ranks").asInt())
                    .append(" | ").append(s.path("slots").asInt())
                    .append(" | ").append(String.format(Locale.ROOT, "%,.0f", tps))
                    .append(" | ").append(goal.isPresent() ? Report.f2(tps / goal.getAsDouble()) + "× " + thousands(goal.getAsDouble()) : "–")
                    .append(" | ").append(Report.f(s.path("resultMedianMicros").asDouble()))
                    .append(" | ").append(Report.f(s.path("resultP99Micros").asDouble()))
                    .append(" | ").append(Report.f(s.path("exitMedianMicros").asDouble()))
                    .append(" | ").append(raw == null ? "–" : Report.f2(s.path("resultMedianMicros").asDouble() / raw) + "×")
                    .append(" | ").append(Report.f(s.path("spawnerBytesPerTask").asDouble()))
                    .append(" | ").append(Report.f(s.path("workerBytesPerTask").asDouble()))
                    .append(" |\n");
            if (goal.isPresent() && j.path("ranks").asInt() == 2) {
                targets.add(Report.Target.of(backend, e.getKey() + ": spawn throughput ≥ " + String.format(Locale.ROOT, "%,.0f",
                        goal.getAsDouble()) + " tasks/s with 2 ranks", String.format(Locale.ROOT, "%,.0f tasks/s", tps),
                        tps >= goal.getAsDouble()));
            }
        }
        md.append("\n× raw 8 B round trip: spawn→result median over the raw engine's 8 B round-trip median "
                + "(a task needs at least one round trip).\n\n");
    }

    /**
     * The task farm's table: per job, tasks/s of each mode, its gain over one task in flight,
     * and its ratio to the plain spawn throughput of the same job (no engine has a farm to
     * compare with). Returns the chart of the same figures.
     */
    CategoryChart farm(Map<String, JsonNode> jobs) {
        CategoryChart chart = new CategoryChartBuilder().width(1100).height(650)
                .title("Trivial tasks per second: plain spawning and the task farm's map")
                .xAxisTitle("how tasks are run: the spawn loop, the farm on resident workers with n in flight, the farm "
                        + "spawning per task").yAxisTitle("tasks/s").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setYAxisDecimalPattern("#,###");
        List<String> gains = new ArrayList<>();
        Map<String, Integer> jobsOfBackend = new TreeMap<>();
        JsonNode first = jobs.values().stream().filter(j -> j.path("farm").size() > 0).findFirst().orElse(null);
        if (first == null) return chart;
        JsonNode f0 = first.path("farm").get(0);
        int rounds = f0.path("seconds").size();
        md.append("## Task farm map throughput (a trivial function over ")
                .append(String.format(Locale.ROOT, "%,d", f0.path("inputs").asInt())).append(" inputs; ")
                .append(rounds == 1 ? "one map per mode" : "median of " + rounds + " maps per mode").append(")\n\n")
                .append("| backend | ranks | farm mode | workers | tasks/s | slowest–fastest map "
                        + "| × resident, 1 in flight | × spawn throughput |\n")
                .append("|---|---:|---|---:|---:|---:|---:|---:|\n");
        for (var e : jobs.entrySet()) {
            JsonNode j = e.getValue();
            JsonNode farm = j.path("farm");
            if (farm.size() == 0) continue;
            double spawn = j.path("spawn").path("tasksPerSecond").asDouble(Double.NaN);
            double one = Double.NaN;
            for (JsonNode f : farm) {
                if (!f.path("spawnPerTask").asBoolean() && f.path("inFlightPerSlot").asInt() == 1) {
                    one = f.path("tasksPerSecond").asDouble();
                }
            }
            List<String> categories = new ArrayList<>(List.of("spawn loop"));
            List<Double> values = new ArrayList<>(List.of(Double.isNaN(spawn) ? 0 : spawn));
            List<String> gain = new ArrayList<>();
            for (JsonNode f : farm) {
                double tps = f.path("tasksPerSecond").asDouble();
                boolean resident = !f.path("spawnPerTask").asBoolean();
                md.append("| ").append(Report.text(j, "backend")).append(" | ").append(j.path("ranks").asInt())
                        .append(" | ").append(Report.text(f, "mode"))
                        .append(" | ").append(f.path("workers").asInt())
                        .append(" | ").append(String.format(Locale.ROOT, "%,.0f", tps))
                        .append(" | ").append(String.format(Locale.ROOT, "%,.0f–%,.0f",
                                f.path("minTasksPerSecond").asDouble(), f.path("maxTasksPerSecond").asDouble()))
                        .append(" | ").append(Double.isNaN(one) ? "–" : Report.f2(tps / one) + "×")
                        .append(" | ").append(Double.isNaN(spawn) ? "–" : Report.f2(tps / spawn) + "×")
                        .append(" |\n");
                categories.add(resident ? f.path("inFlightPerSlot").asInt() + " in flight" : Report.text(f, "mode"));
                values.add(tps);
                if (resident && f.path("inFlightPerSlot").asInt() > 1 && !Double.isNaN(one)) {
                    gain.add(f.path("inFlightPerSlot").asInt() + " in flight " + Report.f2(tps / one) + "×");
                }
            }
            if (!gain.isEmpty()) {
                gains.add(Report.text(j, "backend") + ", " + j.path("ranks").asInt() + " ranks: " + String.join(", ", gain));
            }
            String backend = Report.text(j, "backend");
            int nth = jobsOfBackend.merge(backend, 1, Integer::sum) - 1;
            CategorySeries series = chart.addSeries(e.getKey(), categories, values);
            series.setFillColor(shade(Report.colour(backend), nth));
        }
        md.append("\nGain of keeping more than one task in flight per worker (issue 5), tasks/s over 1 in flight "
                + "in the same job:\n\n");
        gains.forEach(g -> md.append("- ").append(g).append('\n'));
        md.append("\nNo raw-engine figure exists for a task farm: no engine has one. Each mode is related instead to "
                + "ParaVM's plain spawn throughput measured in the same job (the table above, which relates it to the "
                + "raw engine's round trip). Resident modes run every input on one long-lived worker task per slot, "
                + "sent ahead up to the number in flight; spawn per task is one spawnFunction per input "
                + "(`spawnPerTask(true)`). Each map is timed from the call to its return, after a warm-up map of ")
                .append(String.format(Locale.ROOT, "%,d", f0.path("warmupInputs").asInt()))
                .append(" inputs on the same farm; building and closing the farm are not timed, and every result "
                        + "is checked.\n\n");
        return chart;
    }

    /** The {@code nth} job of a backend: its colour, lighter for each further job. */
    private static Color shade(Color c, int nth) {
        double t = Math.min(0.6, 0.35 * nth);
        return new Color((int) (c.getRed() + (255 - c.getRed()) * t), (int) (c.getGreen() + (255 - c.getGreen()) * t),
                (int) (c.getBlue() + (255 - c.getBlue()) * t));
    }

    private static String thousands(double v) {
        return String.format(Locale.ROOT, "%.0fk", v / 1000);
    }
}
