package io.paravm.core;

import io.paravm.Received;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.TaskResult;
import io.paravm.VirtualMachine;
import io.paravm.VmConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Workers with several slots: tasks on threads of one JVM, each getting its own messages. */
class MultiSlotWorkerTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @AfterEach
    void clearSettings() {
        System.clearProperty(VmConfig.WORKER_SLOTS_PROP_NAME);
    }

    /**
     * Pairs of tasks on one worker greet each other many times over: every message reaches
     * its own task, with the right sender, while the two run at once.
     */
    @Test
    void pairsOnOneWorkerExchangeMessagesWithoutMixingThemUp() {
        System.setProperty(VmConfig.WORKER_SLOTS_PROP_NAME, "2");
        try (InMemoryVms vms = new InMemoryVms(2)) {
            VirtualMachine vm = vms.spawner;
            assertEquals(3, vm.slots());
            for (int i = 0; i < 500; i++) {
                List<TaskId> pair = vm.spawnFunction(w -> {
                    TaskId other = (TaskId) w.receiveMessage(WAIT, new TaskId(0, 0)).orElseThrow().message();
                    w.sendMessage(other, "hello from " + w.taskId());
                    String greeting = (String) w.receiveMessage(WAIT, other).orElseThrow().message();
                    String word = (String) w.receiveMessage(WAIT, new TaskId(0, 0)).orElseThrow().message();
                    return List.of(w.taskId(), greeting, word);
                }, 2, null, true);
                assertEquals(2, pair.size());
                assertEquals(pair.get(0).rank(), pair.get(1).rank());
                vm.sendMessage(pair.get(0), pair.get(1));
                vm.sendMessage(pair.get(1), pair.get(0));
                vm.sendMessage(pair.get(0), "word " + i);
                vm.sendMessage(pair.get(1), "word " + i);
                int exits = 0;
                while (exits < 2) {
                    Received r = vm.receiveMessage(WAIT).orElseThrow(() -> new AssertionError("a pair stalled"));
                    if (r.message() instanceof TaskResult res) {
                        assertTrue(res.success(), res::error);
                        TaskId me = r.sender();
                        TaskId other = pair.get(0).equals(me) ? pair.get(1) : pair.get(0);
                        assertEquals(List.of(me, "hello from " + other, "word " + i), res.value());
                    }
                    if (r.message() instanceof TaskExit) exits++;
                }
                assertEquals(2, vm.freeSlots());
            }
        }
    }
}
