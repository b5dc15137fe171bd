package io.paravm.transport.mpj;

import io.paravm.core.PolledTransport;
import io.paravm.tck.FaultJob;
import io.paravm.tck.JobFaultTest;
import io.paravm.tck.JobProcesses;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MpjLauncher}, started as a user does ({@code java ... MpjLauncher -np 3 -dev DEVICE},
 * a JVM of its own, no MPJ daemon), killed with {@code kill -9} while its job runs
 * ({@link FaultJob}): every process under it must be gone within {@link #LAUNCHER_LOSS_BOUND}.
 * Under niodev those are its guard and one JVM per rank; under multicore its guard and the one
 * JVM whose threads are the ranks. Two things end them, whichever is first: the launcher's
 * guard (its pipe from the launcher closes) and each rank's watch of the launcher's pid
 * ({@link MpjRankMain}).
 */
@Tag("reliability")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MpjLauncherKillTest extends JobFaultTest {

    /** How long the job's processes may outlive a launcher killed with {@code kill -9}. */
    static final Duration LAUNCHER_LOSS_BOUND = Duration.ofSeconds(10);

    /** {@code hold}: the workers' tasks wait for a message; {@code busy}: they compute and never look at the VM. */
    @ParameterizedTest(name = "{0}, tasks {1}")
    @CsvSource({"MULTICORE, hold", "MULTICORE, busy", "NIODEV, hold", "NIODEV, busy"})
    void killingTheLauncherEndsEveryRankJvm(MpjDevice device, String mode) throws Exception {
        String cp = System.getProperty("java.class.path");
        job = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-D" + PolledTransport.FINALIZE_TIMEOUT_MILLIS_PROP_NAME + "=5000",
                "-cp", cp, MpjLauncher.class.getName(), "-np", "3", "-dev", device.id(),
                "-cp", cp, FaultJob.class.getName(), "--pids", pidFile().toString(), "--mode", mode)
                .redirectErrorStream(true).redirectOutput(log().toFile()).start();
        JobProcesses.Job j = JobProcesses.started(job, pidFile(), START);
        boolean niodev = device == MpjDevice.NIODEV;
        assertEquals(niodev ? 2 : 0, j.pids().workers().size(), "worker JVMs: " + j.pids());
        assertEquals(niodev ? 5 : 3, j.processes().size(), "the launcher, its guard and its rank JVMs, nothing else: " + j);

        assertTrue(job.toHandle().destroyForcibly(), "kill -9 the launcher");
        Duration took = JobProcesses.awaitGone(j.processes(), LAUNCHER_LOSS_BOUND);
        System.out.printf("figure: mpj %s, MpjLauncher killed with kill -9, tasks %s: all %d processes gone in %d ms%n",
                device, mode, j.processes().size(), took.toMillis());
    }
}
