package io.paravm.tck;

import io.paravm.TaskId;
import io.paravm.VirtualMachine;
import io.paravm.VmClosedException;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rules that hold once the spawner has closed the VM; {@link TckLauncher} runs it after
 * {@link VirtualMachine#close()}. Worker processes ending is checked by the launcher,
 * which waits for each worker's pid to exit.
 *
 * <pre>{@code
 * vm.close();
 * TckEnvironment.markClosed();
 * // run ClosedVirtualMachineVerification
 * }</pre>
 */
public class ClosedVirtualMachineVerification {

    /** Rule 5.1: every call on a closed VM fails with VmClosedException naming the call. */
    @Test
    void required_spec5_1_useAfterCloseFails() {
        assertTrue(TckEnvironment.isClosed(), "the launcher closes the VM before this runs");
        VirtualMachine vm = TckEnvironment.vm();
        VmClosedException e = assertThrows(VmClosedException.class, () -> vm.sendMessage(new TaskId(1, 1), "x"));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(VmClosedException.class, () -> vm.receiveMessage(Duration.ZERO));
        assertThrows(VmClosedException.class, () -> vm.spawnFunction(w -> 1, 1, null, true));
        assertThrows(VmClosedException.class, vm::slots);
        assertThrows(VmClosedException.class, vm::checkForIncoming);
    }

    /** Rule 5.2: close is idempotent. */
    @Test
    void required_spec5_2_closeTwiceIsHarmless() {
        assertDoesNotThrow(() -> TckEnvironment.vm().close());
    }
}
