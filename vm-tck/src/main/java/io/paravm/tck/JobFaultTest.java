package io.paravm.tck;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What the transports' fault tests share: each test (each parameter of it) gets a folder
 * under {@code target/fault-tests/} for its job's pid file and log, and the job it started
 * ({@link #job}) is killed with everything under it after the test, whatever happened.
 *
 * <pre>{@code
 * class MyFaultTest extends JobFaultTest {
 *     @Test
 *     void killingTheSpawnerEndsEveryProcess() throws Exception {
 *         job = new ProcessBuilder(...FaultJob..., "--pids", pidFile().toString(), "--mode", "hold")
 *                 .redirectOutput(log().toFile()).start();
 *         JobProcesses.Job j = JobProcesses.started(job, pidFile(), START);
 *         ...
 *     }
 * }
 * }</pre>
 */
public abstract class JobFaultTest {

    /** How long a job may take to start and report its processes. */
    protected static final Duration START = Duration.ofSeconds(120);

    /** This test's folder. */
    protected Path dir;
    /** The job this test started (its launcher), or null. */
    protected Process job;

    @BeforeEach
    void makeFolder(TestInfo info) throws IOException {
        dir = Files.createDirectories(Path.of("target", "fault-tests", info.getTestMethod().orElseThrow().getName()
                + info.getDisplayName().replaceAll("[^A-Za-z0-9]+", "-")));
        Files.deleteIfExists(pidFile());
    }

    @AfterEach
    void killJob() {
        if (job != null) JobProcesses.killTree(job.toHandle());
    }

    /** Returns the file to give the job's {@link FaultJob} as {@code --pids}. */
    protected Path pidFile() {
        return dir.resolve("job.pids");
    }

    /** Returns where the job's output goes. */
    protected Path log() {
        return dir.resolve("job.log");
    }
}
