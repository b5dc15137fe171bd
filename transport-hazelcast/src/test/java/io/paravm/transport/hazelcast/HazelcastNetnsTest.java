package io.paravm.transport.hazelcast;

import io.paravm.VmConfig;
import io.paravm.tck.FaultJob;
import io.paravm.tck.JobProcesses;
import io.paravm.tck.NetworkNamespaces;
import io.paravm.tck.NetworkNamespaces.Host;
import io.paravm.tck.TckLauncher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A VM across three hosts made of network namespaces ({@link NetworkNamespaces}): the
 * spawner's member JVM in one, a worker's in each of the others, each with its own address
 * and host name. The TCK passes across them, and cutting a host's link gives
 * {@code HostRemoved} and {@code TaskExit(LOST)} within {@link #CUT_BOUND} (test settings:
 * heartbeat 1 s, a member silent {@value #MAX_NO_HEARTBEAT_SECONDS} s is dead). Skipped,
 * saying why, where the machine cannot create namespaces (not root, no iproute2). A
 * spawner killed on its host ends the workers on the others by themselves.
 */
@Tag("reliability")
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class HazelcastNetnsTest {

    private static final int MAX_NO_HEARTBEAT_SECONDS = 3;
    /** How soon after a link is cut the spawner must have HostRemoved and TaskExit(LOST). */
    static final Duration CUT_BOUND = Duration.ofSeconds(10);
    private static final int PORT = 5701;

    @RegisterExtension
    static final NetworkNamespaces.PerClass HOSTS = new NetworkNamespaces.PerClass(3);
    private final List<Process> members = new ArrayList<>();
    private Path dir;

    @AfterEach
    void stopMembers(TestInfo info) {
        for (Process p : members) JobProcesses.killTree(p.toHandle());
    }

    private Process member(Host host, boolean spawner, String cluster, String secret, String logName, String main,
                           List<String> args) throws Exception {
        List<String> java = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        java.addAll(HazelcastLauncher.JVM_FLAGS);
        java.addAll(List.of("-Xss8m", "-cp", System.getProperty("java.class.path"),
                "-D" + VmConfig.TRANSPORT_PROP_NAME + "=hazelcast",
                "-D" + HazelcastProperties.CLUSTER_PROP_NAME + "=" + cluster,
                "-D" + HazelcastProperties.INTERFACE_PROP_NAME + "=" + host.address(),
                "-D" + HazelcastProperties.MAX_NO_HEARTBEAT_SECONDS_PROP_NAME + "=" + MAX_NO_HEARTBEAT_SECONDS));
        String spawnerAddress = HOSTS.get().hosts().get(0).address() + ":" + PORT;
        if (spawner) {
            java.add("-D" + HazelcastProperties.PORT_PROP_NAME + "=" + PORT);
            java.add("-D" + HazelcastProperties.NP_PROP_NAME + "=3");
        } else {
            java.add("-D" + HazelcastProperties.JOIN_PROP_NAME + "=" + spawnerAddress);
        }
        java.add(main);
        java.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(HOSTS.get().command(host, java)).redirectErrorStream(true)
                .redirectOutput(dir.resolve(logName + ".log").toFile());
        pb.environment().put(HazelcastProperties.envName(HazelcastProperties.SECRET_PROP_NAME), secret);
        Process p = pb.start();
        members.add(p);
        return p;
    }

    /** Starts the spawner in the first host and a worker in each other; returns the spawner's process. */
    private Process startJob(String main, List<String> args) throws Exception {
        String cluster = "paravm-netns-" + ProcessHandle.current().pid();
        String secret = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        Process spawner = member(HOSTS.get().hosts().get(0), true, cluster, secret, "spawner", main, args);
        // A worker that finds no spawner gives up at once: start the workers once its member listens.
        HOSTS.get().awaitListening(HOSTS.get().hosts().get(0), PORT, Duration.ofSeconds(120));
        for (int i = 1; i < HOSTS.get().hosts().size(); i++) {
            member(HOSTS.get().hosts().get(i), false, cluster, secret, "worker-" + i, main, args);
        }
        return spawner;
    }

    @Test
    void tckPassesAcrossThreeHosts(TestInfo info) throws Exception {
        dir = Files.createDirectories(Path.of("target", "netns", "tck"));
        Process spawner = startJob(TckLauncher.class.getName(), List.of("--verification",
                HazelcastVerification.class.getName(), "--reports", Path.of("target", "tck", "netns-np3").toString(),
                "--label", "hazelcast 3 hosts (network namespaces)"));
        assertTrue(spawner.waitFor(480, TimeUnit.SECONDS), "the TCK job ended");
        String log = Files.readString(dir.resolve("spawner.log"));
        assertEquals(0, spawner.exitValue(), "the TCK passed across the hosts; see " + dir.resolve("spawner.log"));
        for (Host h : HOSTS.get().hosts()) {
            assertTrue(log.contains(h.name() + " ncpu="), "the VM lists host " + h.name() + ":\n" + log);
        }
        for (Process p : members) assertTrue(p.waitFor(60, TimeUnit.SECONDS), "every worker ends after close()");
        System.out.println("figure: " + log.lines().filter(l -> l.startsWith("ParaVM TCK [") && l.contains(" passed"))
                .findFirst().orElse("?"));
    }

    @Test
    void cuttingAHostsLinkGivesHostRemovedAndItsTaskLost() throws Exception {
        dir = Files.createDirectories(Path.of("target", "netns", "cut"));
        Path out = dir.resolve("result.txt");
        Files.deleteIfExists(out);
        Host victim = HOSTS.get().hosts().get(2);
        Process spawner = startJob(LinkCutJob.class.getName(), List.of("--out", out.toString(), "--cut", victim.name()));
        Process victimMember = members.get(2);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(out)) {
            assertTrue(spawner.isAlive(), "the job ended before it was ready; see " + dir.resolve("spawner.log"));
            assertTrue(System.nanoTime() - deadline < 0, "the job was not ready within 120 s");
            LockSupport.parkNanos(20_000_000L);
        }
        long cutAt = System.currentTimeMillis();
        HOSTS.get().cut(victim);
        try {
            assertTrue(spawner.waitFor(180, TimeUnit.SECONDS), "the job ended");
            Map<String, String> r = new TreeMap<>();
            for (String line : Files.readAllLines(out)) r.put(line.split(" ")[0], line.split(" ", 2)[1]);
            assertEquals(0, spawner.exitValue(), "the spawner saw HostRemoved, TaskExit(LOST) and ran a task after: " + r);
            assertEquals("3", r.get("hosts"), "three hosts before the cut: " + r);
            assertEquals("2", r.get("hostsAfter"), "two after it: " + r);
            assertEquals(HOSTS.get().hosts().get(1).name(), r.get("ranOn"), "work goes on on the host left");
            long removedAfter = Long.parseLong(r.get("removed")) - cutAt;
            long lostAfter = Long.parseLong(r.get("lost")) - cutAt;
            System.out.printf("figure: hazelcast, link to a host cut: HostRemoved after %d ms, TaskExit(LOST) after %d ms "
                    + "(max-no-heartbeat %d s)%n", removedAfter, lostAfter, MAX_NO_HEARTBEAT_SECONDS);
            assertTrue(Math.max(removedAfter, lostAfter) <= CUT_BOUND.toMillis(), "HostRemoved after " + removedAfter
                    + " ms, TaskExit(LOST) after " + lostAfter + " ms: later than " + CUT_BOUND);
            // The worker cut off sees its spawner go silent and ends by itself.
            Duration ended = JobProcesses.awaitGone(List.of(victimMember.pid()), CUT_BOUND.plusSeconds(10));
            System.out.printf("figure: hazelcast, the cut-off worker ended by itself %d ms after the spawner's close%n",
                    ended.toMillis());
        } finally {
            HOSTS.get().reconnect(victim); // the next test needs every host
        }
    }

    @Test
    void killingTheSpawnerEndsTheWorkersOnTheOtherHosts() throws Exception {
        dir = Files.createDirectories(Path.of("target", "netns", "kill-spawner"));
        Path pidFile = dir.resolve("job.pids");
        Files.deleteIfExists(pidFile);
        Process spawner = startJob(FaultJob.class.getName(), List.of("--pids", pidFile.toString(), "--mode", "hold"));
        JobProcesses.Pids pids = JobProcesses.readPidFile(pidFile, spawner, Duration.ofSeconds(120));
        assertEquals(2, pids.workers().size(), "a worker on each other host: " + pids);
        List<Long> workers = new ArrayList<>();
        for (Host h : HOSTS.get().hosts().subList(1, HOSTS.get().hosts().size())) workers.addAll(HOSTS.get().pids(h));
        assertTrue(workers.containsAll(pids.workers()), "the workers run on the other hosts: " + workers + " " + pids);

        assertTrue(ProcessHandle.of(pids.spawner()).orElseThrow().destroyForcibly(), "kill -9 the spawner");
        Duration took = JobProcesses.awaitGone(workers, HazelcastFaultTest.SPAWNER_LOSS_BOUND);
        System.out.printf("figure: hazelcast on 3 hosts, spawner killed: the workers on the other hosts ended by "
                + "themselves in %d ms%n", took.toMillis());
    }
}
