package io.paravm.core;

import io.paravm.TaskId;
import io.paravm.VirtualMachine;
import io.paravm.VmConfig;
import io.paravm.spi.CodecTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
            assertTrue(why.contains("Only rank 2 has: 900=" + OnlyOnOneRank.class.getName() + "(int value);"), why);
            assertTrue(why.contains("only the spawner has: (none)."), why);
            assertTrue(why.contains("the same ParaVM jars"), why);

            List<TaskId> ids = vm.spawnFunction(w -> w.taskId().rank(), 2, null, true);
            assertEquals(List.of(new TaskId(1, 1)), ids, "only the rank with the same table takes tasks");
            assertEquals(1, vm.receiveMessage(Duration.ofSeconds(30)).orElseThrow().sender().rank());
        }
    }

    /**
     * Compiles one version of a module into {@code dir}: a wire record {@code layout.Point} with
     * {@code components}, registered at id 901 by its own provider.
     */
    private static ClassLoader moduleVersion(Path dir, String components) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src/layout"));
        Files.writeString(src.resolve("Point.java"), "package layout; public record Point(" + components + ") {}");
        Files.writeString(src.resolve("PointTypes.java"), "package layout; public final class PointTypes implements "
                + CodecTypes.class.getName() + " { public java.util.Map<Integer, Class<?>> types() { "
                + "return java.util.Map.of(901, Point.class); } }");
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int status = javac.run(null, null, null, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
                src.resolve("Point.java").toString(), src.resolve("PointTypes.java").toString());
        assertEquals(0, status, "javac compiled " + dir);
        Path services = Files.createDirectories(classes.resolve("META-INF/services"));
        Files.writeString(services.resolve(CodecTypes.class.getName()), "layout.PointTypes\n");
        return new URLClassLoader(new URL[]{classes.toUri().toURL()}, TypeTableHandshakeTest.class.getClassLoader());
    }

    /**
     * The same class at the same id, but another version of it: the worker would write a Point
     * the spawner reads as garbage. It is refused, and the message names both layouts.
     */
    @Test
    void workerWithAnotherVersionOfARecordIsRefusedNamingBothLayouts(@TempDir Path dir) throws Exception {
        ClassLoader v1 = moduleVersion(dir.resolve("v1"), "int x");
        ClassLoader v2 = moduleVersion(dir.resolve("v2"), "int x, int y");
        Thread self = Thread.currentThread();
        ClassLoader before = self.getContextClassLoader();
        self.setContextClassLoader(v1); // the spawner opens on this thread
        try (InMemoryVms vms = new InMemoryVms(3, rank -> rank == 2 ? v2 : v1)) {
            self.setContextClassLoader(before);
            SpawnerVirtualMachine vm = (SpawnerVirtualMachine) vms.spawner;
            assertEquals(2, vm.slots(), "rank 2 got no slot (the spawner and rank 1 have one each):\n" + vm.formatSpawnerConfig());
            String why = vm.refusedRanks().get(2);
            assertNotNull(why, "rank 2 was refused");
            assertTrue(why.contains("Only rank 2 has: 901=layout.Point(int x, int y);"), why);
            assertTrue(why.contains("only the spawner has: 901=layout.Point(int x)."), why);
            assertFalse(why.contains("TaskExit"), "vm-core's own types, the same on both, are not listed: " + why);
            assertEquals(List.of(new TaskId(1, 1)), vm.spawnFunction(w -> w.taskId().rank(), 2, null, true));
        } finally {
            self.setContextClassLoader(before);
        }
    }

    /**
     * A rank on another version of ParaVM may send a hello this spawner cannot even read: it is
     * refused at once, saying so, instead of the start waiting out its timeout for it.
     */
    @Test
    void workerWhoseHelloCannotBeReadIsRefusedAtOnceAndTheVmGoesOn() {
        InMemoryCluster cluster = new InMemoryCluster(3);
        Thread worker = new Thread(() -> CoreVirtualMachine.open(cluster.transport(1), VmConfig.defaults()).runWorkerLoop());
        worker.setDaemon(true);
        worker.start();
        cluster.transport(2).send(0, garbledHello());
        try (VirtualMachine vm = CoreVirtualMachine.open(cluster.transport(0),
                VmConfig.builder().startupTimeout(Duration.ofSeconds(60)).build())) {
            assertEquals(2, vm.slots(), "rank 2 got no slot (the spawner and rank 1 have one each):\n" + vm.formatSpawnerConfig());
            String why = ((SpawnerVirtualMachine) vm).refusedRanks().get(2);
            assertNotNull(why, "rank 2 was refused");
            assertTrue(why.contains("its hello could not be decoded"), why);
            assertTrue(why.contains("another version of ParaVM"), why);
            assertTrue(why.contains("the same ParaVM jars"), why);
            assertEquals(List.of(new TaskId(1, 1)), vm.spawnFunction(w -> w.taskId().rank(), 2, null, true));
            assertEquals(1, vm.receiveMessage(Duration.ofSeconds(30)).orElseThrow().sender().rank());

            // A rank already known that sends such a hello keeps its slot: it is dropped, with a warning.
            cluster.transport(1).send(0, garbledHello());
            assertEquals(new TaskId(1, 1), vm.receiveMessage(Duration.ofSeconds(30)).orElseThrow().sender(), "its exit");
            assertEquals(List.of(new TaskId(1, 2)), vm.spawnFunction(w -> w.taskId().rank(), 1, null, true));
            assertEquals(1, vm.receiveMessage(Duration.ofSeconds(30)).orElseThrow().sender().rank());
            assertFalse(((SpawnerVirtualMachine) vm).refusedRanks().containsKey(1), "rank 1 was not refused");
        }
    }

    /** A HELLO frame whose payload names Hello (Kryo's id 108 + 2), then a host name's length no frame could hold. */
    private static ByteBuffer garbledHello() {
        ByteBuffer hello = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        Envelope.writeHeader(hello, FrameKind.HELLO, 0, 0);
        hello.put(Codec.KRYO).put(new byte[]{110, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f}).flip();
        return hello;
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
