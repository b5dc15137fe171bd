package io.paravm.transport.mpj;

import io.paravm.core.PolledTransport;
import io.paravm.tck.FaultJob;
import io.paravm.tck.JobProcesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
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
class MpjFaultTest {

    /** How long the job's processes may outlive a killed spawner (or launcher). */
    static final Duration SPAWNER_LOSS_BOUND = Duration.ofSeconds(10);
    private static final Duration START = Duration.ofSeconds(120);
    /** The jobs' finalize timeout (shorter than the default, to keep the test short); the launcher passes it on. */
    static final Duration FINALIZE_TIMEOUT = Duration.ofSeconds(5);
    /**
     * How long a job whose spawner closed while tasks never return may take to end: the
     * EXIT wait (5 s), the finalize timeout, then the launcher's exit grace ({@value MpjProperties#EXIT_GRACE_MS_DEFAULT} ms), and slack.
     */
    static final Duration ABANDON_BOUND = Duration.ofSeconds(35);

    private Process job;

    @AfterEach
    void tearDown() {
        if (job != null) JobProcesses.killTree(job.toHandle());
    }

    private Path dir(MpjLauncher.Device device, String test) throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "fault-tests", test + "-" + device.name().toLowerCase(Locale.ROOT)));
        Files.deleteIfExists(dir.resolve("job.pids"));
        return dir;
    }

    private Process start(MpjLauncher.Device device, Path dir, String mode) throws Exception {
        String cp = System.getProperty("java.class.path");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-D" + PolledTransport.FINALIZE_TIMEOUT_MS_PROP_NAME + "=" + FINALIZE_TIMEOUT.toMillis(),
                "-cp", cp, MpjLauncher.class.getName(), "-np", "3", "-dev", device.name().toLowerCase(Locale.ROOT),
                "-cp", cp, FaultJob.class.getName(), "--pids", dir.resolve("job.pids").toString(), "--mode", mode);
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("job.log").toFile());
        return pb.start();
    }

    /** The job's processes: the launcher and every JVM under it (one per rank, or one for all under multicore). */
    private static Set<Long> processes(Process launcher, JobProcesses.Pids pids, MpjLauncher.Device device) {
        Set<Long> all = JobProcesses.tree(launcher.toHandle());
        assertTrue(all.containsAll(pids.all()), "every rank runs under the launcher: " + all + " " + pids);
        assertEquals(device == MpjLauncher.Device.NIODEV ? 4 : 2, all.size(), "the launcher and its rank JVMs: " + all);
        return all;
    }

    /** {@code hold}: the workers' tasks wait for a message; {@code busy}: they compute and never look at the VM. */
    @ParameterizedTest(name = "{0}, tasks {1}")
    @CsvSource({"MULTICORE, hold", "MULTICORE, busy", "NIODEV, hold", "NIODEV, busy"})
    void killingTheSpawnerEndsEveryProcessOfTheJob(MpjLauncher.Device device, String mode) throws Exception {
        Path dir = dir(device, "killSpawner-" + mode);
        job = start(device, dir, mode);
        JobProcesses.Pids pids = JobProcesses.readPidFile(dir.resolve("job.pids"), job, START);
        assertEquals(device == MpjLauncher.Device.NIODEV ? 2 : 0, pids.workers().size(), "worker JVMs: " + pids);
        Set<Long> all = processes(job, pids, device);

        assertTrue(ProcessHandle.of(pids.spawner()).orElseThrow().destroyForcibly(), "kill -9 the spawner");
        Duration took = JobProcesses.awaitGone(all, SPAWNER_LOSS_BOUND);
        assertNotEquals(0, job.waitFor(), "the launcher reports the failed job");
        System.out.printf("figure: mpj %s, spawner killed, tasks %s: all %d processes gone in %d ms%n", device, mode,
                all.size(), took.toMillis());
    }

    @ParameterizedTest
    @EnumSource(MpjLauncher.Device.class)
    void killingTheLauncherEndsEveryRank(MpjLauncher.Device device) throws Exception {
        Path dir = dir(device, "killLauncher");
        job = start(device, dir, "hold");
        JobProcesses.Pids pids = JobProcesses.readPidFile(dir.resolve("job.pids"), job, START);
        Set<Long> all = processes(job, pids, device);

        assertTrue(job.toHandle().destroyForcibly(), "kill -9 the launcher");
        Duration took = JobProcesses.awaitGone(all, SPAWNER_LOSS_BOUND);
        System.out.printf("figure: mpj %s, launcher killed: all %d processes gone in %d ms%n", device, all.size(),
                took.toMillis());
    }

    @ParameterizedTest
    @EnumSource(MpjLauncher.Device.class)
    void closeThenExitLeavesNoProcess(MpjLauncher.Device device) throws Exception {
        Path dir = dir(device, "close");
        job = start(device, dir, "close");
        JobProcesses.Pids pids = JobProcesses.readPidFile(dir.resolve("job.pids"), job, START);
        Set<Long> all = new LinkedHashSet<>(JobProcesses.tree(job.toHandle()));
        all.addAll(pids.all());
        assertEquals(2, pids.tasks(), "a task ran in every worker slot");
        assertTrue(job.waitFor(START.toSeconds(), TimeUnit.SECONDS), "the job ends after close()");
        assertEquals(0, job.exitValue(), "see " + dir.resolve("job.log"));
        List<Long> left = all.stream().filter(JobProcesses::isRunning).toList();
        assertEquals(List.of(), left, "no process of the job runs once the launcher has returned (counted " + all.size() + ")");
        System.out.printf("figure: mpj %s, close() then exit: %d processes counted, none left%n", device, all.size());
    }

    /** The spawner closes the VM while tasks never return: the ranks are ended after the launcher's exit grace. */
    @ParameterizedTest
    @EnumSource(MpjLauncher.Device.class)
    void closeWhileTasksNeverReturnEndsEveryProcess(MpjLauncher.Device device) throws Exception {
        Path dir = dir(device, "abandon");
        job = start(device, dir, "abandon");
        JobProcesses.Pids pids = JobProcesses.readPidFile(dir.resolve("job.pids"), job, START);
        Set<Long> all = new LinkedHashSet<>(JobProcesses.tree(job.toHandle()));
        all.addAll(pids.all());
        Duration took = JobProcesses.awaitGone(all, ABANDON_BOUND);
        System.out.printf("figure: mpj %s, close() while tasks never return: all %d processes gone in %d ms (exit %d)%n",
                device, all.size(), took.toMillis(), job.waitFor());
    }
}
