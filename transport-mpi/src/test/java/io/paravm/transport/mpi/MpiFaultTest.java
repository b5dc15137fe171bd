package io.paravm.transport.mpi;

import io.paravm.core.PolledTransport;
import io.paravm.tck.FaultJob;
import io.paravm.tck.JobFaultTest;
import io.paravm.tck.JobProcesses;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Breaking real jobs of 3 ranks on each MPI from outside ({@link FaultJob}), as
 * transport-openmpi's fault tests do: a killed spawner, a killed {@code mpirun}, a clean
 * close, and a close while tasks never return. Every process of the job is counted by pid
 * and must be gone within the bound.
 */
@Tag("reliability")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MpiFaultTest extends JobFaultTest {

    /** How long the job's processes may outlive a killed spawner (or mpirun). */
    static final Duration SPAWNER_LOSS_BOUND = Duration.ofSeconds(10);
    /** The jobs' finalize timeout (shorter than the default, to keep the test short). */
    static final Duration FINALIZE_TIMEOUT = Duration.ofSeconds(5);
    /** How long a job whose spawner closed while tasks never return may take to end: the finalize timeout, and slack. */
    static final Duration ABANDON_BOUND = Duration.ofSeconds(20);

    private JobProcesses.Job startJob(MpiAbi mpi, String mode) throws Exception {
        job = MpiJobs.command(mpi, 3, List.of("-D" + PolledTransport.FINALIZE_TIMEOUT_MILLIS_PROP_NAME + "="
                        + FINALIZE_TIMEOUT.toMillis()), FaultJob.class.getName(),
                List.of("--pids", pidFile().toString(), "--mode", mode))
                .redirectErrorStream(true).redirectOutput(log().toFile()).start();
        JobProcesses.Job j = JobProcesses.started(job, pidFile(), START);
        assertEquals(2, j.pids().workers().size(), "two worker processes: " + j.pids());
        assertTrue(JobProcesses.tree(job.toHandle()).containsAll(j.pids().all()), "every rank runs under mpirun: " + j);
        return j;
    }

    static Stream<Arguments> mpisAndTasks() {
        return MpiJobs.mpis().stream().flatMap(m -> Stream.of(Arguments.of(m, "hold"), Arguments.of(m, "busy")));
    }

    /** {@code hold}: the workers' tasks wait for a message; {@code busy}: they compute and never look at the VM. */
    @ParameterizedTest(name = "{0}, tasks {1}")
    @MethodSource("mpisAndTasks")
    void killingTheSpawnerEndsEveryProcessOfTheJob(String mpiName, String mode) throws Exception {
        MpiAbi mpi = MpiAbi.named(mpiName).orElseThrow();
        JobProcesses.Job j = startJob(mpi, mode);
        assertTrue(ProcessHandle.of(j.pids().spawner()).orElseThrow().destroyForcibly(), "kill -9 the spawner");
        Duration took = JobProcesses.awaitGone(j.processes(), SPAWNER_LOSS_BOUND);
        assertNotEquals(0, job.waitFor(), mpi.mpirun() + " reports the failed job");
        System.out.printf("figure: mpi on %s, spawner killed, tasks %s: all %d processes gone in %d ms%n", mpi.name(),
                mode, j.processes().size(), took.toMillis());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.paravm.transport.mpi.MpiJobs#mpis")
    void killingMpirunEndsEveryRank(String mpiName) throws Exception {
        MpiAbi mpi = MpiAbi.named(mpiName).orElseThrow();
        JobProcesses.Job j = startJob(mpi, "hold");
        assertTrue(job.toHandle().destroyForcibly(), "kill -9 " + mpi.mpirun());
        Duration took = JobProcesses.awaitGone(j.processes(), SPAWNER_LOSS_BOUND);
        System.out.printf("figure: mpi on %s, mpirun killed: all %d processes gone in %d ms%n", mpi.name(),
                j.processes().size(), took.toMillis());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.paravm.transport.mpi.MpiJobs#mpis")
    void closeThenExitLeavesNoProcess(String mpiName) throws Exception {
        MpiAbi mpi = MpiAbi.named(mpiName).orElseThrow();
        JobProcesses.Job j = startJob(mpi, "close");
        assertEquals(2, j.pids().tasks(), "a task ran in every worker slot");
        int counted = JobProcesses.assertEndsLeavingNoProcess(j, START, log());
        System.out.printf("figure: mpi on %s, close() then exit: %d processes counted, none left%n", mpi.name(), counted);
    }

    /**
     * The spawner closes the VM while tasks never return: its MPI_Finalize would wait for them
     * forever (or, where it does not wait, the job would), so it gives up after the finalize
     * timeout and the launcher ends the job.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.paravm.transport.mpi.MpiJobs#mpis")
    void closeWhileTasksNeverReturnEndsEveryProcess(String mpiName) throws Exception {
        MpiAbi mpi = MpiAbi.named(mpiName).orElseThrow();
        JobProcesses.Job j = startJob(mpi, "abandon");
        Duration took = JobProcesses.awaitGone(j.processes(), ABANDON_BOUND);
        System.out.printf("figure: mpi on %s, close() while tasks never return: all %d processes gone in %d ms (exit %d)%n",
                mpi.name(), j.processes().size(), took.toMillis(), job.waitFor());
    }
}
