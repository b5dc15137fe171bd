package io.paravm.benchmarks;

import io.paravm.Received;
import io.paravm.Task;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.TaskResult;
import io.paravm.VirtualMachine;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Spawning a helper task and collecting its end, with deadlines so nothing hangs. */
public final class VmTasks {

    /** How long the spawner waits for a helper task's result before failing the run. */
    public static final Duration END_TIMEOUT = Duration.ofSeconds(60);

    private VmTasks() {
    }

    /**
     * Spawns one task with {@code sendBack} into a free slot.
     *
     * @throws IllegalStateException if no slot is free (a previous helper did not end)
     */
    public static TaskId spawnOne(VirtualMachine vm, Task<?> task) {
        List<TaskId> ids = vm.spawnFunction(task, 1, null, true);
        if (ids.isEmpty()) {
            throw new IllegalStateException("no free slot to start a benchmark helper; slots " + vm.slots()
                    + ", free " + vm.freeSlots() + " (a previous helper has not ended)");
        }
        return ids.get(0);
    }

    /**
     * Waits for {@code task} to send {@code expected} (e.g. "my listener is registered").
     *
     * @throws IllegalStateException if the task ended first (with its error, if it failed), or
     *                               sent nothing within {@link #END_TIMEOUT}
     */
    public static void awaitMessage(VirtualMachine vm, TaskId task, Object expected) {
        long deadline = System.nanoTime() + END_TIMEOUT.toNanos();
        TaskResult failure = null;
        while (true) {
            long left = deadline - System.nanoTime();
            Received r = left > 0 ? vm.receiveMessage(Duration.ofNanos(left)).orElse(null) : null;
            if (r == null) {
                throw new IllegalStateException("helper task " + task + " did not send '" + expected + "' within "
                        + END_TIMEOUT.toSeconds() + " s");
            }
            if (r.sender().equals(task) && expected.equals(r.message())) return;
            if (r.message() instanceof TaskResult res && r.sender().equals(task)) failure = res;
            if (r.message() instanceof TaskExit exit && exit.taskId().equals(task)) {
                throw new IllegalStateException("helper task " + task + " ended " + exit.reason() + " before sending '"
                        + expected + "'" + (failure == null || failure.success() ? "" : ":\n" + failure.error()));
            }
            // anything else (a late echo) is dropped
        }
    }

    /**
     * Waits for {@code task}'s result and exit; returns the result's value.
     *
     * @throws IllegalStateException if it failed, or did not end within {@link #END_TIMEOUT}
     */
    public static Object awaitEnd(VirtualMachine vm, TaskId task) {
        return awaitAll(vm, List.of(task)).get(task);
    }

    /**
     * Waits for the results and exits of all {@code tasks}; returns their values by task.
     *
     * @throws IllegalStateException if one failed, or they did not all end within {@link #END_TIMEOUT}
     */
    public static Map<TaskId, Object> awaitAll(VirtualMachine vm, List<TaskId> tasks) {
        long deadline = System.nanoTime() + END_TIMEOUT.toNanos();
        Map<TaskId, TaskResult> results = new HashMap<>();
        Map<TaskId, Object> values = new HashMap<>();
        while (values.size() < tasks.size()) {
            long left = deadline - System.nanoTime();
            Received r = left > 0 ? vm.receiveMessage(Duration.ofNanos(left)).orElse(null) : null;
            if (r == null) {
                throw new IllegalStateException("helper tasks " + tasks + " did not all end within "
                        + END_TIMEOUT.toSeconds() + " s; ended: " + values.keySet());
            }
            if (r.message() instanceof TaskResult res && tasks.contains(r.sender())) {
                results.put(r.sender(), res);
            } else if (r.message() instanceof TaskExit exit && tasks.contains(exit.taskId())) {
                TaskResult result = results.get(exit.taskId());
                if (result == null || !result.success()) {
                    throw new IllegalStateException("helper task " + exit.taskId() + " ended " + exit.reason()
                            + (result == null ? " without a result" : ":\n" + result.error()));
                }
                values.put(exit.taskId(), result.value());
            }
            // anything else (a late echo) is dropped
        }
        return values;
    }
}
