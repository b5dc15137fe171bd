package io.paravm.transport.hazelcast;

import io.paravm.tck.JobFaultTest;
import io.paravm.tck.JobOutput;
import io.paravm.tck.JobProcesses;
import io.paravm.tck.QuietEndJob;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real Hazelcast jobs of 3 member JVMs ({@link QuietEndJob}, started by the
 * {@link HazelcastLauncher} command in a JVM of its own, its stdout and stderr read after):
 * a normal job prints no line that reads as a problem, from start to end, and the time from
 * the spawner's {@code close()} to the launcher's exit is reported; a worker killed with
 * {@code kill -9} is reported once, in ParaVM's words, naming its rank.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HazelcastQuietEndTest extends JobFaultTest {

    /** How long a job may take in all before the test fails: a guard against hangs, not a speed. */
    static final Duration HANG_GUARD = Duration.ofSeconds(120);

    private Path out() {
        return dir.resolve("job.out");
    }

    private Path err() {
        return dir.resolve("job.err");
    }

    private Path closeMark() {
        return dir.resolve("job.close");
    }

    private Process start(String mode) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(HazelcastLauncher.JVM_FLAGS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), HazelcastLauncher.class.getName(), "-np", "3",
                QuietEndJob.class.getName(), "--pids", pidFile().toString(), "--close-mark", closeMark().toString(),
                "--mode", mode));
        Files.deleteIfExists(closeMark());
        return new ProcessBuilder(cmd).redirectOutput(out().toFile()).redirectError(err().toFile()).start();
    }

    @Test
    @DisplayName("issue 16: a normal job prints no WARN, ERROR or WARNING line, and ends soon after close()")
    void normalJobPrintsNoWarningAndEndsSoonAfterClose() throws Exception {
        job = start("quiet");
        Instant exited = JobOutput.awaitExit(job, HANG_GUARD);
        assertEquals(0, job.exitValue(), "the job's exit status; see " + out() + " and " + err());
        JobOutput.assertQuiet(out(), err());
        JobProcesses.Pids pids = JobProcesses.readPidFile(pidFile(), job, Duration.ZERO);
        assertEquals(2, pids.workers().size(), "two worker JVMs: " + pids);
        assertTrue(pids.all().stream().noneMatch(JobProcesses::isRunning), "no JVM of the job outlives the launcher: " + pids);
        System.out.printf("figure: hazelcast, close() to launcher exit: %s%n", JobOutput.millis(JobOutput.closeToExit(closeMark(), exited)));
    }

    @Test
    @Tag("reliability")
    @DisplayName("issue 16: kill -9 of a worker JVM is reported by one WARN naming its rank, and nothing else")
    void killedWorkerIsReportedByOneWarningNamingItsRank() throws Exception {
        job = start("lose-worker");
        JobProcesses.Job j = JobProcesses.started(job, pidFile(), START);
        assertEquals(2, j.pids().workers().size(), "two worker JVMs: " + j.pids());
        long victim = j.pids().workers().get(0); // rank 1's JVM: the job lists workers in rank order
        assertTrue(ProcessHandle.of(victim).orElseThrow().destroyForcibly(), "kill -9 " + victim);
        Instant exited = JobOutput.awaitExit(job, HANG_GUARD);
        assertEquals(0, job.exitValue(), "the spawner had its HostRemoved and closed; see " + out() + " and " + err());
        List<String> problems = JobOutput.problemLines(out(), err());
        assertEquals(1, problems.size(), "exactly one line reads as a problem:\n  " + String.join("\n  ", problems));
        String warning = problems.get(0);
        assertTrue(warning.contains(" WARN ") && warning.matches(".*\\brank 1\\b.*"), "a WARN naming rank 1: " + warning);
        System.out.printf("figure: hazelcast, worker killed: the one line is \"%s\"; close() to launcher exit: %s%n",
                warning.substring(warning.indexOf(": ") + 2), JobOutput.millis(JobOutput.closeToExit(closeMark(), exited)));
    }
}
