package io.paravm.benchmarks.efficiency;

import java.util.List;
import java.util.Map;

/**
 * What one efficiency job measured, as {@code efficiency-<backend>-<label>.json}: written by
 * {@link EfficiencyJob} on a ParaVM engine and, with the same fields, by the mpi4py anchor
 * ({@code benchmarks/anchor/efficiency_anchor.py}); read back by {@link EfficiencyReport}.
 * A figure that was not measured is -1 (or null).
 *
 * <pre>{@code
 * JobFigures f = new ObjectMapper().readValue(file, JobFigures.class);
 * f.runs().forEach(r -> System.out.println(r.mode() + " " + r.efficiency()));
 * }</pre>
 *
 * @param backend                   the backend's name, or {@code mpi4py} for the anchor
 * @param label                     e.g. {@code np3}
 * @param ranks                     ranks in the job, the spawner included
 * @param workers                   worker slots
 * @param cpusSeen                  CPUs the spawner's runtime sees (a rank bound to one core sees 1)
 * @param engine                    the engine and its version
 * @param quick                     the CI smoke mode
 * @param binding                   how the ranks were bound, as the launcher reported it (added by the runner)
 * @param launchToFirstResultMillis from the job's first process's start to the first task result on the spawner
 * @param calibration               iterations of the CPU loop per ms of CPU, on a worker
 * @param processes                 every process of the job
 * @param idle                      the idle window
 * @param trivial                   the spawn loop of trivial tasks
 * @param runs                      the CPU-bound runs, per task size and mode
 * @param loadAverageStart          the 1, 5, 15 min load averages when the job started
 * @param loadAverageEnd            the same when it ended
 * @param spawnerJvmArgs            the spawner's own JVM options, as {@code paravm run} gives them (added by the
 *                                  runner; empty: none; null in results written before 2026-12-07's second run)
 */
public record JobFigures(String backend, String label, int ranks, int workers, int cpusSeen, String engine, boolean quick,
                         String binding, double launchToFirstResultMillis, long calibration, List<ProcessInfo> processes,
                         Idle idle, Trivial trivial, List<Run> runs, List<Double> loadAverageStart,
                         List<Double> loadAverageEnd, List<String> spawnerJvmArgs) {

    /**
     * One process of the job.
     *
     * @param pid         its pid
     * @param role        {@code spawner}, {@code worker N} (rank N), or what it is ({@code timeout}, {@code orterun},
     *                    {@code java HazelcastLauncher}, ...)
     * @param command     its command line, shortened
     * @param cpusAllowed the CPUs it may run on ({@code Cpus_allowed_list} in {@code /proc/PID/status})
     * @param cpusSeen    CPUs its runtime sees, or -1 if not a rank
     */
    public record ProcessInfo(long pid, String role, String command, String cpusAllowed, int cpusSeen) {
    }

    /**
     * The idle windows: every worker waits for work, the spawner is blocked in a receive.
     *
     * @param seconds                    their length, together
     * @param cpuPercent                 CPU % of one core per process role, and {@code all processes}, over the windows
     * @param firstAnswerAfterIdleMicros the median of {@code answersAfterIdleMicros}
     * @param warmAnswerMicros           the same, median of the warm spawn loop
     * @param answersAfterIdleMicros     a trivial task's spawn to its result, sent right after each window (null in
     *                                   results written before 2026-12-07: one window, one answer)
     */
    public record Idle(double seconds, Map<String, Double> cpuPercent, double firstAnswerAfterIdleMicros,
                       double warmAnswerMicros, List<Double> answersAfterIdleMicros) {

        /** The slowest answer after a window (the only one, in older results). */
        public double worstAnswerAfterIdleMicros() {
            return answersAfterIdleMicros == null || answersAfterIdleMicros.isEmpty() ? firstAnswerAfterIdleMicros
                    : answersAfterIdleMicros.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        }

        /** How many windows, each with its answer. */
        public int windows() {
            return answersAfterIdleMicros == null ? 1 : answersAfterIdleMicros.size();
        }
    }

    /**
     * Trivial tasks, PyOPUS's spawn loop: one task per free slot, the next on its exit.
     *
     * @param coldTasks                   tasks counted from the job's first spawn
     * @param coldTasksPerSecond          their rate
     * @param coldBlocksTasksPerSecond    the rate of each tenth of them, in order (the warm-up curve)
     * @param warmConstantTasksPerSecond  once warm, a task that captures nothing ({@code w -> 1}), median of rounds
     * @param warmCapturingTasksPerSecond once warm, a task that captures its argument ({@code w -> x + 1})
     * @param roundTripMicros             spawn to exit of a warm trivial task, median: the slot's round trip
     * @param resultMicros                spawn to result of a warm trivial task, median
     * @param farmMapTasksPerSecond       {@code TaskFarm.map} of {@code x -> x + 1}, default farm, once warm (-1: none)
     */
    public record Trivial(int coldTasks, double coldTasksPerSecond, List<Double> coldBlocksTasksPerSecond,
                          double warmConstantTasksPerSecond, double warmCapturingTasksPerSecond, double roundTripMicros,
                          double resultMicros, double farmMapTasksPerSecond) {
    }

    /**
     * One task size in one mode, over the measured rounds (each against its own serial run).
     *
     * @param taskMicros             the task's nominal CPU time
     * @param mode                   {@code map}, {@code map, chunks of N}, {@code spawn loop}, or {@code anchor loop}
     * @param tasks                  tasks per round
     * @param serialSeconds          each round's serial run: every task in one task on one worker
     * @param parallelSeconds        each round's parallel run, from the first send to the last result
     * @param speedup                median over rounds of serial / parallel
     * @param speedupMin             the slowest round
     * @param speedupMax             the fastest round
     * @param efficiency             speed-up / workers
     * @param tasksPerSecond         tasks / the median parallel run
     * @param taskCpuMicrosSerial    a task's own CPU time in the serial run, mean
     * @param serialCpuShare         the serial run's CPU over its wall time, inside the task (below 1: the worker
     *                               waited for a core, the machine was busy), median of rounds
     * @param taskCpuMicrosParallel  the same in the parallel run
     * @param taskWallMicrosParallel a task's own wall time in the parallel run, mean
     * @param cpuPercent             CPU % of one core per process role over the parallel runs, and {@code all processes}
     * @param maxRunning             most tasks running at once, from the tasks' own start and end (-1: not checked)
     * @param capEfficiency          a spawn loop's cap t / (t + round trip) (-1: not a spawn loop)
     */
    public record Run(int taskMicros, String mode, int tasks, List<Double> serialSeconds, List<Double> parallelSeconds,
                      double speedup, double speedupMin, double speedupMax, double efficiency, double tasksPerSecond,
                      double taskCpuMicrosSerial, double serialCpuShare, double taskCpuMicrosParallel,
                      double taskWallMicrosParallel,
                      Map<String, Double> cpuPercent, int maxRunning, double capEfficiency) {
    }
}
