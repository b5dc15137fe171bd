package io.paravm.transport.openmpi;

import io.paravm.core.PolledTransport;
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
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Breaking real {@code mpirun} jobs of 3 ranks from outside ({@link FaultJob}): a killed
 * spawner, a killed {@code mpirun}, and a clean close. Every process of the job is counted
 * by pid and must be gone within {@link #SPAWNER_LOSS_BOUND}.
 */
@Tag("reliability")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class OpenMpiFaultTest extends JobFaultTest {

    /** How long the job's processes may outlive a killed spawner (or mpirun). */
    static final Duration SPAWNER_LOSS_BOUND = Duration.ofSeconds(10);
    /** The jobs' finalize timeout (shorter than the default, to keep the test short). */
    static final Duration FINALIZE_TIMEOUT = Duration.ofSeconds(5);
    /** How long a job whose spawner closed while tasks never return may take to end: the finalize timeout, and slack. */
    static final Duration ABANDON_BOUND = Duration.ofSeconds(20);

    private Process start(String mode) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("mpirun.openmpi", "--oversubscribe", "-np", "3", "java",
                "-cp", System.getProperty("java.class.path"),
                "-Djava.library.path=" + System.getProperty("openmpi.libdir", "/usr/lib/x86_64-linux-gnu/openmpi/lib"),
                "-D" + PolledTransport.FINALIZE_TIMEOUT_MILLIS_PROP_NAME + "=" + FINALIZE_TIMEOUT.toMillis(),
                FaultJob.class.getName(), "--pids", pidFile().toString(), "--mode", mode);
        pb.environment().put("OMPI_ALLOW_RUN_AS_ROOT", "1");
        pb.environment().put("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
        pb.environment().put("OMPI_MCA_plm", "isolated");
        pb.environment().put("OMPI_MCA_btl_vader_single_copy_mechanism", "none");
        pb.redirectErrorStream(true).redirectOutput(log().toFile());
        return pb.start();
    }

    private JobProcesses.Job startJob(String mode) throws Exception {
        job = start(mode);
        JobProcesses.Job j = JobProcesses.started(job, pidFile(), START);
        assertEquals(2, j.pids().workers().size(), "two worker processes: " + j.pids());
        assertTrue(JobProcesses.tree(job.toHandle()).containsAll(j.pids().all()), "every rank runs under mpirun: " + j);
        return j;
    }

    /** {@code hold}: the workers' tasks wait for a message; {@code busy}: they compute and never look at the VM. */
    @ParameterizedTest(name = "tasks {0}")
    @ValueSource(strings = {"hold", "busy"})
    void killingTheSpawnerEndsEveryProcessOfTheJob(String mode) throws Exception {
        JobProcesses.Job j = startJob(mode);
        assertTrue(ProcessHandle.of(j.pids().spawner()).orElseThrow().destroyForcibly(), "kill -9 the spawner");
        Duration took = JobProcesses.awaitGone(j.processes(), SPAWNER_LOSS_BOUND);
        assertNotEquals(0, job.waitFor(), "mpirun reports the failed job");
        System.out.printf("figure: openmpi, spawner killed, tasks %s: all %d processes (mpirun and 3 ranks) gone in %d ms%n",
                mode, j.processes().size(), took.toMillis());
    }

    @Test
    void killingMpirunEndsEveryRank() throws Exception {
        JobProcesses.Job j = startJob("hold");
        assertTrue(job.toHandle().destroyForcibly(), "kill -9 mpirun");
        Duration took = JobProcesses.awaitGone(j.processes(), SPAWNER_LOSS_BOUND);
        System.out.printf("figure: openmpi, mpirun killed: all %d processes gone in %d ms%n", j.processes().size(),
                took.toMillis());
    }

    @Test
    void closeThenExitLeavesNoProcess() throws Exception {
        JobProcesses.Job j = startJob("close");
        assertEquals(2, j.pids().tasks(), "a task ran in every worker slot");
        int counted = JobProcesses.assertEndsLeavingNoProcess(j, START, log());
        System.out.printf("figure: openmpi, close() then exit: %d processes counted, none left%n", counted);
    }

    /**
     * The spawner closes the VM while tasks never return: its MPI_Finalize would wait for
     * them forever, so it gives up after {@code paravm.core.finalize.timeout.ms} and
     * mpirun ends the job.
     */
    @Test
    void closeWhileTasksNeverReturnEndsEveryProcess() throws Exception {
        JobProcesses.Job j = startJob("abandon");
        Duration took = JobProcesses.awaitGone(j.processes(), ABANDON_BOUND);
        assertNotEquals(0, job.waitFor(), "mpirun reports that rank 0 left without finishing MPI_Finalize");
        System.out.printf("figure: openmpi, close() while tasks never return: all %d processes gone in %d ms%n",
                j.processes().size(), took.toMillis());
    }
}
