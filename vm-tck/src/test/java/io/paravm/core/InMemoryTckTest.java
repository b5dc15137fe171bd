package io.paravm.core;

import io.paravm.tck.FarmVerification;
import io.paravm.tck.TckLauncher;
import io.paravm.tck.VirtualMachineVerification;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the TCK's rules (the VM's and the task farm's) over vm-core with three ranks as
 * threads of this JVM. This checks vm-core's semantics and the TCK itself quickly; the
 * transports run the same suite in real jobs. It lives in vm-tck (in vm-core's package, for
 * the in-memory double from vm-core's test-jar, which vm-tck's tests alone depend on).
 */
class InMemoryTckTest {

    /** The TCK as the in-memory double runs it. */
    public static class InMemoryVerification extends VirtualMachineVerification {
    }

    @Test
    void tckPassesOverCoreWithThreeRanksInOneJvm() throws Exception {
        InMemoryVms vms = new InMemoryVms(3);
        TckLauncher.Outcome outcome = TckLauncher.runOnSpawner(vms.spawner,
                List.of(InMemoryVerification.class, FarmVerification.class),
                Path.of("target/tck/in-memory-np3"), "in-memory np=3");
        vms.awaitWorkers();
        assertEquals(0, outcome.failed(), "see the PASS/FAIL lines above and target/tck/in-memory-np3");
        assertEquals(2, outcome.skipped(), "with 3 ranks every rule applies but 1.6 and 3.12, which need two slots "
                + "per worker (InMemoryEnvironmentTckTest runs them)");
        assertTrue(outcome.passed() > 20);
    }
}
