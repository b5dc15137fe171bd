package io.paravm.transport.mpi;

import io.paravm.VmConfig;
import io.paravm.tck.FarmVerification;
import io.paravm.tck.FaultJob;
import io.paravm.tck.JobProcesses;
import io.paravm.tck.NetworkNamespaces;
import io.paravm.tck.NetworkNamespaces.Host;
import io.paravm.tck.TckLauncher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The mpi transport on Open MPI with its ranks on three hosts made of network namespaces
 * ({@link NetworkNamespaces}), as transport-openmpi's {@code OpenMpiNetnsTest} runs it:
 * {@code mpirun.openmpi} in the first host starts its daemons in the others through an rsh
 * agent that enters their namespace; the ranks talk over TCP. The TCK passes across them, and
 * {@code kill -9} of the spawner ends every process on every host. (MPICH's hydra has no such
 * agent here to enter a namespace.) Skipped, saying why, where the machine cannot create
 * namespaces; {@code PARAVM_NETNS_REQUIRED=1} makes that a failure.
 */
@Tag("reliability")
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class MpiNetnsTest {

    @RegisterExtension
    static final NetworkNamespaces.PerClass HOSTS = new NetworkNamespaces.PerClass(3);
    private Process job;

    @AfterEach
    void stopJob() {
        if (job != null) JobProcesses.killTree(job.toHandle());
    }

    /** Starts {@code mpirun.openmpi -np 3} in the first host, one rank per host, on this JVM's Java (22+). */
    private Process mpirun(Path dir, List<String> program) throws Exception {
        List<String> rank = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        rank.addAll(MpiEngineLauncher.RANK_JVM_OPTIONS);
        rank.addAll(List.of("-cp", System.getProperty("java.class.path"), "-Xss8m"));
        rank.addAll(program);
        return HOSTS.get().startOpenMpiJob(dir, rank);
    }

    @Test
    void tckPassesWithARankOnEachOfThreeHosts() throws Exception {
        Path dir = Path.of("target", "netns", "tck");
        // Two slots per worker: the slot rules (1.6, 3.12) run across hosts too, and none is skipped.
        job = mpirun(dir, List.of("-D" + VmConfig.WORKER_SLOTS_PROP_NAME + "=2", TckLauncher.class.getName(),
                "--verification", MpiVerification.class.getName(),
                "--verification", FarmVerification.class.getName(),
                "--reports", Path.of("target", "tck", "netns-np3").toString(), "--label", "mpi openmpi 3 hosts (network namespaces) slots=2"));
        assertTrue(job.waitFor(480, TimeUnit.SECONDS), "the TCK job ended");
        String log = Files.readString(dir.resolve("job.log"));
        assertEquals(0, job.exitValue(), "the TCK passed across the hosts; see " + dir.resolve("job.log"));
        for (Host h : HOSTS.get().hosts()) {
            assertTrue(log.contains(h.name() + " ncpu="), "the VM lists host " + h.name() + ":\n" + log);
        }
        List<String> summary = log.lines().filter(l -> l.startsWith("ParaVM TCK [") && l.contains(" passed")).toList();
        summary.forEach(System.out::println);
        assertEquals(1, summary.size(), "one TCK summary line in " + dir.resolve("job.log"));
        assertTrue(summary.get(0).endsWith(" 0 skipped"), "no rule skipped across the hosts (every worker has 2 slots): "
                + summary.get(0));
    }

    @Test
    void killingTheSpawnerEndsEveryProcessOnEveryHost() throws Exception {
        Path dir = Path.of("target", "netns", "kill-spawner");
        Path pidFile = dir.resolve("job.pids");
        Files.deleteIfExists(pidFile);
        job = mpirun(dir, List.of(FaultJob.class.getName(), "--pids", pidFile.toString(), "--mode", "hold"));
        JobProcesses.Pids pids = JobProcesses.readPidFile(pidFile, job, Duration.ofSeconds(120));
        assertEquals(2, pids.workers().size(), "a worker on each other host: " + pids);
        List<Long> all = new ArrayList<>();
        for (Host h : HOSTS.get().hosts()) all.addAll(HOSTS.get().pids(h));
        assertTrue(all.containsAll(pids.all()), "every rank runs in a namespace: " + all + " " + pids);

        assertTrue(ProcessHandle.of(pids.spawner()).orElseThrow().destroyForcibly(), "kill -9 the spawner");
        Duration took = JobProcesses.awaitGone(all, MpiFaultTest.SPAWNER_LOSS_BOUND);
        assertNotEquals(0, job.waitFor(), "mpirun reports the failed job");
        System.out.printf("figure: mpi on Open MPI on 3 hosts, spawner killed: all %d processes gone in %d ms%n", all.size(),
                took.toMillis());
    }
}
