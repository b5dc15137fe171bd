package io.paravm.benchmarks.efficiency;

import io.paravm.Received;
import io.paravm.Task;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.TaskResult;
import io.paravm.VirtualMachine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * PyOPUS's spawn loop: one task per free slot ({@code spawnFunction} with {@code sendBack}),
 * and the next one into a slot as soon as its {@code TaskExit} arrives. Records, per task,
 * when it was spawned, when its result and its exit arrived (spawner's {@link System#nanoTime()}),
 * and hands every result to a check.
 *
 * <pre>{@code
 * SpawnLoop.Timeline t = SpawnLoop.run(vm, 10_000, Duration.ofSeconds(30), i -> w -> i + 1,
 *         (i, v) -> { if ((Integer) v != i + 1) throw new IllegalStateException(); });
 * double perSecond = t.tasksPerSecond();
 * }</pre>
 */
final class SpawnLoop {

    private static final Logger LOG = LoggerFactory.getLogger(SpawnLoop.class);
    /** How long the spawner waits for any result or exit before the run fails. */
    static final Duration WAIT = Duration.ofSeconds(120);

    /** Checks (and may keep) task {@code index}'s result. */
    @FunctionalInterface
    interface Check {
        void accept(int index, Object value);
    }

    /** When each task was spawned, answered and ended, spawner's clock, ns. */
    static final class Timeline {
        int count;
        long[] spawnedAt;
        long[] resultAt;
        long[] exitAt;

        Timeline(int capacity) {
            spawnedAt = new long[capacity];
            resultAt = new long[capacity];
            exitAt = new long[capacity];
        }

        private void grow(int index) {
            if (index < spawnedAt.length) return;
            int n = Math.max(spawnedAt.length * 2, index + 1);
            spawnedAt = Arrays.copyOf(spawnedAt, n);
            resultAt = Arrays.copyOf(resultAt, n);
            exitAt = Arrays.copyOf(exitAt, n);
        }

        /** From the first spawn to the last result, s. */
        double secondsToLastResult() {
            return secondsTo(resultAt, 0, count);
        }

        /** Tasks from {@code from} to {@code to} per second, from the first one's spawn to the last one's exit. */
        double tasksPerSecond(int from, int to) {
            return (to - from) / secondsTo(exitAt, from, to);
        }

        double tasksPerSecond() {
            return tasksPerSecond(0, count);
        }

        private double secondsTo(long[] end, int from, int to) {
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            for (int i = from; i < to; i++) {
                first = Math.min(first, spawnedAt[i]);
                last = Math.max(last, end[i]);
            }
            return (last - first) / 1e9;
        }

        /** Median of spawn to result, µs. */
        double resultMedianMicros() {
            return medianMicros(resultAt);
        }

        /** Median of spawn to exit (the slot's round trip), µs. */
        double exitMedianMicros() {
            return medianMicros(exitAt);
        }

        private double medianMicros(long[] end) {
            long[] d = new long[count];
            for (int i = 0; i < count; i++) d[i] = end[i] - spawnedAt[i];
            Arrays.sort(d);
            return count == 0 ? -1 : d[count / 2] / 1e3;
        }
    }

    private SpawnLoop() {
    }

    /**
     * Runs up to {@code maxTasks} tasks, spawning no new one after {@code length}.
     *
     * @param task  task {@code i}
     * @param check called with every result, on this thread
     * @throws IllegalStateException if a task failed or ended otherwise than finished, no slot was free at the
     *                               start, or nothing arrived within {@link #WAIT}
     */
    static Timeline run(VirtualMachine vm, int maxTasks, Duration length, IntFunction<Task<?>> task, Check check) {
        Timeline t = new Timeline(Math.min(maxTasks, 1 << 16));
        Map<TaskId, Integer> running = new HashMap<>();
        long end = System.nanoTime() + length.toNanos();
        int next = 0;
        while (next < maxTasks && vm.freeSlots() > 0) {
            if (!spawn(vm, task, next, t, running)) break;
            next++;
        }
        if (running.isEmpty()) {
            throw new IllegalStateException("no free worker slot to spawn into; slots " + vm.slots() + ", free "
                    + vm.freeSlots());
        }
        while (!running.isEmpty()) {
            Received r = vm.receiveMessage(WAIT).orElseThrow(() -> new IllegalStateException(
                    "no TaskResult or TaskExit within " + WAIT.toSeconds() + " s; running " + running.keySet()));
            long now = System.nanoTime();
            if (r.message() instanceof TaskResult res) {
                Integer i = running.get(r.sender());
                if (i == null) continue; // a late helper's result
                if (!res.success()) throw new IllegalStateException("task " + i + " (" + r.sender() + ") failed:\n" + res.error());
                t.resultAt[i] = now;
                check.accept(i, res.value());
            } else if (r.message() instanceof TaskExit exit) {
                Integer i = running.remove(exit.taskId());
                if (i == null) continue;
                if (exit.reason() != TaskExit.Reason.FINISHED) {
                    throw new IllegalStateException("task " + i + " (" + exit.taskId() + ") ended " + exit.reason());
                }
                t.exitAt[i] = now;
                t.count++;
                if (next < maxTasks && end - now > 0 && spawn(vm, task, next, t, running)) next++;
            } else {
                LOG.warn("spawn loop: ignoring {} from {}", r.message().getClass().getSimpleName(), r.sender());
            }
        }
        return t;
    }

    private static boolean spawn(VirtualMachine vm, IntFunction<Task<?>> task, int i, Timeline t, Map<TaskId, Integer> running) {
        Task<?> job = task.apply(i);
        t.grow(i);
        long at = System.nanoTime();
        List<TaskId> ids = vm.spawnFunction(job, 1, null, true);
        if (ids.isEmpty()) return false;
        t.spawnedAt[i] = at;
        running.put(ids.get(0), i);
        return true;
    }
}
