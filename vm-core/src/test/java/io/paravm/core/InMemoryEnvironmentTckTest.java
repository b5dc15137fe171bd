package io.paravm.core;

import io.paravm.VmConfig;
import io.paravm.tck.EnvironmentVerification;
import io.paravm.tck.TckLauncher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The TCK's rules again, with workers that run two tasks at once and files mirrored into
 * task folders: the bookkeeping and every rule must hold either way.
 */
class InMemoryEnvironmentTckTest {

    @AfterEach
    void clearSettings() {
        System.clearProperty(VmConfig.WORKER_SLOTS_PROP_NAME);
        System.clearProperty(VmConfig.MIRROR_PROP_NAME);
    }

    @Test
    void tckAndEnvironmentRulesPassWithTwoSlotsPerWorkerAndMirroring() throws Exception {
        System.setProperty(VmConfig.WORKER_SLOTS_PROP_NAME, "2");
        System.setProperty(VmConfig.MIRROR_PROP_NAME, EnvironmentVerification.MIRROR_GLOB);
        InMemoryVms vms = new InMemoryVms(3);
        assertEquals(5, vms.spawner.slots(), "the spawner's slot and two per worker");
        TckLauncher.Outcome outcome = TckLauncher.runOnSpawner(vms.spawner,
                List.of(InMemoryTckTest.InMemoryVerification.class, EnvironmentVerification.class),
                Path.of("target/tck/in-memory-np3-slots2"), "in-memory np=3 slots=2 mirror");
        vms.awaitWorkers();
        assertEquals(0, outcome.failed(), "see the PASS/FAIL lines above and target/tck/in-memory-np3-slots2");
        assertEquals(0, outcome.skipped(), "with 3 ranks, two slots each and mirroring, every rule applies");
    }
}
