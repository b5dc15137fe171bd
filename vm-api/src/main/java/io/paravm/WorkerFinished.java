package io.paravm;

/**
 * Ends a worker rank's thread after {@link VirtualMachine#spawnerBarrier()} on engines
 * whose ranks are threads of one JVM (MPJ Express multicore), where exiting the JVM would
 * end every rank. The launchers treat it as a normal end. It is an {@link Error} so that
 * user code between {@code spawnerBarrier()} and the spawner's program is skipped.
 *
 * <pre>{@code
 * vm.spawnerBarrier();           // a worker thread never gets past this line
 * runSpawnerProgram(vm);
 * }</pre>
 */
public final class WorkerFinished extends Error {
    private static final long serialVersionUID = 1L;

    /** @param rank the rank whose worker finished */
    public WorkerFinished(int rank) {
        super("worker rank " + rank + " finished its spawn loop", null, false, false);
    }
}
