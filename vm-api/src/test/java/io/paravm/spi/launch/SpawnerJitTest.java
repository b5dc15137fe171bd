package io.paravm.spi.launch;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When the spawner's JVM compiles with C1 alone. */
class SpawnerJitTest {

    private static final List<String> QUICK = List.of("-XX:TieredStopAtLevel=1");

    @Test
    void byDefaultOnlyWhileRanksOutnumberTheCoresOfAJobOnThisMachine() {
        assertEquals(QUICK, SpawnerJit.options(Map.of(), 3, 2, false, List.of("-Xmx1g"), true));
        assertEquals(List.of(), SpawnerJit.options(Map.of(), 2, 2, false, List.of(), true), "a core each");
        assertEquals(List.of(), SpawnerJit.options(Map.of(), 9, 2, true, List.of(), true),
                "ranks on other hosts");
        assertEquals(List.of(), SpawnerJit.options(Map.of(), 3, 2, false, List.of(), false),
                "an engine that starts every rank alike");
    }

    @Test
    void fullQuickAndTheUsersOwnJitOptionsDecide() {
        assertEquals(List.of(), SpawnerJit.options(Map.of(SpawnerJit.ENV_NAME, "full"), 3, 2, false, List.of(), true));
        assertEquals(QUICK, SpawnerJit.options(Map.of(SpawnerJit.ENV_NAME, " Quick "), 2, 2, false, List.of(), true));
        assertEquals(List.of(), SpawnerJit.options(Map.of(SpawnerJit.ENV_NAME, "quick"), 1, 2, false, List.of(), true),
                "no workers: the spawner's own work is the job's");
        for (String own : List.of("-XX:TieredStopAtLevel=4", "-XX:-TieredCompilation", "-Xint")) {
            assertEquals(List.of(), SpawnerJit.options(Map.of(), 3, 2, false, List.of(own), true), own);
        }
        assertEquals(List.of(), SpawnerJit.options(Map.of("JAVA_TOOL_OPTIONS", "-Xmx2g -XX:TieredStopAtLevel=1"), 3, 2,
                false, List.of(), true));
        assertEquals(List.of(), SpawnerJit.options(Map.of("JDK_JAVA_OPTIONS", "-XX:-TieredCompilation"), 3, 2,
                false, List.of(), true));
        assertEquals(List.of(), SpawnerJit.options(Map.of(SpawnerJit.ENV_NAME, "quick"), 3, 2, true, List.of(), true),
                "quick, but ranks on other hosts");
        assertEquals(List.of(), SpawnerJit.options(Map.of(SpawnerJit.ENV_NAME, "quick"), 3, 2, false, List.of(), false),
                "quick, but an engine that starts every rank alike");
    }

    @Test
    void anUnknownSettingSaysWhatItTakes() {
        LaunchException e = assertThrows(LaunchException.class,
                () -> SpawnerJit.options(Map.of(SpawnerJit.ENV_NAME, "c1"), 3, 2, false, List.of(), true));
        assertTrue(e.getMessage().contains("PARAVM_SPAWNER_JIT=c1 is not auto, full or quick"), e.getMessage());
    }
}
