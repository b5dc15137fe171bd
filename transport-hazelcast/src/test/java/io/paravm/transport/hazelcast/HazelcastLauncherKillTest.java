package io.paravm.transport.hazelcast;

import io.paravm.tck.FaultJob;
import io.paravm.tck.JobFaultTest;
import io.paravm.tck.JobProcesses;
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
 * {@link HazelcastLauncher}, started as a user does ({@code java ... HazelcastLauncher -np 3},
 * a JVM of its own), killed with {@code kill -9} while its job runs ({@link FaultJob}): no
 * shutdown hook runs, and every process under it (its guard and the 3 member JVMs) must be
 * gone within {@link #LAUNCHER_LOSS_BOUND}. The spawner's member is alive, so the workers
 * never see a spawner leave: only the launcher's guard ends them.
 */
@Tag("reliability")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HazelcastLauncherKillTest extends JobFaultTest {

    /** How long the job's processes may outlive a launcher killed with {@code kill -9}. */
    static final Duration LAUNCHER_LOSS_BOUND = Duration.ofSeconds(10);

    /**
     * {@code hold}: the workers' tasks wait for a message; {@code busy}: they compute and never
     * look at the VM.
     */
    @ParameterizedTest(name = "tasks {0}")
    @ValueSource(strings = {"hold", "busy"})
    void killingTheLauncherEndsEveryMemberJvm(String mode) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(HazelcastLauncher.JVM_FLAGS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), HazelcastLauncher.class.getName(), "-np", "3",
                FaultJob.class.getName(), "--pids", pidFile().toString(), "--mode", mode));
        job = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log().toFile()).start();
        JobProcesses.Job j = JobProcesses.started(job, pidFile(), START);
        assertEquals(2, j.pids().workers().size(), "two worker JVMs: " + j.pids());
        assertEquals(5, j.processes().size(), "the launcher, its guard and 3 member JVMs: " + j);

        assertTrue(job.toHandle().destroyForcibly(), "kill -9 the launcher");
        Duration took = JobProcesses.awaitGone(j.processes(), LAUNCHER_LOSS_BOUND);
        System.out.printf("figure: hazelcast, HazelcastLauncher killed with kill -9, tasks %s: all %d processes gone "
                + "in %d ms%n", mode, j.processes().size(), took.toMillis());
    }
}
