package io.paravm.benchmarks.backend;

/**
 * One job the orchestrator starts for a backend.
 *
 * @param ranks     ranks in the job, the spawner included
 * @param tasksOnly run only the task-throughput loops, spawn and task farm (for rank counts
 *                  where latency between two parties adds nothing)
 */
public record JobPlan(int ranks, boolean tasksOnly) {

    /** Every benchmark, with {@code ranks} ranks. */
    public static JobPlan all(int ranks) {
        return new JobPlan(ranks, false);
    }

    /** Spawn and task-farm throughput only, with {@code ranks} ranks. */
    public static JobPlan tasksOnly(int ranks) {
        return new JobPlan(ranks, true);
    }

    /** The label used in file names and tables, e.g. {@code np2}. */
    public String label() {
        return "np" + ranks;
    }
}
