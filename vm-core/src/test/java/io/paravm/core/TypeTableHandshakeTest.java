package io.paravm.core;

import io.paravm.TaskId;
import io.paravm.VirtualMachine;
import io.paravm.spi.CodecTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hello handshake: a worker whose codec registered other types than the spawner's (another
 * module, or another version of one, on its class path) is refused, with an error naming both
 * tables and the fix, and the VM goes on without it.
 */
class TypeTableHandshakeTest {

    /** A wire type of a module only one rank has. */
    public record OnlyOnOneRank(int value) {
    }

    /** That module's {@link CodecTypes} provider. */
    public static final class OneRanksCodecTypes implements CodecTypes {
        @Override
        public Map<Integer, Class<?>> types() {
            return Map.of(900, OnlyOnOneRank.class);
        }
    }

    /** A class loader that also sees {@link OneRanksCodecTypes} as a {@link CodecTypes} provider. */
    private static ClassLoader withExtraModule(Path dir) throws Exception {
        Path services = Files.createDirectories(dir.resolve("META-INF/services"));
        Files.writeString(services.resolve(CodecTypes.class.getName()), OneRanksCodecTypes.class.getName() + "\n");
        return new URLClassLoader(new URL[]{dir.toUri().toURL()}, TypeTableHandshakeTest.class.getClassLoader());
    }

    @Test
    void workerWithAnotherTypeTableIsRefusedNamingBothTablesAndTheFix(@TempDir Path dir) throws Exception {
        ClassLoader extra = withExtraModule(dir);
        try (InMemoryVms vms = new InMemoryVms(3, rank -> rank == 2 ? extra : TypeTableHandshakeTest.class.getClassLoader())) {
            VirtualMachine vm = vms.spawner;
            assertEquals(2, vm.slots(), "rank 2 got no slot:\n" + vm.formatSpawnerConfig());

            String why = ((SpawnerVirtualMachine) vm).refusedRanks().get(2);
            assertNotNull(why, "rank 2 was refused");
            assertTrue(why.contains("Rank 2 registers: 900=" + OnlyOnOneRank.class.getName() + ";"), why);
            assertTrue(why.contains("the spawner registers: (none)."), why);
            assertTrue(why.contains("the same ParaVM jars"), why);

            List<TaskId> ids = vm.spawnFunction(w -> w.taskId().rank(), 2, null, true);
            assertEquals(List.of(new TaskId(1, 1)), ids, "only the rank with the same table takes tasks");
            assertEquals(1, vm.receiveMessage(Duration.ofSeconds(30)).orElseThrow().sender().rank());
        }
    }

    @Test
    void refusedWorkerLeavesItsSpawnLoopWhenTheSpawnerCloses(@TempDir Path dir) throws Exception {
        ClassLoader extra = withExtraModule(dir);
        InMemoryVms vms = new InMemoryVms(2, rank -> extra);
        assertEquals(1, vms.spawner.slots(), "the only worker was refused");
        vms.close();
        vms.awaitWorkers();
    }
}
