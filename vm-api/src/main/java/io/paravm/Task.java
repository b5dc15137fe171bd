package io.paravm;

import java.io.Serializable;

/**
 * A function that the spawner runs on a worker. It is serialized and shipped, so a
 * lambda must capture only serializable values; capturing its arguments is the normal
 * way to pass them. The worker's own {@link VirtualMachine} is handed in so the task
 * can message its parent or other tasks.
 *
 * <pre>{@code
 * double x = 3.0;
 * vm.spawnFunction(worker -> Math.sqrt(x), 1, null, true);
 *
 * // a task that talks back while it runs
 * vm.spawnFunction(worker -> {
 *     worker.sendMessage(worker.parentTaskId(), "started on " + worker.hostId());
 *     return null;
 * }, 1, null, false);
 * }</pre>
 *
 * @param <R> the type of the value sent back in {@link TaskResult#value()}
 */
@FunctionalInterface
public interface Task<R> extends Serializable {

    /**
     * Runs the task on a worker.
     *
     * @param vm the virtual machine as seen by the worker running this task
     * @return the value sent back to the spawner when spawned with {@code sendBack}
     * @throws Exception anything; it is caught, and reported with its stack trace in
     *                   {@link TaskResult#error()}
     */
    R run(VirtualMachine vm) throws Exception;
}
