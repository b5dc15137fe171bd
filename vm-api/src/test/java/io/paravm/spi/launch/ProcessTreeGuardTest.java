package io.paravm.spi.launch;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The guard of a {@link ProcessTree} ({@link ProcessTreeGuard}, through {@link GuardPipe}):
 * its launcher's end of the pipe closing without a release stands for the launcher killed
 * with {@code kill -9}.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProcessTreeGuardTest {

    /** How long the watched processes may outlive their launcher: the guard's SIGTERM, its grace, and slack. */
    private static final Duration BOUND = Duration.ofSeconds(10);

    private final List<ProcessHandle> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        for (ProcessHandle p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private Process sh(String script) throws IOException {
        Process p = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        started.add(p.toHandle());
        return p;
    }

    @Test
    void aGuardWhoseLauncherIsGoneEndsEveryProcessItWatchesAndAllUnderThem() throws Exception {
        GuardPipe guard = GuardPipe.start();
        Process parent = sh("sleep 120 & sleep 120 & wait");
        guard.watch(parent.toHandle());
        List<ProcessHandle> all = awaitDescendants(parent, 2);
        all.add(parent.toHandle());

        guard.process().getOutputStream().close(); // as when the launcher dies: end-of-file, no release
        Duration took = awaitGone(all);
        assertTrue(guard.process().waitFor(BOUND.toSeconds(), TimeUnit.SECONDS), "the guard leaves once it has ended them");
        System.out.printf("figure: guard, launcher gone: %d processes ended in %d ms%n", all.size(), took.toMillis());
    }

    /** A child that dies first leaves its own children to init: the guard noted them while they were under it. */
    @Test
    void aGuardEndsTheOrphansOfAProcessThatEndedBeforeTheLauncher() throws Exception {
        GuardPipe guard = GuardPipe.start();
        Process parent = sh("sleep 120 & sleep 4"); // the guard notes descendants once a second; the parent lives 4 s
        guard.watch(parent.toHandle());
        List<ProcessHandle> orphan = awaitDescendants(parent, 1);
        assertTrue(parent.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS), "the parent ends by itself");
        assertTrue(orphan.get(0).isAlive(), "its child lives on, under init");

        guard.process().getOutputStream().close();
        awaitGone(orphan);
    }

    @Test
    void aReleasedGuardLeavesAndEndsNothing() throws Exception {
        GuardPipe guard = GuardPipe.start();
        Process p = sh("sleep 120");
        guard.watch(p.toHandle());

        guard.release();
        assertTrue(guard.process().waitFor(BOUND.toSeconds(), TimeUnit.SECONDS), "the guard leaves once released");
        assertEquals(0, guard.process().exitValue());
        assertTrue(p.isAlive(), "a released guard ends nothing");
    }

    /** A pid once watched may name another process later: the start instant tells them apart. */
    @Test
    void aPidWhoseStartInstantDiffersIsNeverTouched() throws Exception {
        Process p = sh("sleep 120");
        long startMillis = p.toHandle().info().startInstant().orElseThrow().toEpochMilli();
        Process guard = GuardPipe.start().process(); // the test writes its lines itself
        try (OutputStream pipe = guard.getOutputStream()) {
            pipe.write((ProcessTreeGuard.WATCH + " " + p.pid() + " " + (startMillis - 60_000) + "\n")
                    .getBytes(StandardCharsets.US_ASCII));
        }
        assertTrue(guard.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS), "the guard leaves at end-of-file");
        assertTrue(p.isAlive(), "the process the pid names now started later than the one watched");
    }

    /** Waits (bounded) until {@code parent} has {@code count} descendants; returns them. */
    private static List<ProcessHandle> awaitDescendants(Process parent, int count) {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (true) {
            List<ProcessHandle> under = new ArrayList<>(parent.descendants().toList());
            if (under.size() >= count) return under;
            if (System.nanoTime() - deadline > 0) fail(parent.pid() + " has " + under + " under it, expected " + count);
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }

    /** Waits (at most {@link #BOUND}) until none of {@code processes} is alive; returns how long it took. */
    private static Duration awaitGone(List<ProcessHandle> processes) {
        long start = System.nanoTime();
        while (processes.stream().anyMatch(ProcessTreeGuard::running)) {
            if (System.nanoTime() - start > BOUND.toNanos()) {
                fail("still alive " + BOUND + " after the launcher was gone: "
                        + processes.stream().filter(ProcessTreeGuard::running).map(ProcessHandle::pid).toList());
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
