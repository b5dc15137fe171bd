package io.paravm.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.paravm.VirtualMachine;
import io.paravm.benchmarks.backend.Backend;
import io.paravm.benchmarks.backend.Backends;
import io.paravm.benchmarks.throughput.FarmMapThroughputBenchmark;
import io.paravm.benchmarks.throughput.VmSpawnThroughputBenchmark;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every rank of a benchmark job runs. Workers sit in ParaVM's spawn loop (the echo
 * tasks run there); the spawner runs JMH with {@code forks(0)} in its own JVM, then the
 * spawn-throughput loop, then the task farm's {@code map} throughput, and writes
 * {@code jmh-<backend>-<label>.json} and {@code job-<backend>-<label>.json} into the output
 * directory. With {@code --tasks-only} only the two task-throughput loops run.
 *
 * <pre>
 * mpirun -np 2 java -cp CP -Djava.library.path=... io.paravm.benchmarks.BenchJob --backend openmpi --out DIR
 *     --label np2 [--quick] [--tasks-only] [--include JMH_REGEX] [--param NAME=V1,V2 ...] [--no-tasks]
 * </pre>
 */
public final class BenchJob {

    /** The JMH benchmarks that need a job: ParaVM's and the raw engine's. */
    static final String IN_JOB_BENCHMARKS =
            "io\\.paravm\\.benchmarks\\.(latency\\.Vm|throughput\\.Vm|baseline\\.RawEngine).*Benchmark";

    private final VirtualMachine vm;
    private final Backend backend;
    private final Path out;
    private final String label;
    private final boolean quick;
    private final boolean tasksOnly;
    private final String include;
    /** JMH parameters to narrow a focused run to, e.g. payload=bytes-8 (profiling one case). */
    private final Map<String, String[]> params = new LinkedHashMap<>();
    /** Skip the spawn and farm throughput runs (a focused JMH run). */
    private final boolean noTasks;

    private BenchJob(VirtualMachine vm, String[] args) {
        this.vm = vm;
        Path o = null;
        String name = vm.transportName();
        String l = "np" + vm.slots();
        boolean q = false, s = false, n = false;
        String inc = IN_JOB_BENCHMARKS;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--backend" -> name = args[++i];
                case "--out" -> o = Path.of(args[++i]);
                case "--label" -> l = args[++i];
                case "--quick" -> q = true;
                case "--tasks-only" -> s = true;
                case "--include" -> inc = args[++i];
                case "--no-tasks" -> n = true;
                case "--param" -> {
                    String[] kv = args[++i].split("=", 2);
                    if (kv.length != 2) throw new IllegalArgumentException("--param wants NAME=V1,V2, not " + args[i]);
                    params.put(kv[0], kv[1].split(","));
                }
                default -> throw new IllegalArgumentException("unknown argument '" + args[i]
                        + "'; use [--backend NAME] --out DIR [--label L] [--quick] [--tasks-only] [--no-tasks] "
                        + "[--include JMH_REGEX] [--param NAME=V1,V2]");
            }
        }
        if (o == null) throw new IllegalArgumentException("--out DIR is required");
        this.backend = Backends.named(name);
        if (!backend.transport().equals(vm.transportName())) {
            throw new IllegalArgumentException("--backend " + name + " runs on transport " + backend.transport()
                    + ", but this job runs on " + vm.transportName() + "; start it with that backend's job command");
        }
        this.out = o;
        this.label = l;
        this.quick = q;
        this.tasksOnly = s;
        this.noTasks = n;
        this.include = inc;
    }

    public static void main(String[] args) throws Exception {
        VirtualMachine.run(args, (vm, userArgs) -> new BenchJob(vm, userArgs).run());
    }

    private void run() throws Exception {
        Files.createDirectories(out);
        String prefix = backend.name() + "-" + label;
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("backend", backend.name());
        job.put("label", label);
        job.put("ranks", vm.slots());
        job.put("layout", backend.layout());
        job.put("quick", quick);
        job.put("cpus", Runtime.getRuntime().availableProcessors());
        job.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        job.put("jvmArgs", ManagementFactory.getRuntimeMXBean().getInputArguments());
        job.put("engine", backend.engineVersion());
        job.put("hosts", vm.hosts().toString());
        job.put("loadAverageStart", loadAverage());
        BenchContext.install(vm, backend);
        System.out.println("bench: " + prefix + " on " + job.get("engine") + ", " + vm.slots() + " ranks");

        if (!tasksOnly) {
            Path jmhJson = out.resolve("jmh-" + prefix + ".json");
            ChainedOptionsBuilder opts = new OptionsBuilder()
                    // the in-JVM loopback baseline runs outside the job (BenchRunner): a rank is bound to one core
                    .include(include)
                    // JMH's forks cannot be placed inside an MPI job: run in the spawner's JVM.
                    .forks(0)
                    .threads(1)
                    .warmupIterations(quick ? 1 : 3)
                    .warmupTime(TimeValue.milliseconds(quick ? 400 : 1000))
                    .measurementIterations(quick ? 2 : 5)
                    .measurementTime(TimeValue.milliseconds(quick ? 400 : 2000))
                    .timeout(TimeValue.seconds(120))
                    .param("variant", backend.rawLatencyVariants().toArray(String[]::new))
                    .param("bulkVariant", backend.rawBandwidthVariants().toArray(String[]::new))
                    .shouldFailOnError(true)
                    .resultFormat(ResultFormatType.JSON)
                    .result(jmhJson.toString());
            params.forEach(opts::param);
            if (!quick) opts.addProfiler(GCProfiler.class);
            job.put("jmh", Map.of("forks", 0, "threads", 1, "mode", "SampleTime",
                    "warmup", quick ? "1 x 400 ms" : "3 x 1 s", "measurement", quick ? "2 x 400 ms" : "5 x 2 s",
                    "profilers", quick ? List.of() : List.of("gc")));
            new Runner(opts.build()).run();
            Map<String, Object> workers = new LinkedHashMap<>();
            BenchContext.workerStats().forEach((k, v) -> workers.put(k, Map.of(
                    "messages", v.messages(), "allocatedBytes", v.allocatedBytes(), "bytesPerMessage", v.bytesPerMessage())));
            job.put("workerAllocation", workers);
        }

        if (noTasks) {
            writeJob(job, prefix);
            return;
        }
        Duration warm = Duration.ofMillis(quick ? 500 : 3000);
        Duration measure = Duration.ofMillis(quick ? 2000 : 10000);
        System.out.println("bench: " + prefix + " spawn throughput, warm-up " + warm.toMillis() + " ms, measured "
                + measure.toMillis() + " ms");
        VmSpawnThroughputBenchmark.SpawnResult spawn = VmSpawnThroughputBenchmark.run(vm, warm, measure);
        System.out.printf("bench: %s spawn: %.0f tasks/s over %d slot(s); spawn->result median %.1f us, p99 %.1f us%n",
                prefix, spawn.tasksPerSecond(), spawn.slots(), spawn.resultMedianMicros(), spawn.resultP99Micros());
        job.put("spawn", spawn);

        // quick: a few seconds per backend; full: issue 7's 10^5 inputs, the median of 3 rounds
        int farmWarmup = quick ? 1_000 : 10_000;
        int farmInputs = quick ? 5_000 : 100_000;
        int farmRounds = quick ? 1 : 3;
        System.out.println("bench: " + prefix + " task farm map throughput, " + farmRounds + " round(s) of "
                + farmInputs + " inputs per mode, each after a warm-up map of " + farmWarmup);
        List<FarmMapThroughputBenchmark.FarmResult> farm =
                FarmMapThroughputBenchmark.run(vm, farmWarmup, farmInputs, farmRounds);
        for (FarmMapThroughputBenchmark.FarmResult f : farm) {
            System.out.printf("bench: %s farm (%s): %.0f tasks/s over %d worker(s) (rounds: %.0f-%.0f)%n",
                    prefix, f.mode(), f.tasksPerSecond(), f.workers(), f.minTasksPerSecond(), f.maxTasksPerSecond());
        }
        job.put("farm", farm);
        writeJob(job, prefix);
    }

    /** Ends the job's record with the load average and writes it as job-PREFIX.json. */
    private void writeJob(Map<String, Object> job, String prefix) throws java.io.IOException {
        job.put("loadAverageEnd", loadAverage());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(out.resolve("job-" + prefix + ".json").toFile(), job);
    }

    /** The 1, 5 and 15 minute load averages. */
    public static List<Double> loadAverage() {
        List<Double> l = new ArrayList<>();
        try {
            for (String s : Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")) {
                if (l.size() < 3) l.add(Double.parseDouble(s));
            }
        } catch (Exception e) {
            l.add(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
        return l;
    }
}
