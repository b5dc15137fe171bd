package io.paravm.core;

import io.paravm.HostAdded;
import io.paravm.HostId;
import io.paravm.HostRemoved;
import io.paravm.Received;
import io.paravm.SlotId;
import io.paravm.TaskEndedException;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.TaskResult;
import io.paravm.VirtualMachine;
import io.paravm.VmException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The delivery rules of vm-core that need control over arrival order, and membership changes. */
class WorkerMessageRuleTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private InMemoryVms vms;

    @AfterEach
    void close() {
        if (vms != null) vms.close();
    }

    /** Receives until {@code ids} have all exited; returns every message seen, in order. */
    static List<Received> untilExited(VirtualMachine vm, List<TaskId> ids) {
        List<Received> seen = new ArrayList<>();
        List<TaskId> exited = new ArrayList<>();
        while (!exited.containsAll(ids)) {
            Received r = vm.receiveMessage(WAIT).orElseThrow(() -> new AssertionError("stalled; saw " + seen));
            seen.add(r);
            if (r.message() instanceof TaskExit e) exited.add(e.taskId());
        }
        return seen;
    }

    private static Object resultOf(List<Received> seen, TaskId id) {
        return seen.stream().filter(r -> r.sender().equals(id) && r.message() instanceof TaskResult)
                .map(r -> ((TaskResult) r.message()).value()).findFirst().orElseThrow();
    }

    @Test
    void messageToTaskThatHasNotStartedIsHeldUntilItStarts() {
        vms = new InMemoryVms(3);
        VirtualMachine vm = vms.spawner;
        vms.cluster.pause(0, 1); // B's spawn request will sit in transit to rank 1
        TaskId b = vm.spawnFunction(w -> w.receiveMessage(WAIT).orElseThrow().message()).orElseThrow();
        assertEquals(1, b.rank());
        TaskId a = vm.spawnFunction(w -> {
            w.sendMessage(b, "early");
            return null;
        }).orElseThrow();
        untilExited(vm, List.of(a));        // A's message reached rank 1 before B started
        vms.cluster.resume(1);
        assertEquals("early", resultOf(untilExited(vm, List.of(b)), b));
    }

    @Test
    void messageToEndedTaskIsDiscardedNotGivenToTheNextTaskOnThatRank() {
        vms = new InMemoryVms(3);
        VirtualMachine vm = vms.spawner;
        TaskId ended = vm.spawnFunction(w -> null).orElseThrow();
        untilExited(vm, List.of(ended));
        TaskId blocker = vm.spawnFunction(w -> w.receiveMessage(WAIT).orElseThrow().message()).orElseThrow();
        assertEquals(ended.rank(), blocker.rank(), "lowest free rank first");
        TaskId sender = vm.spawnFunction(w -> {
            w.sendMessage(ended, "stale");
            return null;
        }).orElseThrow();
        untilExited(vm, List.of(sender));
        vm.sendMessage(blocker, "fresh");
        assertEquals("fresh", resultOf(untilExited(vm, List.of(blocker)), blocker),
                "the blocker on the ended task's rank got only its own message");
    }

    @Test
    void lostRankEndsItsTaskAsLostAndLeavesTheBookkeeping() {
        vms = new InMemoryVms(3);
        VirtualMachine vm = vms.spawner;
        List<TaskId> ids = vm.spawnFunction(w -> w.receiveMessage(WAIT).orElseThrow().message(), 2, null, true);
        TaskId victim = ids.get(1);
        vms.cluster.kill(victim.rank());

        Received exit = vm.receiveMessage(WAIT).orElseThrow();
        assertEquals(new TaskExit(victim, TaskExit.Reason.LOST), exit.message());
        assertEquals(victim, exit.sender());
        Received removed = vm.receiveMessage(WAIT).orElseThrow();
        assertEquals(new HostRemoved(new HostId("host-0"), List.of(victim.rank())), removed.message());

        assertEquals(2, vm.slots());
        assertTrue(vm.freeSlotsSet().stream().noneMatch(s -> s.rank() == victim.rank()), vm.freeSlotsSet()::toString);
        VmException e = assertThrows(TaskEndedException.class, () -> vm.sendMessage(victim, "x"));
        assertTrue(e.getMessage().contains("was lost"), e.getMessage());
        // The survivor still works, and exactly one TaskExit came for the lost task.
        vm.sendMessage(ids.get(0), "still here");
        List<Received> rest = untilExited(vm, List.of(ids.get(0)));
        assertEquals("still here", resultOf(rest, ids.get(0)));
        assertTrue(rest.stream().noneMatch(r -> r.message() instanceof TaskExit t && t.taskId().equals(victim)));
    }

    @Test
    void rankThatJoinsLaterIsAnnouncedAndUsable() {
        vms = new InMemoryVms(2);
        VirtualMachine vm = vms.spawner;
        assertEquals(2, vm.slots());
        int newRank = vms.cluster.addRank();
        vms.startWorker(newRank);
        vms.cluster.announceJoin(newRank);
        Received r = vm.receiveMessage(WAIT).orElseThrow();
        assertEquals(new HostAdded(new HostId("host-" + (newRank % 2)), List.of(newRank)), r.message());
        assertEquals(3, vm.slots());
        assertTrue(vm.freeSlotsSet().contains(new SlotId(newRank, 0)), vm.freeSlotsSet()::toString);
        List<TaskId> ids = vm.spawnFunction(w -> w.taskId().rank(), 2, null, true);
        List<Received> seen = untilExited(vm, ids);
        assertEquals(List.of(1, newRank), ids.stream().map(id -> (Integer) resultOf(seen, id)).toList());
    }

    @Test
    void workerLeavesItsSpawnLoopWhenTheSpawnerIsLost() throws Exception {
        vms = new InMemoryVms(2);
        CompletableFuture<Void> worker = vms.workers.get(0);
        vms.cluster.kill(0);
        worker.get(30, TimeUnit.SECONDS);
        assertTrue(worker.isDone());
    }

    @Test
    void closeAsksEveryWorkerToLeaveItsLoop() throws Exception {
        vms = new InMemoryVms(3);
        vms.spawner.close();
        vms.awaitWorkers();
    }

    @Test
    void taskBlockedInReceiveIsReleasedWhenTheSpawnerCloses() throws Exception {
        vms = new InMemoryVms(2);
        TaskId id = vms.spawner.spawnFunction(w -> w.receiveMessage(Duration.ofSeconds(-1))).orElseThrow();
        assertTrue(id.isValid());
        vms.spawner.close();
        vms.awaitWorkers();
    }
}
