package io.paravm.benchmarks;

import io.paravm.VirtualMachine;
import io.paravm.benchmarks.backend.Backend;
import io.paravm.benchmarks.backend.WorkerStats;

import java.util.Map;
import java.util.TreeMap;

/**
 * What the JMH benchmarks need from the job they run in. JMH runs them with
 * {@code forks(0)} inside the spawner's JVM (its forking cannot place a JVM inside an MPI
 * job), so the open VM is handed over here by {@link BenchJob}.
 */
public final class BenchContext {

    private static volatile VirtualMachine vm;
    private static volatile Backend backend;
    private static final Map<String, WorkerStats> WORKER_STATS = new TreeMap<>();

    private BenchContext() {
    }

    static void install(VirtualMachine openVm, Backend jobBackend) {
        vm = openVm;
        backend = jobBackend;
    }

    /** The open VM, on the spawner. */
    public static VirtualMachine vm() {
        VirtualMachine v = vm;
        if (v == null) {
            throw new IllegalStateException("no ParaVM job: these benchmarks run inside the spawner of a job started "
                    + "by benchmarks/run.sh (JMH with forks(0)), not from a plain JMH launcher");
        }
        return v;
    }

    /** The backend of the job's transport. */
    public static Backend backend() {
        vm();
        return backend;
    }

    /**
     * Keeps what a worker-side echo measured for one trial, under the key the report uses:
     * the benchmark's simple class name and its parameters, e.g.
     * {@code VmMessageLatencyBenchmark payload=bytes-8}.
     */
    public static void recordWorker(Class<?> benchmark, String params, WorkerStats stats) {
        synchronized (WORKER_STATS) {
            WORKER_STATS.put(benchmark.getSimpleName() + " " + params, stats);
        }
    }

    static Map<String, WorkerStats> workerStats() {
        synchronized (WORKER_STATS) {
            return new TreeMap<>(WORKER_STATS);
        }
    }
}
