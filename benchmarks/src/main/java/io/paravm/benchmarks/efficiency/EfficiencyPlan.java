package io.paravm.benchmarks.efficiency;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * How much the efficiency benchmark does, the same for every engine and the mpi4py anchor
 * (which takes the same options, {@link #args()}).
 *
 * <pre>{@code
 * EfficiencyPlan plan = EfficiencyPlan.of(quick);
 * plan.tasks(1000);    // how many ~1 ms tasks a round farms out
 * }</pre>
 *
 * @param taskMicros        the tasks' nominal CPU times, µs
 * @param workMillis        CPU work of one round's serial run, ms (tasks = workMillis / task size, 50 to 20,000)
 * @param rounds            measured rounds per task size, after one warm-up round of a quarter of the tasks
 * @param coldTasks         trivial tasks counted from the job's first spawn
 * @param trivialMillis     length of each warm trivial spawn-loop round, ms
 * @param trivialRounds     warm trivial rounds of each kind (constant, capturing)
 * @param idleMillis        the idle window, ms
 * @param chunked           also farm tasks under 1 ms in chunks of about 1 ms (reported apart)
 * @param farmTrivialInputs inputs of the trivial {@code map} (0: none)
 */
public record EfficiencyPlan(List<Integer> taskMicros, int workMillis, int rounds, int coldTasks, int trivialMillis,
                             int trivialRounds, int idleMillis, boolean chunked, int farmTrivialInputs) {

    /** Fewest and most tasks in a round. */
    static final int MIN_TASKS = 50;
    static final int MAX_TASKS = 20_000;

    /** Copies the sizes. */
    public EfficiencyPlan {
        taskMicros = List.copyOf(taskMicros);
    }

    /**
     * The CI smoke mode (~1 ms tasks only, 400 of them, two rounds: well under a minute a job) or the full run
     * (0.1, 1 and 10 ms, 2 s of work a round, three rounds, chunked maps too).
     */
    public static EfficiencyPlan of(boolean quick) {
        return quick
                ? new EfficiencyPlan(List.of(1000), 400, 2, 10_000, 1000, 1, 2500, false, 5_000)
                : new EfficiencyPlan(List.of(100, 1000, 10_000), 2000, 3, 10_000, 2000, 3, 2500, true, 50_000);
    }

    /** The rank counts to run: cores + 1 (the launcher's default), and in the full run cores too. */
    public static List<Integer> ranks(boolean quick, int cores) {
        return quick ? List.of(cores + 1) : List.of(cores + 1, cores);
    }

    /** Tasks of one round for tasks of {@code micros} µs. */
    public int tasks(int micros) {
        return (int) Math.max(MIN_TASKS, Math.min(MAX_TASKS, workMillis * 1000L / micros));
    }

    /** Tasks in a chunk of about 1 ms, for tasks of {@code micros} µs (1: no chunking). */
    public static int chunk(int micros) {
        return Math.max(1, 1000 / micros);
    }

    /** The options that give this plan, for the job and the anchor. */
    public List<String> args() {
        List<String> a = new ArrayList<>(List.of("--sizes-us", String.join(",", taskMicros.stream().map(String::valueOf).toList()),
                "--work-ms", String.valueOf(workMillis), "--rounds", String.valueOf(rounds),
                "--cold-tasks", String.valueOf(coldTasks), "--trivial-ms", String.valueOf(trivialMillis),
                "--trivial-rounds", String.valueOf(trivialRounds), "--idle-ms", String.valueOf(idleMillis),
                "--trivial-map", String.valueOf(farmTrivialInputs)));
        if (chunked) a.add("--chunked");
        return a;
    }

    /** The options {@link #args()} gives with a value; {@code --chunked} is a flag. */
    static final List<String> OPTIONS = List.of("--sizes-us", "--work-ms", "--rounds", "--cold-tasks", "--trivial-ms",
            "--trivial-rounds", "--idle-ms", "--trivial-map");

    /**
     * The plan {@link #args()} gave.
     *
     * @param options every option of {@link #OPTIONS} with its value
     * @param chunked whether {@code --chunked} was given
     * @throws IllegalArgumentException naming an option that is missing or not a positive number
     */
    static EfficiencyPlan parse(Map<String, String> options, boolean chunked) {
        for (String o : OPTIONS) {
            if (!options.containsKey(o)) throw new IllegalArgumentException("missing " + o + "; the runner passes " + OPTIONS);
        }
        List<Integer> sizes = Arrays.stream(options.get("--sizes-us").split(",")).map(v -> positive("--sizes-us", v)).toList();
        return new EfficiencyPlan(sizes, positive(options, "--work-ms"), positive(options, "--rounds"),
                positive(options, "--cold-tasks"), positive(options, "--trivial-ms"), positive(options, "--trivial-rounds"),
                positive(options, "--idle-ms"), chunked, Integer.parseInt(options.get("--trivial-map")));
    }

    private static int positive(Map<String, String> options, String option) {
        return positive(option, options.get(option));
    }

    private static int positive(String option, String value) {
        try {
            int v = Integer.parseInt(value.trim());
            if (v > 0) return v;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " wants a positive whole number, not '" + value + "'");
    }
}
