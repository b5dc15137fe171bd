package io.paravm.tck;

import io.paravm.Received;
import io.paravm.Task;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.TaskResult;
import io.paravm.VirtualMachine;
import io.paravm.VmException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Tasks and helpers the verifications use. Tasks are static factories so the lambdas
 * capture only their arguments (a lambda in a test method would capture the test).
 */
final class TckTasks {
    private TckTasks() {
    }

    static Duration timeout() {
        return Duration.ofSeconds(TckEnvironment.timeoutSeconds());
    }

    /** Receives {@code count} messages from the parent and sends each back; returns the count. */
    static Task<Integer> echo(int count) {
        return vm -> {
            for (int i = 0; i < count; i++) {
                Received r = vm.receiveMessage(timeout(), vm.parentTaskId()).orElseThrow(
                        () -> new IllegalStateException("echo task got no message in " + timeout()));
                vm.sendMessage(r.sender(), r.message());
            }
            return count;
        };
    }

    /** Waits for one message from anyone and returns it (keeps its slot busy until then). */
    static Task<Object> waitForOne() {
        return vm -> vm.receiveMessage(timeout()).orElseThrow(
                () -> new IllegalStateException("no message in " + timeout())).message();
    }

    /** Sends {@code greeting} to the parent, then waits for one message from anyone and returns it. */
    static Task<Object> greetThenWait(String greeting) {
        return vm -> {
            vm.sendMessage(vm.parentTaskId(), greeting);
            return vm.receiveMessage(timeout()).orElseThrow(
                    () -> new IllegalStateException("no message in " + timeout())).message();
        };
    }

    /**
     * Waits for one message: a {@link TaskId} is sent the text "stale" and returned; anything
     * else is returned as it is.
     */
    static Task<Object> relay() {
        return vm -> {
            Object m = vm.receiveMessage(timeout()).orElseThrow(
                    () -> new IllegalStateException("no message in " + timeout())).message();
            if (m instanceof TaskId target) vm.sendMessage(target, "stale");
            return m;
        };
    }

    /**
     * One of two senders on one rank (rule 3.12), told its part by the parent: given the
     * second's {@link TaskId}, it messages the parent "from the first", then tells the second
     * "go"; told "second", it waits for that go, then messages the parent "from the second".
     * Either then waits for the parent's "done"; told anything else, it ends at once. Returns
     * what it was told.
     */
    static Task<Object> sameRankSender() {
        return vm -> {
            Object part = vm.receiveMessage(timeout(), vm.parentTaskId()).orElseThrow(
                    () -> new IllegalStateException("no part from the parent in " + timeout())).message();
            if (part instanceof TaskId second) {
                vm.sendMessage(vm.parentTaskId(), "from the first");
                vm.sendMessage(second, "go");
            } else if ("second".equals(part)) {
                vm.receiveMessage(timeout()).orElseThrow(() -> new IllegalStateException("no go in " + timeout()));
                vm.sendMessage(vm.parentTaskId(), "from the second");
            } else {
                return part;
            }
            vm.receiveMessage(timeout(), vm.parentTaskId()).orElseThrow(
                    () -> new IllegalStateException("no done from the parent in " + timeout()));
            return part;
        };
    }

    /** What the spawner gathered about a group of tasks. */
    record Outcome(Map<TaskId, TaskResult> results, Map<TaskId, TaskExit> exits, List<Received> others) {
    }

    /**
     * Receives until every task in {@code ids} has exited; fails the test past the TCK timeout.
     */
    static Outcome collect(VirtualMachine vm, List<TaskId> ids) {
        Map<TaskId, TaskResult> results = new LinkedHashMap<>();
        Map<TaskId, TaskExit> exits = new LinkedHashMap<>();
        List<Received> others = new ArrayList<>();
        long deadline = System.nanoTime() + timeout().toNanos();
        while (!exits.keySet().containsAll(ids)) {
            long left = deadline - System.nanoTime();
            Received r = vm.receiveMessage(Duration.ofNanos(Math.max(left, 1))).orElseThrow(() ->
                    new AssertionError("tasks " + ids + " did not all exit within " + timeout() + "; exited: " + exits.keySet()));
            if (r.message() instanceof TaskResult res) {
                results.put(r.sender(), res);
            } else if (r.message() instanceof TaskExit ex) {
                if (exits.put(ex.taskId(), ex) != null) {
                    throw new AssertionError("task " + ex.taskId() + " exited twice");
                }
            } else {
                others.add(r);
            }
        }
        return new Outcome(results, exits, others);
    }

    /** Waits for the one task's result and exit; returns the result, failing on a remote error. */
    static Object resultOf(VirtualMachine vm, TaskId id) {
        Outcome o = collect(vm, List.of(id));
        TaskResult res = o.results().get(id);
        if (res == null) throw new AssertionError("task " + id + " exited without a TaskResult");
        if (!res.success()) throw new AssertionError("task " + id + " failed remotely:\n" + res.error());
        return res.value();
    }

    /** Waits (polling checkForIncoming, which does not consume) until a message from {@code from} waits, or fails. */
    static void awaitIncoming(VirtualMachine vm, TaskId from) {
        long deadline = System.nanoTime() + timeout().toNanos();
        while (!vm.checkForIncoming(from)) {
            if (System.nanoTime() >= deadline) throw new AssertionError("no message from " + from + " within " + timeout());
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** Receives and drops messages until every worker slot is free again, or fails. */
    static void drainUntilIdle(VirtualMachine vm) {
        long deadline = System.nanoTime() + timeout().toNanos();
        while (vm.freeSlots() < vm.slots() - 1) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("slots still busy after " + timeout() + ":\n" + vm.formatSpawnerConfig());
            }
            try {
                vm.receiveMessage(Duration.ofNanos(left));
            } catch (VmException e) {
                // a message that cannot be decoded is consumed; keep draining
            }
        }
        while (true) {
            try {
                if (vm.receiveMessage(Duration.ZERO).isEmpty()) break;
            } catch (VmException e) {
                // as above
            }
        }
    }
}
