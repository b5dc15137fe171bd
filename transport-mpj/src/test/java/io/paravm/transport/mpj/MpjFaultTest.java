package io.paravm.transport.mpj;

import io.paravm.core.PolledTransport;
import io.paravm.tck.FaultJob;
import io.paravm.tck.JobFaultTest;
import io.paravm.tck.JobProcesses;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Breaking real MPJ jobs of 3 ranks from outside ({@link FaultJob}, started by
 * {@link MpjLauncher} in a JVM of its own), on both devices: a killed spawner, a killed
 * launcher, and a clean close. Every process of the job (the launcher and the JVMs under
 * it) is counted by pid and must be gone within {@link #SPAWNER_LOSS_BOUND}.
 */
@Tag("reliability")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MpjFaultTest extends JobFaultTest {

    /** How long the job's processes may outlive a killed spawner (or launcher). */
    static final Duration SPAWNER_LOSS_BOUND = Duration.ofSeconds(10);
    /** The jobs' finalize timeout (shorter than the default, to keep the test short); the launcher passes it on. */
    static final Duration FINALIZE_TIMEOUT = Duration.ofSeconds(5);
    /**
     * How long a job whose spawner closed while tasks never return may take to end: the
     * EXIT wait (5 s), the finalize timeout, then the launcher's exit grace
     * ({@value MpjProperties#EXIT_GRACE_MILLIS_DEFAULT} ms), and slack.
     */
    static final Duration ABANDON_BOUND = Duration.ofSeconds(35);

    private Process start(MpjDevice device, String mode) throws Exception {
        String cp = System.getProperty("java.class.path");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-D" + PolledTransport.FINALIZE_TIMEOUT_MILLIS_PROP_NAME + "=" + FINALIZE_TIMEOUT.toMillis(),
                "-cp", cp, MpjLauncher.class.getName(), "-np", "3", "-dev", device.id(),
                "-cp", cp, FaultJob.class.getName(), "--pids", pidFile().toString(), "--mode", mode);
        pb.redirectErrorStream(true).redirectOutput(log().toFile());
        return pb.start();
    }

    /** Starts the job and checks its processes: the launcher, its guard and its rank JVMs (one per rank, or one for all). */
    private JobProcesses.Job startJob(MpjDevice device, String mode) throws Exception {
        job = start(device, mode);
        JobProcesses.Job j = JobProcesses.started(job, pidFile(), START);
        boolean niodev = device == MpjDevice.NIODEV;
        assertEquals(niodev ? 2 : 0, j.pids().workers().size(), "worker JVMs: " + j.pids());
        assertEquals(niodev ? 5 : 3, j.processes().size(), "the launcher, its guard and its rank JVMs: " + j);
        return j;
    }

    /** {@code hold}: the workers' tasks wait for a message; {@code busy}: they compute and never look at the VM. */
    @ParameterizedTest(name = "{0}, tasks {1}")
    @CsvSource({"MULTICORE, hold", "MULTICORE, busy", "NIODEV, hold", "NIODEV, busy"})
    void killingTheSpawnerEndsEveryProcessOfTheJob(MpjDevice device, String mode) throws Exception {
        JobProcesses.Job j = startJob(device, mode);
        assertTrue(ProcessHandle.of(j.pids().spawner()).orElseThrow().destroyForcibly(), "kill -9 the spawner");
        Duration took = JobProcesses.awaitGone(j.processes(), SPAWNER_LOSS_BOUND);
        assertNotEquals(0, job.waitFor(), "the launcher reports the failed job");
        System.out.printf("figure: mpj %s, spawner killed, tasks %s: all %d processes gone in %d ms%n", device, mode,
                j.processes().size(), took.toMillis());
    }

    @ParameterizedTest
    @EnumSource(MpjDevice.class)
    void killingTheLauncherEndsEveryRank(MpjDevice device) throws Exception {
        JobProcesses.Job j = startJob(device, "hold");
        assertTrue(job.toHandle().destroyForcibly(), "kill -9 the launcher");
        Duration took = JobProcesses.awaitGone(j.processes(), SPAWNER_LOSS_BOUND);
        System.out.printf("figure: mpj %s, launcher killed: all %d processes gone in %d ms%n", device,
                j.processes().size(), took.toMillis());
    }

    @ParameterizedTest
    @EnumSource(MpjDevice.class)
    void closeThenExitLeavesNoProcess(MpjDevice device) throws Exception {
        JobProcesses.Job j = startJob(device, "close");
        assertEquals(2, j.pids().tasks(), "a task ran in every worker slot");
        int counted = JobProcesses.assertEndsLeavingNoProcess(j, START, log());
        System.out.printf("figure: mpj %s, close() then exit: %d processes counted, none left%n", device, counted);
    }

    /** The spawner closes the VM while tasks never return: the ranks are ended after the launcher's exit grace. */
    @ParameterizedTest
    @EnumSource(MpjDevice.class)
    void closeWhileTasksNeverReturnEndsEveryProcess(MpjDevice device) throws Exception {
        JobProcesses.Job j = startJob(device, "abandon");
        Duration took = JobProcesses.awaitGone(j.processes(), ABANDON_BOUND);
        System.out.printf("figure: mpj %s, close() while tasks never return: all %d processes gone in %d ms (exit %d)%n",
                device, j.processes().size(), took.toMillis(), job.waitFor());
    }
}
