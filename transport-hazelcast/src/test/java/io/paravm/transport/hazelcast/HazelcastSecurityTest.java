package io.paravm.transport.hazelcast;

import io.paravm.Received;
import io.paravm.TaskId;
import io.paravm.TaskResult;
import io.paravm.VirtualMachine;
import io.paravm.VirtualMachines;
import io.paravm.VmConfig;
import io.paravm.VmException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Hazelcast, the transport that listens on a network: loopback unless told otherwise, a
 * shared secret to join, frames only from members that proved it. This JVM is the
 * spawner; workers, an impostor and probes are real JVMs.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class HazelcastSecurityTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private final String secret = HazelcastSecret.newSecret();
    private String cluster;
    private int port;
    private Path logs;
    private HazelcastLauncher workers;
    private VirtualMachine vm;
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void setUp(TestInfo info) throws IOException {
        port = freePort();
        cluster = "paravm-security-" + ProcessHandle.current().pid() + "-" + port;
        logs = Path.of("target", "security-logs", info.getTestMethod().orElseThrow().getName());
        if (Files.exists(logs)) { // the launcher appends to its logs; start each run from nothing
            try (var paths = Files.walk(logs)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
        Files.createDirectories(logs);
        workers = HazelcastLauncher.builder().join("127.0.0.1:" + port).cluster(cluster).secret(secret)
                .mainClass(MembershipWorker.class.getName()).jvmOption("-Dorg.slf4j.simpleLogger.log.io.paravm=debug")
                .logDirectory(logs).build();
    }

    @AfterEach
    void tearDown() {
        try {
            if (vm != null) vm.close();
        } finally {
            started.forEach(Process::destroyForcibly);
            workers.kill();
            workers.close();
        }
    }

    private static int freePort() {
        return FreePort.on("127.0.0.1");
    }

    private VmConfig.Builder spawnerConfig(int np) {
        return VmConfig.builder().transport("hazelcast").startupTimeout(WAIT)
                .property(HazelcastProperties.CLUSTER_PROP_NAME, cluster)
                .property(HazelcastProperties.SECRET_PROP_NAME, secret)
                .property(HazelcastProperties.PORT_PROP_NAME, Integer.toString(port))
                .property(HazelcastProperties.NP_PROP_NAME, Integer.toString(np));
    }

    /** The spawner of a job with one good worker. */
    private VirtualMachine spawnerWithOneWorker() throws Exception {
        CompletableFuture<VirtualMachine> opening = CompletableFuture.supplyAsync(() -> VirtualMachines.open(spawnerConfig(2).build()));
        workers.startWorker();
        return opening.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** The job goes on: the good worker runs a task and its result comes back. */
    private static void assertJobGoesOn(VirtualMachine vm) {
        assertEquals(2, vm.slots(), "no slot was added for the refused member:\n" + vm.formatSpawnerConfig());
        TaskId id = vm.spawnFunction(w -> "still working").orElseThrow();
        Received r = vm.receiveMessage(WAIT).orElseThrow();
        assertEquals(id, r.sender());
        assertEquals("still working", ((TaskResult) r.message()).value());
        vm.receiveMessage(WAIT).orElseThrow(); // its TaskExit
    }

    private Process startJava(List<String> javaArgs, Path output, boolean withSecretRemoved) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(HazelcastLauncher.JVM_FLAGS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path")));
        cmd.addAll(javaArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile());
        if (withSecretRemoved) {
            pb.environment().remove(HazelcastProperties.envName(HazelcastProperties.SECRET_PROP_NAME));
            pb.environment().remove(HazelcastProperties.envName(HazelcastProperties.SECRET_FILE_PROP_NAME));
        }
        Process p = pb.start();
        started.add(p);
        return p;
    }

    private static int exitOf(Process p) throws InterruptedException {
        assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "process " + p.pid() + " did not end");
        return p.exitValue();
    }

    // ------------------------------------------------------------ loopback

    private static Optional<InetAddress> nonLoopbackAddress() throws IOException {
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!ni.isUp() || ni.isLoopback()) continue;
            for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    private static boolean accepts(InetAddress address, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 5_000);
            return true;
        } catch (ConnectException e) {
            return false;
        }
    }

    @Test
    void listensOnLoopbackOnlyUnlessAnInterfaceIsNamed() throws Exception {
        Optional<InetAddress> lan = nonLoopbackAddress();
        assumeTrue(lan.isPresent(), "this machine has no non-loopback IPv4 address to check against");
        vm = VirtualMachines.open(spawnerConfig(1).build());
        assertTrue(accepts(InetAddress.getLoopbackAddress(), port), "the spawner listens on 127.0.0.1:" + port);
        assertFalse(accepts(lan.get(), port), "by default the spawner must not listen on " + lan.get().getHostAddress());
        vm.close();
        vm = null;

        int lanPort = freePort();
        vm = VirtualMachines.open(spawnerConfig(1)
                .property(HazelcastProperties.PORT_PROP_NAME, Integer.toString(lanPort))
                .property(HazelcastProperties.INTERFACE_PROP_NAME, lan.get().getHostAddress()).build());
        assertTrue(accepts(lan.get(), lanPort), "named, " + lan.get().getHostAddress() + " is listened on");
        assertFalse(accepts(InetAddress.getLoopbackAddress(), lanPort), "and only that interface");
    }

    // ------------------------------------------------------------ the secret

    @Test
    void workersWithAnotherSecretOrNoneAreRefusedAndTheJobGoesOn() throws Exception {
        vm = spawnerWithOneWorker();

        HazelcastLauncher wrong = HazelcastLauncher.builder().join("127.0.0.1:" + port).cluster(cluster)
                .secret(HazelcastSecret.newSecret()).mainClass(MembershipWorker.class.getName())
                .logDirectory(logs.resolve("wrong-secret")).build();
        try {
            Process p = wrong.startWorker();
            assertTrue(exitOf(p) != 0, "a worker with another secret fails");
            String log = Files.readString(logs.resolve("wrong-secret").resolve("worker-1.log"));
            assertTrue(log.contains("found no spawner at 127.0.0.1:" + port + " in cluster '" + cluster + "' with its secret"),
                    log);
        } finally {
            wrong.close();
        }

        Path noSecretLog = logs.resolve("no-secret.log");
        Process p = startJava(List.of("-Dparavm.transport=hazelcast", "-D" + HazelcastProperties.CLUSTER_PROP_NAME + "=" + cluster,
                "-D" + HazelcastProperties.JOIN_PROP_NAME + "=127.0.0.1:" + port, MembershipWorker.class.getName()),
                noSecretLog, true);
        assertTrue(exitOf(p) != 0, "a worker without a secret fails");
        String log = Files.readString(noSecretLog);
        assertTrue(log.contains("this worker has no secret to join the spawner with")
                && log.contains("PARAVM_HAZELCAST_SECRET"), log);

        assertTrue(vm.receiveMessage(Duration.ZERO).isEmpty(), "nothing reached the spawner");
        assertJobGoesOn(vm);
    }

    /** Copies what this JVM writes to System.err (where the spawner logs) while it runs. */
    private static String capturingSpawnerLog(ThrowingRunnable body) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        System.setErr(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                original.write(b);
                synchronized (copy) {
                    copy.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                original.write(b, off, len);
                synchronized (copy) {
                    copy.write(b, off, len);
                }
            }
        }, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(original);
        }
        synchronized (copy) {
            return copy.toString(StandardCharsets.UTF_8);
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void memberThatKnowsTheClusterNameButNotTheSecretGetsNoRankAndItsFramesAreDropped() throws Exception {
        vm = spawnerWithOneWorker();
        String hazelcastCluster = HazelcastSecret.of(spawnerConfig(2).build(), true).clusterName(cluster);
        Path rogueLog = logs.resolve("rogue.log");
        String spawnerLog = capturingSpawnerLog(() -> {
            Process rogue = startJava(List.of(RogueMember.class.getName(), "127.0.0.1:" + port, hazelcastCluster),
                    rogueLog, true);
            assertEquals(0, exitOf(rogue), "the impostor was refused: " + Files.readString(rogueLog));
        });
        assertTrue(Files.readString(rogueLog).contains("ROGUE REFUSED"), Files.readString(rogueLog));
        assertTrue(spawnerLog.contains("refused member") && spawnerLog.contains("does not know cluster '" + cluster
                + "''s secret"), spawnerLog);
        assertTrue(spawnerLog.contains("dropped a frame from a member without a rank"), spawnerLog);
        assertTrue(spawnerLog.contains("ignored the rank") && spawnerLog.contains("not signed with this cluster's secret"),
                spawnerLog);
        // Its frames were handled before its refusal (one event thread per topic, in order): none was delivered.
        Optional<Received> forged = vm.receiveMessage(Duration.ZERO);
        assertTrue(forged.isEmpty(), "a forged frame was delivered: " + forged);
        assertJobGoesOn(vm);
    }

    // ------------------------------------------------------------ the launcher's secret

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    private String probe(HazelcastLauncher.Builder builder, String role) throws Exception {
        Path dir = logs.resolve(role);
        HazelcastLauncher launcher = builder.mainClass(SecretProbe.class.getName()).logDirectory(dir).build();
        try {
            assertEquals(0, exitOf(launcher.startSpawner(1)));
        } finally {
            launcher.close();
        }
        return Files.readString(dir.resolve("spawner.log"));
    }

    @Test
    void launcherHandsItsSecretOverInTheEnvironmentNotTheCommandLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("job.secret");
        String first = probe(HazelcastLauncher.builder().secretFile(file), "first");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)),
                "a new secret file is readable only by its owner");
        String written = Files.readString(file).trim();
        assertEquals(64, written.length());
        assertTrue(first.contains("secret-sha256=" + sha256(written)), first);
        assertTrue(first.contains("on-command-line=false") && first.contains("command-line-read=true"), first);

        String second = probe(HazelcastLauncher.builder().secretFile(file), "second");
        assertTrue(second.contains("secret-sha256=" + sha256(written)), "an existing file is reused: " + second);

        String generated = probe(HazelcastLauncher.builder(), "generated");
        assertFalse(generated.contains("secret-sha256=none") || generated.contains(sha256(written)),
                "without a file, each job gets a new secret: " + generated);
    }

    @Test
    void joiningWithoutTheSpawnersSecretIsACommandLineError() {
        assumeTrue(System.getenv("PARAVM_HAZELCAST_SECRET") == null && System.getenv("PARAVM_HAZELCAST_SECRET_FILE") == null,
                "this test's environment already holds a secret");
        VmException e = assertThrows(VmException.class, () -> HazelcastLauncher.builder().join("10.0.0.5:5701")
                .cluster("c").mainClass("M").build());
        assertTrue(e.getMessage().contains("--secret-file FILE") && e.getMessage().contains("PARAVM_HAZELCAST_SECRET"),
                e.getMessage());
        VmException missing = assertThrows(VmException.class, () -> HazelcastLauncher.builder().join("10.0.0.5:5701")
                .cluster("c").secretFile(Path.of("target", "no-such.secret")).mainClass("M").build());
        assertTrue(missing.getMessage().contains("no-such.secret"), missing.getMessage());
    }

    // ------------------------------------------------------------ bad configuration

    @Test
    void busyPortIsOneClearMessage() throws Exception {
        try (ServerSocket taken = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            VmException e = assertThrows(VmException.class, () -> VirtualMachines.open(spawnerConfig(1).build()));
            assertTrue(e.getMessage().contains("127.0.0.1:" + port) && e.getMessage().contains("is taken")
                    && e.getMessage().contains(HazelcastProperties.PORT_PROP_NAME), e.getMessage());
            assertTrue(e.getMessage().contains("LISTEN 127.0.0.1:" + port + " (pid " + ProcessHandle.current().pid() + ")"),
                    "the message names what holds the port: " + e.getMessage());
            assertTrue(taken.isBound());
        }
    }

    /**
     * A port held for a moment (a job on it still leaving; a connection that took the port
     * the launcher picked before the spawner bound it) does not fail the spawner, whose
     * workers were told that port: it tries again until the port is free.
     */
    @Test
    void portTakenForAMomentIsWaitedFor() throws Exception {
        ServerSocket taken = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
        long start = System.nanoTime();
        CompletableFuture<VirtualMachine> opening = CompletableFuture.supplyAsync(
                () -> VirtualMachines.open(spawnerConfig(1).build()));
        try (ServerSocket held = taken) {
            TimeUnit.SECONDS.sleep(1); // the moment the port is held: what this test is about, not a wait for a result
            assertFalse(opening.isDone(), () -> "the spawner waits while the port is held, and does not fail: "
                    + opening.handle((vm, e) -> String.valueOf(e)).join());
        }
        long freed = System.nanoTime();
        try (VirtualMachine vm = opening.get(WAIT.toSeconds(), TimeUnit.SECONDS)) {
            assertEquals(1, vm.slots());
            assertTrue(freed - start < TimeUnit.SECONDS.toNanos(HazelcastMemberConfig.PORT_WAIT_SECONDS));
        }
    }
}
