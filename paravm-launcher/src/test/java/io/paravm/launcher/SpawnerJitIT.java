package io.paravm.launcher;

import io.paravm.spi.launch.SpawnerJit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real jobs of more ranks than this machine has cores: the spawner's JVM, and only it, compiles
 * with C1 alone, on every engine whose recipe starts it apart (MPMD for mpirun and hydra), and
 * {@code PARAVM_SPAWNER_JIT=full} gives it the full JIT back.
 */
class SpawnerJitIT {

    private static final String NOTE = "paravm: the spawner compiles with C1 only (-XX:TieredStopAtLevel=1)";

    @TempDir
    Path dir;

    private static String[] job(String transport, String engineOption, int ranks) {
        List<String> args = new ArrayList<>(List.of("run", "-t", transport, "-np", Integer.toString(ranks)));
        if (!engineOption.isEmpty()) args.add(engineOption);
        args.addAll(List.of("-cp", ParavmRunner.TEST_CLASSES + File.pathSeparator + ParavmRunner.DEMOS,
                JitOptionsProgram.class.getName()));
        return args.toArray(String[]::new);
    }

    private static int ranksPastTheCores() {
        return Runtime.getRuntime().availableProcessors() + 1;
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"hazelcast, ''", "openmpi, ''", "mpi, --mpi=openmpi", "mpi, --mpi=mpich"})
    void onlyTheSpawnerCompilesWithC1AloneUnlessFullIsAsked(String transport, String engineOption) throws Exception {
        assumeTrue(ParavmRunner.installed(transport), transport + " is not installed here");
        int ranks = ranksPastTheCores();
        ParavmRunner.Result r = ParavmRunner.run(dir, job(transport, engineOption, ranks));
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains(NOTE), r.output());
        assertTrue(r.output().contains("rank 0 JIT: -XX:TieredStopAtLevel=1"), r.output());
        for (int rank = 1; rank < ranks; rank++) assertTrue(r.output().contains("rank " + rank + " JIT: full"), r.output());

        ParavmRunner.Result full = ParavmRunner.run(Map.of(SpawnerJit.ENV_NAME, "full"), dir, job(transport, engineOption, ranks));
        assertEquals(0, full.exit(), full.output());
        assertFalse(full.output().contains(NOTE), full.output());
        for (int rank = 0; rank < ranks; rank++) assertTrue(full.output().contains("rank " + rank + " JIT: full"), full.output());
    }

    /** MPJ Express starts every rank alike (on its multicore device, in one JVM): the spawner keeps the full JIT. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"--device=multicore", "--device=niodev"})
    void mpjRanksKeepTheFullJit(String device) throws Exception {
        assumeTrue(ParavmRunner.installed("mpj"), "mpj is not installed here");
        ParavmRunner.Result r = ParavmRunner.run(dir, job("mpj", device, ranksPastTheCores()));
        assertEquals(0, r.exit(), r.output());
        assertFalse(r.output().contains(NOTE), r.output());
        assertTrue(r.output().contains("rank 0 JIT: full"), r.output());
    }
}
