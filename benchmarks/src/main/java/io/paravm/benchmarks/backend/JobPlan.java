package io.paravm.benchmarks.backend;

/**
 * One job the orchestrator starts for a backend.
 *
 * @param ranks     ranks in the job, the spawner included
 * @param spawnOnly run only the spawn-throughput loop (for rank counts where latency between
 *                  two parties adds nothing)
 */
public record JobPlan(int ranks, boolean spawnOnly) {

    /** Every benchmark, with {@code ranks} ranks. */
    public static JobPlan all(int ranks) {
        return new JobPlan(ranks, false);
    }

    /** Spawn throughput only, with {@code ranks} ranks. */
    public static JobPlan spawnOnly(int ranks) {
        return new JobPlan(ranks, true);
    }

    /** The label used in file names and tables, e.g. {@code np2}. */
    public String label() {
        return "np" + ranks;
    }
}
