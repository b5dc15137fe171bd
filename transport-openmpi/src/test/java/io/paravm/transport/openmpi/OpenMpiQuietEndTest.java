package io.paravm.transport.openmpi;

import io.paravm.tck.JobFaultTest;
import io.paravm.tck.JobOutput;
import io.paravm.tck.JobProcesses;
import io.paravm.tck.QuietEndJob;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A normal {@code mpirun} job of 3 ranks ({@link QuietEndJob}, its stdout and stderr read
 * after) prints no line that reads as a problem, from start to end; the time from the
 * spawner's {@code close()} to {@code mpirun}'s exit is reported.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class OpenMpiQuietEndTest extends JobFaultTest {

    /** How long the job may take in all before the test fails: a guard against hangs, not a speed. */
    static final Duration HANG_GUARD = Duration.ofSeconds(120);

    @Test
    @DisplayName("issue 16: a normal job prints no WARN, ERROR or WARNING line, and ends soon after close()")
    void normalJobPrintsNoWarningAndEndsSoonAfterClose() throws Exception {
        Path out = dir.resolve("job.out");
        Path err = dir.resolve("job.err");
        Path closeMark = dir.resolve("job.close");
        Files.deleteIfExists(closeMark);
        // as OpenMpiFaultTest starts its jobs: root allowed, 3 ranks on any core count, no CMA single copy
        ProcessBuilder pb = new ProcessBuilder("mpirun.openmpi", "--oversubscribe", "-np", "3", "java",
                "-cp", System.getProperty("java.class.path"),
                "-Djava.library.path=" + System.getProperty("openmpi.libdir", "/usr/lib/x86_64-linux-gnu/openmpi/lib"),
                QuietEndJob.class.getName(), "--pids", pidFile().toString(), "--close-mark", closeMark.toString(),
                "--mode", "quiet");
        pb.environment().put("OMPI_ALLOW_RUN_AS_ROOT", "1");
        pb.environment().put("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
        pb.environment().put("OMPI_MCA_plm", "isolated");
        pb.environment().put("OMPI_MCA_btl_vader_single_copy_mechanism", "none");
        job = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();

        Instant exited = JobOutput.awaitExit(job, HANG_GUARD);
        assertEquals(0, job.exitValue(), "mpirun's exit status; see " + out + " and " + err);
        JobOutput.assertQuiet(out, err);
        JobProcesses.Pids pids = JobProcesses.readPidFile(pidFile(), job, Duration.ZERO);
        assertEquals(2, pids.workers().size(), "two worker processes: " + pids);
        assertTrue(pids.all().stream().noneMatch(JobProcesses::isRunning), "no rank outlives mpirun: " + pids);
        System.out.printf("figure: openmpi, close() to mpirun exit: %s%n", JobOutput.millis(JobOutput.closeToExit(closeMark, exited)));
    }
}
