package io.paravm.benchmarks.throughput;

import io.paravm.VirtualMachine;
import io.paravm.farm.FarmStats;
import io.paravm.farm.TaskFarm;
import io.paravm.farm.TaskFunction;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The task farm's {@code map} throughput: a trivial function over many inputs, on resident
 * workers with 1, 2 and 4 tasks in flight per slot, and with one {@code spawnFunction} per
 * input ({@code spawnPerTask(true)}). A custom loop, not JMH: one operation is a whole
 * {@code map} of 10^5 inputs, and what it yields is tasks per second.
 *
 * <p>Each round builds one farm per mode, warms it with a shorter map (the function is
 * installed on the workers and the JIT has compiled the paths), times one {@code map} of
 * {@code inputs} inputs, checks every result and closes the farm. Rounds run the modes in
 * turn, so a change in the machine's load falls on every mode alike; each mode's figure is
 * the median of its rounds. Building and closing a farm are not timed.
 *
 * <pre>{@code
 * List<FarmResult> r = FarmMapThroughputBenchmark.run(vm, 10_000, 100_000, 3);
 * }</pre>
 */
public final class FarmMapThroughputBenchmark {

    /** The trivial function: an Integer in, an Integer out, both through Kryo. */
    static final TaskFunction<Integer, Integer> INCREMENT = x -> x + 1;

    /** The modes measured, in report order: resident workers with 1, 2 and 4 in flight, then spawn per task. */
    public static final List<FarmMode> MODES = List.of(
            FarmMode.resident(1), FarmMode.resident(2), FarmMode.resident(4), FarmMode.SPAWN_PER_TASK);

    /**
     * How the farm places its tasks.
     *
     * @param spawnPerTask    one {@code spawnFunction} per input instead of resident workers
     * @param inFlightPerSlot tasks sent ahead to each resident worker (1 when spawning per task)
     */
    public record FarmMode(boolean spawnPerTask, int inFlightPerSlot) {

        /** {@code spawnPerTask(true)}: PyOPUS's one task per input. */
        public static final FarmMode SPAWN_PER_TASK = new FarmMode(true, 1);

        /** Resident workers with {@code inFlight} tasks per slot. */
        public static FarmMode resident(int inFlight) {
            return new FarmMode(false, inFlight);
        }

        /** The label in logs and the report, e.g. {@code resident, 2 in flight}. */
        public String label() {
            return spawnPerTask ? "spawn per task" : "resident, " + inFlightPerSlot + " in flight";
        }

        TaskFarm build(VirtualMachine vm) {
            return spawnPerTask
                    ? TaskFarm.builder(vm).spawnPerTask(true).build()
                    : TaskFarm.builder(vm).inFlightPerSlot(inFlightPerSlot).build();
        }
    }

    /**
     * What one mode gave over all rounds.
     *
     * @param mode              the mode's label
     * @param spawnPerTask      as {@link FarmMode#spawnPerTask()}
     * @param inFlightPerSlot   as {@link FarmMode#inFlightPerSlot()}
     * @param workers           the farm's workers ({@link FarmStats#workers()}): resident tasks or worker slots
     * @param inputs            inputs of each timed {@code map}
     * @param warmupInputs      inputs of the untimed {@code map} before it
     * @param tasksPerSecond    median over the rounds of inputs / seconds of the timed {@code map}
     * @param minTasksPerSecond the slowest round
     * @param maxTasksPerSecond the fastest round
     * @param seconds           each round's timed {@code map}, in the order run
     */
    public record FarmResult(String mode, boolean spawnPerTask, int inFlightPerSlot, int workers, int inputs,
                             int warmupInputs, double tasksPerSecond, double minTasksPerSecond,
                             double maxTasksPerSecond, List<Double> seconds) {
    }

    private FarmMapThroughputBenchmark() {
    }

    /**
     * Runs {@code rounds} rounds of every mode in {@link #MODES}.
     *
     * @param vm           the spawner's open VM, every worker slot free
     * @param warmupInputs inputs of each farm's untimed warm-up map
     * @param inputs       inputs of each timed map
     * @param rounds       how many times each mode is timed (the figure is their median)
     * @return one result per mode, in {@link #MODES} order
     * @throws IllegalStateException if a result is wrong or the farm lost or failed a task
     */
    public static List<FarmResult> run(VirtualMachine vm, int warmupInputs, int inputs, int rounds) {
        List<Integer> warm = IntStream.range(0, warmupInputs).boxed().toList();
        List<Integer> timed = IntStream.range(0, inputs).boxed().toList();
        double[][] secs = new double[MODES.size()][rounds];
        int[] workers = new int[MODES.size()];
        for (int round = 0; round < rounds; round++) {
            for (int m = 0; m < MODES.size(); m++) {
                FarmMode mode = MODES.get(m);
                try (TaskFarm farm = mode.build(vm)) {
                    check(mode, warm, farm.map(INCREMENT, warm));
                    long t0 = System.nanoTime();
                    List<Integer> out = farm.map(INCREMENT, timed);
                    secs[m][round] = (System.nanoTime() - t0) / 1e9;
                    check(mode, timed, out);
                    FarmStats stats = farm.stats();
                    if (stats.retried() != 0 || stats.failed() != 0) {
                        throw new IllegalStateException("farm (" + mode.label() + ") retried or failed tasks: " + stats);
                    }
                    workers[m] = stats.workers();
                }
            }
        }
        List<FarmResult> results = new ArrayList<>();
        for (int m = 0; m < MODES.size(); m++) {
            double[] tps = Arrays.stream(secs[m]).map(s -> inputs / s).sorted().toArray();
            FarmMode mode = MODES.get(m);
            results.add(new FarmResult(mode.label(), mode.spawnPerTask(), mode.inFlightPerSlot(), workers[m], inputs,
                    warmupInputs, median(tps), tps[0], tps[tps.length - 1],
                    Arrays.stream(secs[m]).boxed().toList()));
        }
        return results;
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** A benchmark that returned wrong results would measure nothing: every result is checked. */
    private static void check(FarmMode mode, List<Integer> in, List<Integer> out) {
        if (out.size() != in.size()) {
            throw new IllegalStateException("farm (" + mode.label() + ") map returned " + out.size() + " results for "
                    + in.size() + " inputs");
        }
        for (int i = 0; i < in.size(); i++) {
            if (out.get(i) != in.get(i) + 1) {
                throw new IllegalStateException("farm (" + mode.label() + ") map: result " + i + " is " + out.get(i)
                        + ", expected " + (in.get(i) + 1));
            }
        }
    }
}
