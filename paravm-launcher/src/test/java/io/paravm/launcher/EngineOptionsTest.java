package io.paravm.launcher;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which engine options put ranks on other hosts (no spawner JIT rule, no class data archive for them). */
class EngineOptionsTest {

    @Test
    void hostsAndJoinPutRanksElsewhereOtherOptionsDoNot() {
        assertTrue(EngineOptions.ranksElsewhere(Map.of("--hosts", "a,b,c")));
        assertTrue(EngineOptions.ranksElsewhere(Map.of("--join", "10.0.0.5:5701")));
        assertFalse(EngineOptions.ranksElsewhere(Map.of("--device", "multicore")));
        assertFalse(EngineOptions.ranksElsewhere(Map.of()));
    }
}
