package io.paravm.launcher;

import io.paravm.spi.launch.LaunchException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code paravm run} and {@code paravm info} as a user runs them, on real engines. */
class ParavmLauncherIT {

    private static final String CLASSES = ParavmRunner.DEMOS;
    private static final Pattern HELLO = Pattern.compile("(?m)^(\\d+):(\\d+): hello \\1:\\2 back from \\1:\\2 on \\S+$");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"openmpi, ''", "mpj, multicore", "mpj, niodev", "hazelcast, ''"})
    void runStartsTheReadmesFirstProgramOnEachInstalledTransport(String transport, String device) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "--transport", transport, "-np", "3"));
        if (!device.isEmpty()) args.addAll(List.of("--device", device));
        args.addAll(List.of("-cp", CLASSES, "io.paravm.examples.FirstProgram"));
        ParavmRunner.Result r = ParavmRunner.run(dir, args.toArray(String[]::new));
        if (!ParavmRunner.installed(transport)) {
            assertEquals(LaunchException.EXIT_STATUS, r.exit(), r.output());
            assertTrue(r.output().contains(ParavmRunner.built(transport) ? "transport " + transport + " is not installed here: "
                    : "unknown transport '" + transport + "'; this installation has "), r.output());
            return;
        }
        assertEquals(0, r.exit(), r.output());
        Set<String> ranks = new TreeSet<>();
        Matcher m = HELLO.matcher(r.output());
        while (m.find()) ranks.add(m.group(1));
        assertEquals(Set.of("1", "2"), ranks, "a hello back from each of the 2 workers:\n" + r.output());
    }

    /** Issue 14: the mpi transport on each MPI, as a user starts it; its ranks' JVMs print no warning. */
    @ParameterizedTest(name = "mpi on {0}")
    @CsvSource({"openmpi", "mpich"})
    void runStartsTheFirstProgramOnTheMpiTransportOnEachMpiWithoutAJvmWarning(String mpi) throws Exception {
        assumeTrue(ParavmRunner.installed("mpi"), "mpi is not installed here");
        ParavmRunner.Result r = ParavmRunner.run(dir, "run", "-t", "mpi", "--mpi", mpi, "-np", "3",
                "-cp", CLASSES, "io.paravm.examples.FirstProgram");
        assertEquals(0, r.exit(), r.output());
        Set<String> ranks = new TreeSet<>();
        Matcher m = HELLO.matcher(r.output());
        while (m.find()) ranks.add(m.group(1));
        assertEquals(Set.of("1", "2"), ranks, "a hello back from each of the 2 workers:\n" + r.output());
        assertTrue(r.output().lines().noneMatch(l -> l.contains("WARNING:")), "no JVM warning:\n" + r.output());
    }

    @Test
    void runWithoutTransportSaysInOneLineWhichItPicked() throws Exception {
        String expected = ParavmRunner.best();
        ParavmRunner.Result r = ParavmRunner.run(dir, "run", "-np", "2", "-cp", CLASSES, "io.paravm.examples.FirstProgram");
        assertEquals(0, r.exit(), r.output());
        assertEquals(1, r.output().lines().filter(l -> l.startsWith("paravm: running on ")).count(), r.output());
        assertTrue(r.output().contains("paravm: running on " + expected + ", the best installed transport"), r.output());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"hazelcast, 3", "openmpi, 5", "mpj, 7", "mpi, 6"})
    void theJobsExitStatusIsTheLaunchers(String transport, int status) throws Exception {
        assumeTrue(ParavmRunner.installed(transport), transport + " is not installed here");
        ParavmRunner.Result r = ParavmRunner.run(dir, "run", "-t", transport, "-np", "2",
                "-cp", ParavmRunner.TEST_CLASSES.toString(), ExitStatusProgram.class.getName(), Integer.toString(status));
        assertEquals(status, r.exit(), r.output());
    }

    @Test
    void infoListsEveryEngineBuiltInWhetherInstalledAndWhichRunPicks() throws Exception {
        ParavmRunner.Result r = ParavmRunner.run(dir, "info");
        assertEquals(0, r.exit(), r.output());
        String out = r.output();
        for (String e : List.of("mpi", "openmpi", "mpj", "hazelcast")) {
            Matcher line = Pattern.compile("(?m)^  " + e + " +(installed|not installed) ").matcher(out);
            assertEquals(ParavmRunner.built(e), line.find(), "a line for " + e + " exactly when it is built in:\n" + out);
            if (ParavmRunner.built(e)) assertEquals(ParavmRunner.installed(e), line.group(1).equals("installed"), out);
        }
        assertTrue(out.contains("paravm run uses: " + ParavmRunner.best() + " (the best installed one)"), out);
        if (ParavmRunner.installed("mpi")) {
            // issue 14: each MPI found, with its version, its library and its own mpirun
            assertTrue(out.matches("(?s).*Open MPI 4\\.1\\.\\d+ \\(\\S*libmpi\\.so\\.40, \\S*mpirun\\.openmpi\\).*")
                    && out.matches("(?s).*MPICH 4\\.0\\.\\d+ \\(\\S*libmpich\\.so\\.12, \\S*mpirun\\.mpich\\).*"), out);
        }
        assertTrue(out.contains("paravm demo uses: hazelcast"), "demos run on the engine that needs nothing installed:\n" + out);
    }

    @Test
    void aMistakeIsNamedWithWhatToDoAndStatus2() throws Exception {
        ParavmRunner.Result missingCp = ParavmRunner.run(dir, "run", "-t", "hazelcast", "-cp", "no-such-dir", "Main");
        assertEquals(2, missingCp.exit(), missingCp.output());
        assertTrue(missingCp.output().contains("class path entry no-such-dir does not exist"), missingCp.output());

        ParavmRunner.Result device = ParavmRunner.run(dir, "run", "-t", "hazelcast", "--device", "niodev", "-cp", CLASSES, "Main");
        assertEquals(2, device.exit(), device.output());
        assertTrue(device.output().contains(ParavmRunner.built("mpj")
                ? "--device is an option of mpj; use it with --transport mpj (this job runs on hazelcast)"
                : "Unknown options: '--device', 'niodev'"), device.output());

        ParavmRunner.Result engine = ParavmRunner.run(dir, "demo", "config", "--transport", "pvm");
        assertEquals(2, engine.exit(), engine.output());
        assertTrue(engine.output().contains("unknown transport 'pvm'; this installation has "), engine.output());
        assertTrue(engine.output().contains("hazelcast"), "the message names the engines there are:\n" + engine.output());
    }

    /** Ctrl-C in a terminal, or kill: SIGINT to the launcher alone, the worst case (a terminal signals them all). */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"hazelcast, '', 4", "openmpi, '', 4", "mpi, '', 4", "mpj, niodev, 4", "mpj, multicore, 2"})
    void sigintToTheLauncherEndsEveryProcessItStarted(String transport, String device, int expectedProcesses)
            throws Exception {
        assumeTrue(ParavmRunner.installed(transport), transport + " is not installed here");
        Process launcher = startBlockingJob(transport, device);
        Set<ProcessHandle> started = awaitReady(launcher);
        assertTrue(started.size() >= expectedProcesses, "the launcher started " + started.size() + " processes, "
                + "expected the engine's launcher and 3 ranks: " + describe(started));
        new ProcessBuilder("kill", "-INT", Long.toString(launcher.pid())).inheritIO().start().waitFor();
        assertTrue(launcher.waitFor(60, TimeUnit.SECONDS), "the launcher still runs 60 s after SIGINT");
        assertEquals(130, launcher.exitValue(), "a JVM ended by SIGINT exits with 128 + 2");
        assertAllEnd(started, "after SIGINT to the launcher");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"hazelcast, ''", "openmpi, ''", "mpi, ''", "mpj, niodev"})
    void aDyingSpawnerEndsEveryProcessTheLauncherStarted(String transport, String device) throws Exception {
        assumeTrue(ParavmRunner.installed(transport), transport + " is not installed here");
        Process launcher = startBlockingJob(transport, device);
        Set<ProcessHandle> started = awaitReady(launcher);
        Matcher pid = Pattern.compile("spawner pid (\\d+)").matcher(ParavmRunner.output(dir));
        assertTrue(pid.find(), ParavmRunner.output(dir));
        ProcessHandle spawner = ProcessHandle.of(Long.parseLong(pid.group(1))).orElseThrow();
        assertTrue(started.contains(spawner), "the spawner is one of the launcher's processes");
        spawner.destroyForcibly();
        assertTrue(launcher.waitFor(90, TimeUnit.SECONDS), "the launcher still runs 90 s after the spawner died:\n"
                + ParavmRunner.output(dir));
        assertTrue(launcher.exitValue() != 0, "a job whose spawner was killed failed: " + launcher.exitValue());
        assertAllEnd(started, "after the spawner was killed");
    }

    private Process startBlockingJob(String transport, String device) throws IOException {
        List<String> args = new ArrayList<>(List.of("run", "-t", transport, "-np", "3", "--timeout", "240"));
        if (!device.isEmpty()) args.addAll(List.of("--device", device));
        args.addAll(List.of("-cp", ParavmRunner.TEST_CLASSES.toString(), BlockingProgram.class.getName()));
        return ParavmRunner.start(dir, args.toArray(String[]::new));
    }

    /** Waits (at most 2 minutes) until every task runs; returns the launcher's descendants then. */
    private Set<ProcessHandle> awaitReady(Process launcher) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!ParavmRunner.output(dir).contains(BlockingProgram.READY)) {
            if (!launcher.isAlive()) fail("the job ended before it was ready:\n" + ParavmRunner.output(dir));
            if (System.nanoTime() > deadline) {
                launcher.descendants().forEach(ProcessHandle::destroyForcibly);
                launcher.destroyForcibly();
                fail("the job was not ready in 2 minutes:\n" + ParavmRunner.output(dir));
            }
            try {
                launcher.onExit().get(200, TimeUnit.MILLISECONDS); // reads the output file 5 times a second
            } catch (TimeoutException stillRunning) {
                // as expected
            }
        }
        return launcher.descendants().collect(Collectors.toSet());
    }

    private static void assertAllEnd(Set<ProcessHandle> started, String when) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (ProcessHandle p : started) {
            try {
                p.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                // counted below
            }
        }
        List<ProcessHandle> alive = started.stream().filter(ProcessHandle::isAlive).toList();
        List<String> described = alive.stream().map(ParavmLauncherIT::describe).toList();
        alive.forEach(ProcessHandle::destroyForcibly);
        assertEquals(List.of(), described,
                "processes the launcher started still alive 60 s " + when + " (of " + started.size() + ")");
    }

    private static String describe(ProcessHandle p) {
        return p.pid() + " " + p.info().commandLine().orElse("?").replaceAll("(.{160}).+", "$1...");
    }

    private static String describe(Set<ProcessHandle> ps) {
        return ps.stream().map(ParavmLauncherIT::describe).toList().toString();
    }
}
