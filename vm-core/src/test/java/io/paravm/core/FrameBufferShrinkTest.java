package io.paravm.core;

import io.paravm.TaskId;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The frame buffer grown for one large message goes back to its usual size once its rank is idle. */
class FrameBufferShrinkTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    @DisplayName("issue 16: after a 4 MiB message, the spawner's frame buffer shrinks once it has waited 1 s with nothing")
    void grownBufferShrinksWhenIdle() {
        try (InMemoryVms vms = new InMemoryVms(2)) {
            SpawnerVirtualMachine vm = (SpawnerVirtualMachine) vms.spawner;
            TaskId reader = vm.spawnFunction(w -> ((byte[]) w.receiveMessage(WAIT, w.parentTaskId()).orElseThrow()
                    .message()).length).orElseThrow();
            vm.sendMessage(reader, new byte[4 << 20]);
            assertTrue(vm.channel.frameBufferGrown(), "a 4 MiB message needs a grown buffer");
            // The task's result and exit come, then nothing: the receive below waits idle past 1 s.
            assertEquals(4 << 20, ((io.paravm.TaskResult) vm.receiveMessage(WAIT).orElseThrow().message()).value());
            vm.receiveMessage(WAIT).orElseThrow(); // the exit
            assertTrue(vm.receiveMessage(Duration.ofMillis(2_500)).isEmpty());
            assertFalse(vm.channel.frameBufferGrown(), "the buffer is still grown after 2.5 s idle");
        }
    }
}
