package io.paravm.transport.mpj;

import io.paravm.tck.JobFaultTest;
import io.paravm.tck.JobOutput;
import io.paravm.tck.JobProcesses;
import io.paravm.tck.QuietEndJob;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A normal MPJ job of 3 ranks on each device ({@link QuietEndJob}, started by
 * {@link MpjLauncher} in a JVM of its own, its stdout and stderr read after) prints no line
 * that reads as a problem, from start to end; the time from the spawner's {@code close()} to
 * the launcher's exit is reported.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MpjQuietEndTest extends JobFaultTest {

    /** How long the job may take in all before the test fails: a guard against hangs, not a speed. */
    static final Duration HANG_GUARD = Duration.ofSeconds(120);

    @ParameterizedTest
    @EnumSource(MpjDevice.class)
    @DisplayName("issue 16: a normal job prints no WARN, ERROR or WARNING line, and ends soon after close()")
    void normalJobPrintsNoWarningAndEndsSoonAfterClose(MpjDevice device) throws Exception {
        Path out = dir.resolve("job.out");
        Path err = dir.resolve("job.err");
        Path closeMark = dir.resolve("job.close");
        Files.deleteIfExists(closeMark);
        String cp = System.getProperty("java.class.path");
        job = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", cp,
                MpjLauncher.class.getName(), "-np", "3", "-dev", device.id(), "-cp", cp, QuietEndJob.class.getName(),
                "--pids", pidFile().toString(), "--close-mark", closeMark.toString(), "--mode", "quiet")
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();

        Instant exited = JobOutput.awaitExit(job, HANG_GUARD);
        assertEquals(0, job.exitValue(), "the launcher's exit status; see " + out + " and " + err);
        JobOutput.assertQuiet(out, err);
        JobProcesses.Pids pids = JobProcesses.readPidFile(pidFile(), job, Duration.ZERO);
        assertEquals(device == MpjDevice.NIODEV ? 2 : 0, pids.workers().size(), "worker JVMs: " + pids);
        assertTrue(pids.all().stream().noneMatch(JobProcesses::isRunning), "no rank JVM outlives the launcher: " + pids);
        System.out.printf("figure: mpj %s, close() to launcher exit: %s%n", device,
                JobOutput.millis(JobOutput.closeToExit(closeMark, exited)));
    }
}
