package io.paravm.benchmarks.throughput;

import io.paravm.Received;
import io.paravm.Task;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.TaskResult;
import io.paravm.VirtualMachine;
import io.paravm.benchmarks.VmEcho;
import io.paravm.benchmarks.VmTasks;
import io.paravm.benchmarks.backend.WorkerStats;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Spawn throughput: a trivial task with {@code sendBack} in every free slot, and the next
 * one into a slot as soon as its {@code TaskExit} arrives. A custom loop, not JMH: one run
 * yields two figures (tasks/s over the whole run, and the spawn-to-result latency of each
 * task), which JMH's modes cannot give for one operation that overlaps the next.
 *
 * <pre>{@code
 * SpawnResult r = VmSpawnThroughputBenchmark.run(vm, Duration.ofSeconds(1), Duration.ofSeconds(5));
 * }</pre>
 */
public final class VmSpawnThroughputBenchmark {

    /** The trivial task: returns a small boxed constant, so the result goes through Kryo. */
    static final Task<Integer> TRIVIAL = w -> 1;
    private static final Task<Long> ALLOCATED = w -> WorkerStats.threadAllocatedBytes();

    /**
     * What one measured phase gave.
     *
     * @param tasks                 tasks completed in the measured phase
     * @param seconds               from the first spawn to the last exit
     * @param tasksPerSecond        tasks / seconds
     * @param resultMedianMicros    spawn call to its TaskResult received, median
     * @param resultP99Micros       the same, 99th percentile
     * @param exitMedianMicros      spawn call to its TaskExit received (the slot is free again), median
     * @param exitP99Micros         the same, 99th percentile
     * @param spawnerBytesPerTask   bytes allocated by the spawner's thread per task
     * @param workerBytesPerTask    bytes allocated by the workers' spawn-loop threads per task (summed), or -1
     * @param slots                 worker slots kept busy
     */
    public record SpawnResult(long tasks, double seconds, double tasksPerSecond,
                              double resultMedianMicros, double resultP99Micros,
                              double exitMedianMicros, double exitP99Micros,
                              double spawnerBytesPerTask, double workerBytesPerTask, int slots) {
    }

    private VmSpawnThroughputBenchmark() {
    }

    /** Runs a warm-up phase, then the measured phase. */
    public static SpawnResult run(VirtualMachine vm, Duration warmup, Duration measure) {
        phase(vm, warmup);
        long workerBefore = workerAllocated(vm);
        long spawnerBefore = WorkerStats.threadAllocatedBytes();
        Phase p = phase(vm, measure);
        long spawnerBytes = WorkerStats.threadAllocatedBytes() - spawnerBefore;
        long workerAfter = workerAllocated(vm);
        double[] result = p.percentiles(p.toResult);
        double[] exit = p.percentiles(p.toExit);
        return new SpawnResult(p.count, p.seconds, p.count / p.seconds, result[0], result[1], exit[0], exit[1],
                spawnerBefore < 0 ? -1 : (double) spawnerBytes / p.count,
                workerBefore < 0 || workerAfter < 0 ? -1 : (double) (workerAfter - workerBefore) / p.count,
                p.slots);
    }

    /** The sum over all worker slots of their spawn-loop thread's allocated bytes. */
    private static long workerAllocated(VirtualMachine vm) {
        List<TaskId> probes = vm.spawnFunction(ALLOCATED, vm.freeSlots(), null, true);
        long sum = 0;
        for (Object v : VmTasks.awaitAll(vm, probes).values()) {
            if ((Long) v < 0) return -1;
            sum += (Long) v;
        }
        return sum;
    }

    private static final class Phase {
        long count;
        double seconds;
        int slots;
        long[] toResult = new long[1 << 16];
        long[] toExit = new long[1 << 16];

        double[] percentiles(long[] all) {
            long[] a = Arrays.copyOf(all, (int) count);
            Arrays.sort(a);
            return new double[]{a[(int) (0.50 * (a.length - 1))] / 1e3, a[(int) (0.99 * (a.length - 1))] / 1e3};
        }
    }

    private static Phase phase(VirtualMachine vm, Duration length) {
        Phase p = new Phase();
        int ranks = vm.slots() + 1;
        long[] spawnedAt = new long[ranks + 1];
        int[] taskOf = new int[ranks + 1];
        long t0 = System.nanoTime();
        long end = t0 + length.toNanos();
        int inFlight = 0;
        for (int i = vm.freeSlots(); i > 0; i--) {
            inFlight += spawn(vm, spawnedAt, taskOf);
        }
        p.slots = inFlight;
        if (inFlight == 0) throw new IllegalStateException("no free worker slot to spawn into; slots " + vm.slots());
        long lastExit = t0;
        while (inFlight > 0) {
            Received r = vm.receiveMessage(VmEcho.WAIT).orElseThrow(
                    () -> new IllegalStateException("no TaskResult/TaskExit within " + VmEcho.WAIT));
            long now = System.nanoTime();
            int rank = r.sender().rank();
            if (r.message() instanceof TaskResult res) {
                if (!res.success()) throw new IllegalStateException("trivial task " + r.sender() + " failed:\n" + res.error());
                if (r.sender().number() == taskOf[rank]) {
                    grow(p);
                    p.toResult[(int) p.count] = now - spawnedAt[rank];
                }
            } else if (r.message() instanceof TaskExit exit) {
                if (exit.reason() != TaskExit.Reason.FINISHED) {
                    throw new IllegalStateException("trivial task " + exit.taskId() + " ended " + exit.reason());
                }
                grow(p);
                p.toExit[(int) p.count] = now - spawnedAt[rank];
                p.count++;
                lastExit = now;
                inFlight--;
                if (end - now > 0) inFlight += spawn(vm, spawnedAt, taskOf);
            }
        }
        p.seconds = (lastExit - t0) / 1e9;
        return p;
    }

    private static int spawn(VirtualMachine vm, long[] spawnedAt, int[] taskOf) {
        long t = System.nanoTime();
        List<TaskId> ids = vm.spawnFunction(TRIVIAL, 1, null, true);
        if (ids.isEmpty()) return 0;
        TaskId id = ids.get(0);
        spawnedAt[id.rank()] = t;
        taskOf[id.rank()] = id.number();
        return 1;
    }

    private static void grow(Phase p) {
        if (p.count == p.toResult.length) {
            p.toResult = Arrays.copyOf(p.toResult, p.toResult.length * 2);
            p.toExit = Arrays.copyOf(p.toExit, p.toExit.length * 2);
        }
    }
}
