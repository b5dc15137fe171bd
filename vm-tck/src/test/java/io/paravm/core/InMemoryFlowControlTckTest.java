package io.paravm.core;

import io.paravm.VmConfig;
import io.paravm.tck.FlowControlVerification;
import io.paravm.tck.TckLauncher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The flow-control rules on the in-memory engine (vm-core's semantics alone; the transports
 * run them for real in their reliability jobs), with a 4 MiB bound and a 2 s send timeout so
 * they take seconds.
 */
class InMemoryFlowControlTckTest {

    @AfterEach
    void clearSettings() {
        System.clearProperty(VmConfig.WORKER_SLOTS_PROP_NAME);
        System.clearProperty(VmConfig.UNREAD_BOUND_PROP_NAME);
        System.clearProperty(VmConfig.SEND_TIMEOUT_PROP_NAME);
    }

    @Test
    void flowControlRulesPass() throws Exception {
        System.setProperty(VmConfig.WORKER_SLOTS_PROP_NAME, "2");
        System.setProperty(VmConfig.UNREAD_BOUND_PROP_NAME, Long.toString(4L << 20));
        System.setProperty(VmConfig.SEND_TIMEOUT_PROP_NAME, "2000");
        InMemoryVms vms = new InMemoryVms(3);
        TckLauncher.Outcome outcome = TckLauncher.runOnSpawner(vms.spawner, List.of(FlowControlVerification.class),
                Path.of("target/tck/in-memory-flow"), "in-memory np=3 slots=2 flow control");
        vms.awaitWorkers();
        assertEquals(0, outcome.failed(), "see the PASS/FAIL lines above and target/tck/in-memory-flow");
        assertEquals(0, outcome.skipped(), "with 3 ranks and two slots each, every rule applies");
    }
}
