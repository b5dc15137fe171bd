package io.paravm.transport.hazelcast;

import io.paravm.tck.FaultJob;
import io.paravm.tck.JobFaultTest;
import io.paravm.tck.JobProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Breaking real Hazelcast jobs of 3 member JVMs from outside ({@link FaultJob}, started by
 * the {@link HazelcastLauncher} command in a JVM of its own): a killed spawner, and a clean
 * close. Every process of the job is counted by pid. After {@code kill -9} of the spawner
 * the workers must end by themselves (they see the spawner's member leave) within
 * {@link #SPAWNER_LOSS_BOUND}, well before the launcher's own grace of
 * {@link HazelcastLauncher#WORKER_GRACE} would end them.
 */
@Tag("reliability")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HazelcastFaultTest extends JobFaultTest {

    /** How long the workers may outlive a killed spawner. */
    static final Duration SPAWNER_LOSS_BOUND = Duration.ofSeconds(10);
    /** How long a job whose spawner closed while tasks never return may take to end: the orphan grace, and slack. */
    static final Duration ABANDON_BOUND = Duration.ofSeconds(30);

    private Process start(String mode) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(HazelcastLauncher.JVM_FLAGS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), HazelcastLauncher.class.getName(), "-np", "3",
                FaultJob.class.getName(), "--pids", pidFile().toString(), "--mode", mode));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log().toFile()).start();
    }

    private JobProcesses.Job startJob(String mode) throws Exception {
        job = start(mode);
        JobProcesses.Job j = JobProcesses.started(job, pidFile(), START);
        assertEquals(2, j.pids().workers().size(), "two worker JVMs: " + j.pids());
        assertEquals(5, j.processes().size(), "the launcher, its guard and 3 member JVMs: " + j);
        return j;
    }

    /**
     * {@code hold}: the workers' tasks wait for a message; {@code busy}: they compute and never
     * look at the VM (a worker then ends after {@code paravm.core.orphan.grace.millis}).
     */
    @ParameterizedTest(name = "tasks {0}")
    @ValueSource(strings = {"hold", "busy"})
    void killingTheSpawnerEndsEveryWorkerByItself(String mode) throws Exception {
        JobProcesses.Job j = startJob(mode);
        assertTrue(ProcessHandle.of(j.pids().spawner()).orElseThrow().destroyForcibly(), "kill -9 the spawner");
        Duration took = JobProcesses.awaitGone(j.pids().workers(), SPAWNER_LOSS_BOUND);
        Duration launcher = JobProcesses.awaitGone(j.processes(), SPAWNER_LOSS_BOUND.minus(took));
        System.out.printf("figure: hazelcast, spawner killed, tasks %s: both workers ended by themselves in %d ms, "
                + "the launcher %d ms later%n", mode, took.toMillis(), launcher.toMillis());
    }

    @Test
    void closeThenExitLeavesNoProcess() throws Exception {
        JobProcesses.Job j = startJob("close");
        assertEquals(2, j.pids().tasks(), "a task ran in every worker slot");
        int counted = JobProcesses.assertEndsLeavingNoProcess(j, START, log());
        System.out.printf("figure: hazelcast, close() then exit: %d processes counted, none left%n", counted);
    }

    /** The spawner closes the VM while tasks never return: each worker ends after the orphan grace. */
    @Test
    void closeWhileTasksNeverReturnEndsEveryProcess() throws Exception {
        JobProcesses.Job j = startJob("abandon");
        Duration took = JobProcesses.awaitGone(j.pids().workers(), ABANDON_BOUND);
        JobProcesses.awaitGone(j.processes(), ABANDON_BOUND.minus(took));
        System.out.printf("figure: hazelcast, close() while tasks never return: both workers ended by themselves in %d ms"
                + " (exit %d)%n", took.toMillis(), job.waitFor());
    }
}
