package io.paravm.tck;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which lines of a job's output {@link JobOutput} reads as a problem, and the close-to-exit time. */
class JobOutputTest {

    @TempDir
    Path dir;

    @Test
    void warningsAndErrorsOfEveryKindAreFoundAndNamed() throws Exception {
        Path out = Files.write(dir.resolve("job.out"), List.of(
                "[main] INFO io.paravm.transport.hazelcast.HazelcastLauncher - ParaVM job on Hazelcast: 0 errors, no warnings",
                "[hz.x.cached.thread-1] WARN com.hazelcast.internal.cluster.impl.MembershipManager - Member is suspected",
                "log4j:WARN No appenders could be found for logger (runtime.starter.MPJRun).",
                "[main] ERROR io.paravm.core.OrphanWatch - worker rank 1: the spawner is gone"));
        Path err = Files.write(dir.resolve("job.err"), List.of(
                "Dec 05, 2026 10:00:00 PM com.hazelcast.internal.config.AbstractConfigLocator",
                "WARNING: Hazelcast is starting in a Java modular environment",
                "OpenJDK 64-Bit Server VM warning: Sharing is only supported for boot loader classes",
                "SEVERE: Could not join cluster"));
        List<String> found = JobOutput.problemLines(out, err, dir.resolve("missing.log"));
        assertEquals(List.of("job.out:2: " + Files.readAllLines(out).get(1), "job.out:3: " + Files.readAllLines(out).get(2),
                "job.out:4: " + Files.readAllLines(out).get(3), "job.err:2: WARNING: Hazelcast is starting in a Java modular "
                        + "environment", "job.err:3: OpenJDK 64-Bit Server VM warning: Sharing is only supported for boot "
                        + "loader classes", "job.err:4: SEVERE: Could not join cluster"), found);
        AssertionError e = assertThrows(AssertionError.class, () -> JobOutput.assertQuiet(out, err));
        assertTrue(e.getMessage().contains("job.out:2: [hz.x.cached.thread-1] WARN"), e.getMessage());
    }

    @Test
    void aQuietJobPasses() throws Exception {
        Path out = Files.write(dir.resolve("job.out"), List.of("[main] INFO io.paravm.transport.hazelcast.HazelcastLauncher "
                + "- ParaVM job on Hazelcast: cluster 'paravm-1a2b3c4d', spawner at 127.0.0.1:5701"));
        JobOutput.assertQuiet(out, dir.resolve("job.err"));
    }

    @Test
    void closeToExitIsTheTimeFromTheMarkToTheExit() throws Exception {
        Instant closed = Instant.parse("2026-12-05T22:00:00.250Z");
        Path mark = Files.writeString(dir.resolve("job.close"), ChronoUnit.MICROS.between(Instant.EPOCH, closed) + "\n");
        assertEquals(Duration.ofMillis(750), JobOutput.closeToExit(mark, Instant.parse("2026-12-05T22:00:01Z")));
        assertThrows(AssertionError.class, () -> JobOutput.closeToExit(dir.resolve("none"), Instant.now()));
    }
}
