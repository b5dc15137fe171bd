package io.paravm.core;

import io.paravm.WorkerFinished;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place in vm-core that ends a worker's process. A worker must end for two reasons:
 * the spawner closed the VM while the worker sat in {@code spawnerBarrier()} (the worker's
 * {@code main} must not run on past the barrier as if it were the spawner: status 0), or the
 * spawner is gone while a task still runs here without looking at the VM ({@link OrphanWatch}:
 * the task's result has nowhere to go and the process would outlive its job: status 1).
 * Where ranks are threads of one JVM (MPJ Express multicore) the JVM is not ended, since that
 * would end every rank: the rank's thread ends by {@link WorkerFinished} instead.
 *
 * <pre>{@code
 * worker.runWorkerLoop();                                        // returns once the spawner closed the VM
 * WorkerProcessEnd.afterSpawnerClosed(rank, transport.ranksShareProcess());
 * }</pre>
 */
final class WorkerProcessEnd {

    private static final Logger LOG = LoggerFactory.getLogger(WorkerProcessEnd.class);

    private WorkerProcessEnd() {
    }

    /**
     * The spawner closed the VM and this worker's VM is closed: ends the process with status
     * 0, or, where ranks share the process, the rank's thread.
     *
     * @param rank               this worker's rank
     * @param ranksShareProcess  whether ranks are threads of one JVM
     * @throws WorkerFinished where ranks share the process
     */
    static void afterSpawnerClosed(int rank, boolean ranksShareProcess) {
        if (ranksShareProcess) throw new WorkerFinished(rank);
        LOG.debug("worker rank {} exits", rank);
        System.exit(0);
    }

    /**
     * The spawner is gone and a task ran on past the grace period: ends the process with status 1.
     *
     * @param rank this worker's rank
     */
    static void afterSpawnerGone(int rank) {
        LOG.debug("worker rank {} exits: its spawner is gone", rank);
        System.exit(1);
    }
}
