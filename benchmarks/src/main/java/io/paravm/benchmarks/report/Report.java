package io.paravm.benchmarks.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paravm.benchmarks.backend.Backend;
import io.paravm.benchmarks.backend.Backends;
import io.paravm.benchmarks.backend.Targets;
import io.paravm.benchmarks.dashboard.DashboardReport;
import io.paravm.benchmarks.efficiency.EfficiencyReport;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads what the jobs wrote into a result directory ({@code machine.json},
 * {@code job-*.json}, JMH's {@code jmh-*.json}) and writes {@value #MARKDOWN} (tables:
 * median, p99, ratio to the raw engine, MB/s, tasks/s), {@value #CHART} (latency against
 * message size, log-log, a line per backend and raw engine) and {@value #FARM_CHART} (tasks/s
 * of plain spawning and of each task-farm mode, a bar per job; {@link ThroughputSection}) with
 * XChart. The efficiency and dashboard suites' sections are theirs
 * ({@code efficiency.EfficiencyReport}, {@code dashboard.DashboardReport}).
 *
 * <pre>{@code
 * String markdown = Report.write(Path.of("benchmarks/results/2025-01-01"));
 * }</pre>
 */
public final class Report {

    /** The Markdown report's file name. */
    public static final String MARKDOWN = "report.md";
    /** The chart's file name. */
    public static final String CHART = "latency.png";
    /** The task-throughput chart's file name. */
    public static final String FARM_CHART = "farm.png";

    private static final String PKG = "io.paravm.benchmarks.";
    private static final String VM_LATENCY = PKG + "latency.VmMessageLatencyBenchmark.roundTrip";
    private static final String RAW_LATENCY = PKG + "baseline.RawEngineLatencyBenchmark.roundTrip";
    private static final String VM_BANDWIDTH = PKG + "throughput.VmMessageBandwidthBenchmark.burst";
    private static final String RAW_BANDWIDTH = PKG + "baseline.RawEngineBandwidthBenchmark.burst";

    private final ObjectMapper json = new ObjectMapper();
    private final StringBuilder md = new StringBuilder();
    private final List<Target> targets = new ArrayList<>();

    private Report() {
    }

    /** One row of the targets table. */
    record Target(String backend, String what, String measured, String met) {
        static Target of(String backend, String what, String measured, boolean met) {
            return new Target(backend, what, measured, met ? "met" : "**not met**");
        }
    }

    /** One JMH result: its params, median and p99 of the op in µs, and B/op if profiled. */
    record Sample(Map<String, String> params, double p50, double p99, double allocPerOp) {
    }

    /**
     * Writes the report and the chart into {@code dir}.
     *
     * @return the Markdown text
     */
    public static String write(Path dir) throws IOException {
        return new Report().render(dir);
    }

    private String render(Path dir) throws IOException {
        JsonNode machine = read(dir.resolve("machine.json"));
        List<Path> jobs;
        try (Stream<Path> s = Files.list(dir)) {
            jobs = s.filter(p -> p.getFileName().toString().matches("job-.*\\.json")).sorted().toList();
        }
        List<Map.Entry<String, JsonNode>> read = new ArrayList<>();
        for (Path p : jobs) {
            String name = p.getFileName().toString();
            read.add(Map.entry(name.substring(4, name.length() - 5), read(p)));
        }
        // report order: Backends.ALL, then rank count
        read.sort(Comparator.<Map.Entry<String, JsonNode>>comparingInt(e -> Backends.order(text(e.getValue(), "backend")))
                .thenComparingInt(e -> e.getValue().path("ranks").asInt()));
        Map<String, JsonNode> jobByPrefix = new LinkedHashMap<>();
        read.forEach(e -> jobByPrefix.put(e.getKey(), e.getValue()));

        md.append("# ParaVM benchmarks (").append(text(machine, "mode")).append(" run, ")
                .append(text(machine, "date")).append(")\n\n");
        if (jobByPrefix.isEmpty() && !Files.exists(dir.resolve("jmh-loopback.json"))) {
            md.append(EfficiencyReport.section(dir)); // --suite efficiency or dashboard: their sections alone
            md.append(DashboardReport.section(dir));
            Files.writeString(dir.resolve(MARKDOWN), md);
            return md.toString();
        }
        md.append("Backends: ").append(Backends.ALL.stream().map(b -> b.name()
                + (machine.path("skipped").has(b.name()) ? " (skipped)" : "")).collect(Collectors.joining(", ")))
                .append(". Targets are at the end.\n\n");
        environment(machine, jobByPrefix);

        XYChart chart = new XYChartBuilder().width(1100).height(650)
                .title("One-way latency (median, round trip / 2)").xAxisTitle("message size [bytes]")
                .yAxisTitle("one-way latency [µs]").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);

        Map<String, Double> rawRoundTrip8 = new TreeMap<>();
        for (var e : jobByPrefix.entrySet()) {
            Path jmh = dir.resolve("jmh-" + e.getKey() + ".json");
            if (!Files.exists(jmh)) continue;
            Map<String, List<Sample>> results = jmh(jmh);
            Backend backend = Backends.named(text(e.getValue(), "backend"));
            String who = e.getKey();
            latency(who, backend, results, e.getValue(), chart);
            bandwidth(who, backend, results, e.getValue());
            cLimit(dir, who, backend, results);
            Sample raw8 = find(results.get(RAW_LATENCY), Map.of("size", "8", "variant", backend.rawLatencyVariants().get(0)));
            if (raw8 != null) rawRoundTrip8.putIfAbsent(backend.name(), raw8.p50());
        }
        ThroughputSection throughput = new ThroughputSection(md, targets);
        throughput.spawn(jobByPrefix, rawRoundTrip8);
        CategoryChart farmChart = throughput.farm(jobByPrefix);
        loopback(dir.resolve("jmh-loopback.json"));
        machine.path("skipped").fields().forEachRemaining(s -> targets.add(new Target(s.getKey(), s.getKey() + ": every target",
                "not measured: backend skipped (why: above)", "–")));

        md.append("## Targets (issue 7)\n\n| target | measured | met |\n|---|---|---|\n");
        targets.sort(Comparator.comparingInt(t -> Backends.order(t.backend()))); // stable: per backend, in the order found
        for (Target t : targets) {
            md.append("| ").append(t.what()).append(" | ").append(t.measured())
                    .append(" | ").append(t.met()).append(" |\n");
        }
        md.append("\nNo timing is asserted anywhere; the machine may be shared, see the load averages above.\n");

        if (!chart.getSeriesMap().isEmpty()) {
            BitmapEncoder.saveBitmap(chart, dir.resolve(CHART).toString(), BitmapEncoder.BitmapFormat.PNG);
            md.append("\n![one-way latency against message size](").append(CHART).append(")\n");
        }
        if (!farmChart.getSeriesMap().isEmpty()) {
            BitmapEncoder.saveBitmap(farmChart, dir.resolve(FARM_CHART).toString(), BitmapEncoder.BitmapFormat.PNG);
            md.append("\n![tasks/s of plain spawning and of the task farm's map](").append(FARM_CHART).append(")\n");
        }
        md.append(EfficiencyReport.section(dir)); // issue 13's suite, when it ran: its own section and chart
        md.append(DashboardReport.section(dir)); // issue 15's
        Files.writeString(dir.resolve(MARKDOWN), md);
        return md.toString();
    }

    // ---------------------------------------------------------------- sections

    private void environment(JsonNode machine, Map<String, JsonNode> jobs) {
        md.append("## What ran where (for repeatability)\n\n");
        md.append("- machine: ").append(machine.path("cpus").asInt()).append(" CPUs, ").append(text(machine, "os"))
                .append("; JVM ").append(text(machine, "jvm")).append("; every rank's JVM runs with ")
                .append(machine.path("rankJvmArgs")).append("; load average (1, 5, 15 min) when the run started ")
                .append(machine.path("loadAverageStart")).append('\n');
        jobs.values().stream().filter(j -> j.has("jmh")).findFirst().ifPresent(j -> {
            JsonNode m = j.path("jmh");
            md.append("- JMH runs in the spawner (rank 0) of each job with forks(0): JMH cannot fork a JVM into an MPI, ")
                    .append("MPJ or Hazelcast job. Mode ").append(text(m, "mode")).append(", ").append(m.path("threads").asInt())
                    .append(" thread, warm-up ").append(text(m, "warmup")).append(", measurement ")
                    .append(text(m, "measurement")).append(", profilers ").append(m.path("profilers")).append('\n');
        });
        machine.path("skipped").fields().forEachRemaining(s ->
                md.append("- **skipped** backend ").append(s.getKey()).append(": ").append(s.getValue().asText()).append('\n'));
        md.append("\n| job | ranks | layout | engine | binding | spawner JVM: CPUs seen, heap, own options "
                + "| load average at start | at end |\n")
                .append("|---|---:|---|---|---|---|---|---|\n");
        for (var e : jobs.entrySet()) {
            JsonNode j = e.getValue();
            String backend = text(j, "backend");
            List<String> heap = new ArrayList<>();
            j.path("jvmArgs").forEach(a -> {
                if (a.asText().startsWith("-X")) heap.add(a.asText());
            });
            md.append("| ").append(e.getKey()).append(" | ").append(j.path("ranks").asInt())
                    .append(" | ").append(j.has("layout") ? text(j, "layout") : Backends.named(backend).layout())
                    .append(" | ").append(text(j, "engine")).append(" | ").append(text(j, "binding"))
                    .append(" | ").append(j.path("cpus").asInt()).append(", ").append(String.join(" ", heap))
                    .append(spawnerOptions(j))
                    .append(" | ").append(j.path("loadAverageStart")).append(" | ").append(j.path("loadAverageEnd"))
                    .append(" |\n");
        }
        md.append("\nThe raw engine figure is measured in the same job and the same ranks as ParaVM's: the worker's end "
                + "is a ParaVM task that then calls the engine directly.\n\n");
        jobs.values().stream().map(j -> text(j, "backend")).distinct().forEach(b -> md.append("- raw ").append(b)
                .append(": ").append(Backends.named(b).rawDescription()).append('\n'));
        md.append('\n');
    }

    private void latency(String who, Backend backend, Map<String, List<Sample>> r, JsonNode job, XYChart chart) {
        List<Sample> vm = r.getOrDefault(VM_LATENCY, List.of());
        List<Sample> raw = r.getOrDefault(RAW_LATENCY, List.of());
        if (vm.isEmpty() && raw.isEmpty()) return;
        String ref = backend.rawLatencyVariants().get(0);
        String alt = backend.rawLatencyVariants().size() > 1 ? backend.rawLatencyVariants().get(1) : null;
        JsonNode workers = job.path("workerAllocation");
        md.append("## One-way latency, ").append(who).append(" (round trip / 2, µs)\n\n")
                .append("| backend | payload | median | p99 | × raw ").append(ref).append(alt == null ? "" : " | × raw " + alt)
                .append(" | MB/s | alloc B/round trip, spawner | alloc B/message, worker |\n")
                .append("|---|---|---:|---:|---:|").append(alt == null ? "" : "---:|").append("---:|---:|---:|\n");
        for (String variant : backend.rawLatencyVariants()) {
            List<double[]> line = new ArrayList<>();
            for (Sample s : raw) {
                if (!variant.equals(s.params().get("variant"))) continue;
                int size = Integer.parseInt(s.params().get("size"));
                Sample refS = find(raw, Map.of("size", String.valueOf(size), "variant", ref));
                Sample altS = alt == null ? null : find(raw, Map.of("size", String.valueOf(size), "variant", alt));
                row("raw " + backend.name() + " " + variant, size + " B", s, refS, alt != null, altS, size,
                        workers.path("RawEngineLatencyBenchmark size=" + size + ",variant=" + variant));
                line.add(new double[]{size, s.p50() / 2});
            }
            addSeries(chart, "raw " + backend.name() + " (" + variant + ")", line, backend,
                    variant.equals(ref) ? SeriesLines.DASH_DASH : SeriesLines.DOT_DOT);
        }
        List<double[]> line = new ArrayList<>();
        for (Sample s : vm) {
            String payload = s.params().get("payload");
            int size = payload.startsWith("bytes-") ? Integer.parseInt(payload.substring(6)) : -1;
            String rawSize = String.valueOf(size > 0 ? size : 8);
            Sample refS = find(raw, Map.of("size", rawSize, "variant", ref));
            Sample altS = alt == null ? null : find(raw, Map.of("size", rawSize, "variant", alt));
            row("ParaVM " + backend.name(), size > 0 ? "byte[] " + size + " B" : payload + " (Kryo; × raw at 8 B)",
                    s, refS, alt != null, altS, size, workers.path("VmMessageLatencyBenchmark payload=" + payload));
            if (size > 0) line.add(new double[]{size, s.p50() / 2});
            Targets goal = backend.targets();
            if (size > 0 && goal.latencySizes().contains(size) && refS != null) {
                double ratio = s.p50() / refS.p50();
                targets.add(Target.of(backend.name(), who + ": " + size + " B one-way ≤ " + goal.latencyRatio() + "× raw " + ref,
                        String.format(Locale.ROOT, "%s µs vs %s µs = %.2f×", f(s.p50() / 2), f(refS.p50() / 2), ratio),
                        ratio <= goal.latencyRatio()));
            }
        }
        addSeries(chart, "ParaVM " + backend.name() + " (byte[])", line, backend, SeriesLines.SOLID);
        md.append('\n');
    }

    private void row(String name, String payload, Sample s, Sample ref, boolean altColumn, Sample alt, int size,
                     JsonNode worker) {
        md.append("| ").append(name).append(" | ").append(payload)
                .append(" | ").append(f(s.p50() / 2)).append(" | ").append(f(s.p99() / 2))
                .append(" | ").append(ref == null ? "–" : f2(s.p50() / ref.p50()) + "×")
                .append(!altColumn ? "" : " | " + (alt == null ? "–" : f2(s.p50() / alt.p50()) + "×"))
                .append(" | ").append(size > 0 ? f(size / (s.p50() / 2)) : "–")
                .append(" | ").append(Double.isNaN(s.allocPerOp()) ? "not profiled" : f(s.allocPerOp()))
                .append(" | ").append(worker.isMissingNode() ? "–" : f(worker.path("bytesPerMessage").asDouble()))
                .append(" |\n");
    }

    private void bandwidth(String who, Backend backend, Map<String, List<Sample>> r, JsonNode job) {
        List<Sample> vm = r.getOrDefault(VM_BANDWIDTH, List.of());
        List<Sample> raw = r.getOrDefault(RAW_BANDWIDTH, List.of());
        if (vm.isEmpty() && raw.isEmpty()) return;
        String ref = backend.rawBandwidthVariants().get(0);
        JsonNode workers = job.path("workerAllocation");
        md.append("## Bandwidth, ").append(who)
                .append(" (bursts of `window` messages one way, one 1-byte acknowledgement back)\n\n")
                .append("| backend | payload | median µs/message | p99 µs/message | MB/s | × raw ").append(ref)
                .append(" | × raw same type | alloc B/burst, spawner | alloc B/message, worker |\n")
                .append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Sample s : raw) {
            int size = Integer.parseInt(s.params().get("size"));
            int window = Integer.parseInt(s.params().get("window"));
            Sample refS = find(raw, Map.of("size", String.valueOf(size), "bulkVariant", ref));
            bwRow("raw " + backend.name() + " " + s.params().get("bulkVariant"), size + " B", s, refS, s, size, window,
                    workers.path("RawEngineBandwidthBenchmark bulkVariant=" + s.params().get("bulkVariant") + ",size="
                            + size + ",window=" + window));
        }
        for (Sample s : vm) {
            String payload = s.params().get("payload");
            String type = payload.substring(0, payload.indexOf('-'));
            int size = Integer.parseInt(payload.substring(payload.indexOf('-') + 1));
            int window = Integer.parseInt(s.params().get("window"));
            Sample refS = find(raw, Map.of("size", String.valueOf(size), "bulkVariant", ref));
            Sample same = find(raw, Map.of("size", String.valueOf(size), "bulkVariant", type));
            bwRow("ParaVM " + backend.name(), (type.equals("bytes") ? "byte[] " : "double[] ") + size + " B", s, refS, same,
                    size, window, workers.path("VmMessageBandwidthBenchmark payload=" + payload + ",window=" + window));
            OptionalDouble goal = backend.targets().bandwidthRatio();
            if (goal.isPresent() && type.equals("bytes") && size == 1 << 20 && refS != null) {
                double ratio = refS.p50() / s.p50();
                targets.add(Target.of(backend.name(), who + ": 1 MiB byte[] bandwidth ≥ " + goal.getAsDouble() + "× raw " + ref,
                        String.format(Locale.ROOT, "%.0f MB/s vs %.0f MB/s = %.2f×", mbps(s, size, window),
                                mbps(refS, size, window), ratio), ratio >= goal.getAsDouble()));
            }
        }
        md.append('\n');
    }

    private void bwRow(String name, String payload, Sample s, Sample ref, Sample same, int size, int window, JsonNode worker) {
        double mb = mbps(s, size, window);
        md.append("| ").append(name).append(" | ").append(payload).append(" ×").append(window)
                .append(" | ").append(f(s.p50() / window)).append(" | ").append(f(s.p99() / window))
                .append(" | ").append(f(mb))
                .append(" | ").append(ref == null ? "–" : f2(mb / mbps(ref, size, window)) + "×")
                .append(" | ").append(same == null ? "–" : f2(mb / mbps(same, size, window)) + "×")
                .append(" | ").append(Double.isNaN(s.allocPerOp()) ? "not profiled" : f(s.allocPerOp()))
                .append(" | ").append(worker.isMissingNode() ? "–" : f(worker.path("bytesPerMessage").asDouble()))
                .append(" |\n");
    }

    /**
     * The mpi backends beside the C ping-pong of the same MPI (benchmarks/c/pingpong.c, run by run.sh
     * into c-pingpong-MPI.json): the physical limit, and issue 14's targets against it.
     */
    private void cLimit(Path dir, String who, Backend backend, Map<String, List<Sample>> r) throws IOException {
        if (!backend.name().startsWith("mpi-")) return;
        Path file = dir.resolve("c-pingpong-" + backend.name().substring(4) + ".json");
        if (!Files.exists(file)) {
            md.append("## The C limit, ").append(who).append("\n\nNot measured: ").append(file.getFileName())
                    .append(" is missing (run.sh builds and runs it when the MPI's mpicc is there).\n\n");
            return;
        }
        JsonNode c = read(file);
        List<Sample> vm = r.getOrDefault(VM_LATENCY, List.of());
        List<Sample> raw = r.getOrDefault(RAW_LATENCY, List.of());
        String ref = backend.rawLatencyVariants().get(0);
        md.append("## The C limit, ").append(who).append(" (").append(text(c, "mpi"))
                .append(": MPI_Send/MPI_Recv in C, the same measure)\n\n")
                .append("| size | C one-way µs | raw FFM one-way µs | ParaVM byte[] one-way µs | ParaVM × C | C burst MB/s | ParaVM burst MB/s | ParaVM × C |\n")
                .append("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (JsonNode size : c.path("sizes")) {
            int n = size.path("bytes").asInt();
            double cLat = size.path("oneWayMicros").asDouble();
            double cBw = size.path("burstMBps").asDouble();
            Sample rawS = find(raw, Map.of("size", String.valueOf(n), "variant", ref));
            Sample vmS = find(vm, Map.of("payload", "bytes-" + n));
            Sample vmBw = find(r.get(VM_BANDWIDTH), Map.of("payload", "bytes-" + n, "window", "4"));
            double vmMb = vmBw == null ? Double.NaN : mbps(vmBw, n, 4);
            md.append("| ").append(n).append(" | ").append(f(cLat)).append(" | ")
                    .append(rawS == null ? "–" : f(rawS.p50() / 2)).append(" | ").append(vmS == null ? "–" : f(vmS.p50() / 2))
                    .append(" | ").append(vmS == null ? "–" : f2(vmS.p50() / 2 / cLat) + "×").append(" | ").append(f(cBw))
                    .append(" | ").append(vmBw == null ? "–" : f(vmMb)).append(" | ")
                    .append(vmBw == null ? "–" : f2(vmMb / cBw) + "×").append(" |\n");
            if (n == 8 && vmS != null) {
                double ratio = vmS.p50() / 2 / cLat;
                targets.add(Target.of(backend.name(), who + ": 8 B one-way ≤ 1.5× raw C", String.format(Locale.ROOT,
                        "%s µs vs %s µs = %.2f×", f(vmS.p50() / 2), f(cLat), ratio), ratio <= 1.5));
            }
            if (n == 1 << 20 && vmBw != null) {
                targets.add(Target.of(backend.name(), who + ": 1 MiB byte[] burst bandwidth ≥ 0.9× raw C", String.format(
                        Locale.ROOT, "%.0f MB/s vs %.0f MB/s = %.2f×", vmMb, cBw, vmMb / cBw), vmMb / cBw >= 0.9));
            }
        }
        md.append('\n');
    }

    private static double mbps(Sample s, int size, int window) {
        return (double) size * window / s.p50(); // bytes per µs = MB/s
    }

    private void loopback(Path file) throws IOException {
        if (!Files.exists(file)) return;
        List<Sample> s = jmh(file).get(PKG + "baseline.LoopbackLatencyBenchmark.roundTrip");
        if (s == null || s.isEmpty()) return;
        md.append("## In-JVM floor\n\nLoopback (a reference handed to a spinning thread and back, own JMH fork, "
                + "not bound): one-way median ").append(f(s.get(0).p50() / 2)).append(" µs, p99 ")
                .append(f(s.get(0).p99() / 2)).append(" µs.\n\n");
    }

    // ---------------------------------------------------------------- helpers

    private Map<String, List<Sample>> jmh(Path file) throws IOException {
        Map<String, List<Sample>> out = new LinkedHashMap<>();
        for (JsonNode b : read(file)) {
            Map<String, String> params = new TreeMap<>();
            b.path("params").fields().forEachRemaining(p -> params.put(p.getKey(), p.getValue().asText()));
            JsonNode pm = b.path("primaryMetric");
            double scale = toMicros(text(pm, "scoreUnit"));
            JsonNode pct = pm.path("scorePercentiles");
            JsonNode secondary = b.path("secondaryMetrics");
            JsonNode alloc = secondary.has("gc.alloc.rate.norm") ? secondary.path("gc.alloc.rate.norm")
                    : secondary.path("·gc.alloc.rate.norm");
            out.computeIfAbsent(text(b, "benchmark"), k -> new ArrayList<>()).add(new Sample(params,
                    pct.path("50.0").asDouble() * scale, pct.path("99.0").asDouble() * scale,
                    alloc.isMissingNode() ? Double.NaN : alloc.path("score").asDouble()));
        }
        return out;
    }

    private static double toMicros(String unit) {
        return switch (unit) {
            case "ns/op" -> 1e-3;
            case "us/op" -> 1;
            case "ms/op" -> 1e3;
            case "s/op" -> 1e6;
            default -> throw new IllegalArgumentException("unexpected JMH unit " + unit + "; the benchmarks use SampleTime");
        };
    }

    private static Sample find(List<Sample> samples, Map<String, String> params) {
        if (samples == null) return null;
        for (Sample s : samples) {
            if (params.entrySet().stream().allMatch(p -> p.getValue().equals(s.params().get(p.getKey())))) return s;
        }
        return null;
    }

    /** One colour per backend (its ParaVM line solid, its raw lines dashed or dotted), in {@link Backends#ALL} order. */
    private static final List<Color> BACKEND_COLOURS = List.of(new Color(0x1f77b4), new Color(0xd62728),
            new Color(0x2ca02c), new Color(0x9467bd), new Color(0xff7f0e), new Color(0x8c564b));

    private static void addSeries(XYChart chart, String name, List<double[]> points, Backend backend, BasicStroke line) {
        if (points.isEmpty()) return;
        points.sort((a, b) -> Double.compare(a[0], b[0]));
        double[] x = points.stream().mapToDouble(p -> p[0]).toArray();
        double[] y = points.stream().mapToDouble(p -> p[1]).toArray();
        XYSeries series = chart.addSeries(name, x, y);
        series.setMarker(SeriesMarkers.CIRCLE);
        series.setLineStyle(line);
        Color colour = colour(backend.name());
        series.setLineColor(colour);
        series.setMarkerColor(colour);
    }

    static Color colour(String backend) {
        return BACKEND_COLOURS.get(Backends.order(backend) % BACKEND_COLOURS.size());
    }

    private JsonNode read(Path p) throws IOException {
        return json.readTree(p.toFile());
    }

    /** The spawner's own JVM options ({@code paravm run}'s rule), if the runner recorded any. */
    private static String spawnerOptions(JsonNode job) {
        if (!job.has("spawnerJvmArgs")) return ""; // written before 2026-12-07's suites recorded them
        List<String> own = new ArrayList<>();
        job.path("spawnerJvmArgs").forEach(a -> own.add(a.asText()));
        return own.isEmpty() ? ", none of its own" : ", " + String.join(" ", own);
    }

    static String text(JsonNode n, String field) {
        return n.path(field).asText("?");
    }

    static String f(double v) {
        if (v < 0 || Double.isNaN(v)) return "–";
        if (v >= 100) return String.format(Locale.ROOT, "%,.0f", v);
        if (v >= 10) return String.format(Locale.ROOT, "%.1f", v);
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String f2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /** Regenerates the report of an existing result directory: {@code Report DIR}. */
    public static void main(String[] args) throws IOException {
        System.out.println(write(Path.of(args[0])));
    }
}
