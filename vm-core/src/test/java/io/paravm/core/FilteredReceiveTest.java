package io.paravm.core;

import io.paravm.HostId;
import io.paravm.Received;
import io.paravm.TaskId;
import io.paravm.TaskResult;
import io.paravm.VirtualMachine;
import io.paravm.VmConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Receives and checks from one task while frames from others wait: O(1) each, matching the task.
 *
 * <p>They match the task, not only its rank, when a worker runs several.
 */
class FilteredReceiveTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Filtered receives timed and counted behind each backlog. */
    private static final int RECEIVES = 1_000;

    @AfterEach
    void clearSettings() {
        System.clearProperty(VmConfig.WORKER_SLOTS_PROP_NAME);
    }

    @Test
    @DisplayName("issue 16: a filtered receive on the spawner examines at most 2 kept frames, behind 10^3 or 10^5")
    void filteredReceiveExaminesAFewFramesWhateverElseWaits() {
        System.setProperty(VmConfig.WORKER_SLOTS_PROP_NAME, "3");
        try (InMemoryVms vms = new InMemoryVms(2)) {
            SpawnerVirtualMachine vm = (SpawnerVirtualMachine) vms.spawner;
            receivesBehind(vm, 1_000); // warms the receive path up, so the times compare like with like
            double small = receivesBehind(vm, 1_000);
            double large = receivesBehind(vm, 100_000);
            System.out.printf("filtered receive behind 10^3 frames: %.0f ns, behind 10^5: %.0f ns (ratio %.2f)%n",
                    small, large, large / small);
        }
    }

    /**
     * Leaves {@code backlog} frames from one task and {@link #RECEIVES} from another waiting on
     * the spawner, then receives the second's by sender; returns the mean time of one receive.
     */
    private static double receivesBehind(SpawnerVirtualMachine vm, int backlog) {
        // The flooder floods, then starts the talker, which talks, then tells the quiet task, which
        // says "ready": all from one rank, so once "ready" is here everything before it is too.
        TaskId flooder = vm.spawnFunction(w -> {
            TaskId talker = (TaskId) w.receiveMessage(WAIT, w.parentTaskId()).orElseThrow().message();
            for (int i = 0; i < backlog; i++) w.sendMessage(w.parentTaskId(), i);
            w.sendMessage(talker, "go");
            return null;
        }, 1, null, true).get(0);
        TaskId talker = vm.spawnFunction(w -> {
            TaskId quiet = (TaskId) w.receiveMessage(WAIT, w.parentTaskId()).orElseThrow().message();
            w.receiveMessage(WAIT).orElseThrow(); // the flooder's go
            for (int i = 0; i < RECEIVES; i++) w.sendMessage(w.parentTaskId(), i);
            w.sendMessage(quiet, "sent");
            return null;
        }, 1, null, true).get(0);
        TaskId quiet = vm.spawnFunction(w -> {
            w.receiveMessage(WAIT).orElseThrow(); // the talker's "sent"
            w.sendMessage(w.parentTaskId(), "ready");
            return null;
        }, 1, null, true).get(0);
        assertEquals(flooder.rank(), quiet.rank(), "the three tasks share one worker");
        vm.sendMessage(talker, quiet);
        vm.sendMessage(flooder, talker);
        assertEquals("ready", vm.receiveMessage(WAIT, quiet).orElseThrow().message());

        long worst = 0;
        long start = System.nanoTime();
        for (int i = 0; i < RECEIVES; i++) {
            long before = vm.framesExamined();
            Received r = vm.receiveMessage(WAIT, talker).orElseThrow();
            worst = Math.max(worst, vm.framesExamined() - before);
            assertEquals(i, r.message(), "the talker's messages in order");
        }
        double nanosPerReceive = (System.nanoTime() - start) / (double) RECEIVES;
        long most = worst;
        assertTrue(most <= 2, () -> "a receive from " + talker + " examined " + most + " kept frames with " + backlog
                + " from " + flooder + " waiting");

        for (int i = 0; i < backlog; i++) {
            Received r = vm.receiveMessage(WAIT).orElseThrow();
            assertEquals(flooder, r.sender(), "the oldest frame is the flooder's");
            assertEquals(i, r.message(), "the flooder's messages in order");
        }
        WorkerMessageRuleTest.untilExited(vm, List.of(flooder, talker, quiet));
        return nanosPerReceive;
    }

    @Test
    @DisplayName("issue 16: a filtered receive in a worker task examines at most 2 waiting frames, behind 10^3 or 10^5")
    void filteredReceiveInATaskExaminesAFewFramesWhateverElseWaits() {
        try (InMemoryVms vms = new InMemoryVms(3)) {
            for (int backlog : new int[]{1_000, 100_000}) {
                VirtualMachine vm = vms.spawner;
                // The receiver on rank 1 (host-1), the talker on rank 2 (host-0).
                TaskId receiver = vm.spawnFunction(w -> {
                    TaskId talker = (TaskId) w.receiveMessage(WAIT, w.parentTaskId()).orElseThrow().message();
                    WorkerVirtualMachine worker = (WorkerVirtualMachine) w;
                    long worst = 0;
                    for (int i = 0; i < RECEIVES; i++) {
                        long before = worker.framesExamined();
                        Object m = w.receiveMessage(WAIT, talker).orElseThrow().message();
                        worst = Math.max(worst, worker.framesExamined() - before);
                        if (!Integer.valueOf(i).equals(m)) return "the talker's message " + i + " came as " + m;
                    }
                    for (int i = 0; i < backlog; i++) {
                        Received r = w.receiveMessage(WAIT).orElseThrow();
                        if (!Integer.valueOf(i).equals(r.message())) return "the spawner's message " + i + " came as " + r;
                    }
                    return worst;
                }, 1, List.of(new HostId("host-1")), true).get(0);
                TaskId talker = vm.spawnFunction(w -> {
                    TaskId to = (TaskId) w.receiveMessage(WAIT, w.parentTaskId()).orElseThrow().message();
                    for (int i = 0; i < RECEIVES; i++) w.sendMessage(to, i);
                    return null;
                }, 1, List.of(new HostId("host-0")), true).get(0);
                vm.sendMessage(receiver, talker);
                for (int i = 0; i < backlog; i++) vm.sendMessage(receiver, i); // all before the talker starts
                vm.sendMessage(talker, receiver);
                List<Received> seen = WorkerMessageRuleTest.untilExited(vm, List.of(receiver, talker));
                TaskResult res = seen.stream().filter(r -> r.sender().equals(receiver) && r.message() instanceof TaskResult)
                        .map(r -> (TaskResult) r.message()).findFirst().orElseThrow();
                assertTrue(res.success(), res::error);
                assertTrue(res.value() instanceof Long worst && worst <= 2, () -> "with " + backlog + " frames from the "
                        + "spawner waiting, a receive from the talker examined at most " + res.value() + " frames");
            }
        }
    }

    @Test
    @DisplayName("issue 16: checkForIncoming(from) and receiveMessage(t, from) on a worker match the task, not its rank")
    void checkAndReceiveOnAWorkerMatchTheTaskNotItsRank() {
        System.setProperty(VmConfig.WORKER_SLOTS_PROP_NAME, "2");
        try (InMemoryVms vms = new InMemoryVms(3)) {
            VirtualMachine vm = vms.spawner;
            // Rank 1 is on host-1, rank 2 on host-0: the receiver on rank 1, both senders on rank 2.
            TaskId receiver = vm.spawnFunction(w -> {
                @SuppressWarnings("unchecked")
                List<TaskId> senders = (List<TaskId>) w.receiveMessage(WAIT, w.parentTaskId()).orElseThrow().message();
                TaskId first = senders.get(0);
                TaskId second = senders.get(1);
                // The first sent before it started the second, on the same rank: its message is here now.
                Object fromSecond = w.receiveMessage(WAIT, second).orElseThrow().message();
                List<Object> seen = new ArrayList<>(List.of(fromSecond));
                seen.add(w.checkForIncoming(second));
                seen.add(w.receiveMessage(Duration.ZERO, second).isPresent());
                seen.add(w.checkForIncoming(first));
                seen.add(w.receiveMessage(Duration.ZERO, first).orElseThrow().message());
                return seen;
            }, 1, List.of(new HostId("host-1")), true).get(0);
            List<TaskId> senders = vm.spawnFunction(w -> {
                Object m = w.receiveMessage(WAIT, w.parentTaskId()).orElseThrow().message();
                if (m instanceof List<?> targets) { // the first: [receiver, second]
                    w.sendMessage((TaskId) targets.get(0), "from the first");
                    w.sendMessage((TaskId) targets.get(1), "go");
                } else { // the second: the receiver
                    w.receiveMessage(WAIT).orElseThrow(); // the first's go
                    w.sendMessage((TaskId) m, "from the second");
                }
                return null;
            }, 2, List.of(new HostId("host-0")), true);
            assertEquals(2, senders.size());
            assertEquals(senders.get(0).rank(), senders.get(1).rank(), "both senders share a worker");
            vm.sendMessage(receiver, senders);
            vm.sendMessage(senders.get(0), List.of(receiver, senders.get(1)));
            vm.sendMessage(senders.get(1), receiver);
            List<Received> seen = WorkerMessageRuleTest.untilExited(vm, List.of(receiver, senders.get(0), senders.get(1)));
            Object result = seen.stream().filter(r -> r.sender().equals(receiver) && r.message() instanceof TaskResult)
                    .map(r -> (TaskResult) r.message()).map(res -> res.success() ? res.value() : res.error())
                    .findFirst().orElseThrow();
            assertEquals(List.of("from the second", false, false, true, "from the first"), result,
                    "after the second's message: nothing more from it, the first's waiting");
        }
    }
}
