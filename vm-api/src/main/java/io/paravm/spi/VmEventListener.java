package io.paravm.spi;

import io.paravm.HostId;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.TaskResult;

/**
 * Told what a virtual machine does, as it happens: tasks spawned, started, ended; hosts that
 * join or are lost; frames sent and received per rank; samples of each host's CPU, heap and
 * GC; and the task farm's tasks. Register one with {@link VmEvents#add} on
 * {@link io.paravm.VirtualMachine#events()}; the dashboard, the Micrometer meters and the JFR
 * events are all such listeners.
 *
 * <pre>{@code
 * vm.events().add(new VmEventListener() {
 *     public void taskExited(TaskId task, TaskExit.Reason reason) {
 *         if (reason == TaskExit.Reason.LOST) lostTasks.increment();
 *     }
 * });
 * }</pre>
 *
 * <p>Every method has an empty default: override what you need. They are called on the VM's
 * own threads (the thread receiving, or sending, or the farm's dispatcher), some with a lock
 * held: return quickly, never block, never call the VM from one. An exception thrown from one
 * is logged and ignored. On the spawner every event is seen; a worker's VM sees only its own
 * frames and none of the task events (the spawner infers those from the frames that flow
 * anyway: a task has started once its first frame, or its result, has arrived).
 */
public interface VmEventListener {

    /**
     * The spawner sent a task to a slot of {@code host}.
     *
     * @param task the new task
     * @param host the host it runs on
     */
    default void taskSpawned(TaskId task, HostId host) {
    }

    /**
     * The spawner received the first frame of {@code task} (a message, a log line, its result
     * or its exit): it runs, or has run, on its worker.
     *
     * @param task the task
     */
    default void taskStarted(TaskId task) {
    }

    /**
     * The result of {@code task} arrived (tasks spawned with {@code sendBack}).
     *
     * @param task   the task
     * @param result its result; a failed one carries the remote stack trace in {@code error}
     */
    default void taskResult(TaskId task, TaskResult result) {
    }

    /**
     * {@code task} ended, and its slot is free.
     *
     * @param task   the task
     * @param reason finished, failed, or lost with its host
     */
    default void taskExited(TaskId task, TaskExit.Reason reason) {
    }

    /**
     * A rank joined the VM with its slots (at start, or later on engines whose hosts come and go).
     *
     * @param host  its host
     * @param rank  the rank
     * @param slots how many tasks it runs at once
     */
    default void hostAdded(HostId host, int rank, int slots) {
    }

    /**
     * A rank was lost; its tasks were reported as {@link #taskExited} with
     * {@link TaskExit.Reason#LOST} just before.
     *
     * @param host its host
     * @param rank the rank
     */
    default void hostRemoved(HostId host, int rank) {
    }

    /**
     * This rank handed a frame (a message, a spawn, a result, a control frame) to the engine.
     *
     * @param rank  the rank it goes to
     * @param bytes its size, header included
     */
    default void frameSent(int rank, int bytes) {
    }

    /**
     * This rank took a frame from the engine.
     *
     * @param rank  the rank it came from
     * @param bytes its size, header included
     */
    default void frameReceived(int rank, int bytes) {
    }

    /**
     * A worker's sample of its JVM's load, sent about once a second while the spawner's VM has
     * a listener (the spawner's own JVM is not sampled here: read its MXBeans).
     *
     * @param sample the sample
     */
    default void hostSampled(HostSample sample) {
    }

    /**
     * A task of a task farm was submitted, started, completed, failed, retried, timed out or
     * cancelled.
     *
     * @param event what happened
     */
    default void farmTask(FarmTaskEvent event) {
    }
}
