package io.paravm.launcher;

import io.paravm.tck.JobProcesses;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code paravm run} killed with {@code kill -9} while its job runs ({@link BlockingProgram}, 3
 * ranks whose tasks wait for ever): no shutdown hook runs, and every process under the
 * launcher (its guard; {@code mpirun}, {@code MpjLauncher} or {@code HazelcastLauncher}, with
 * its own guard; every rank) must be gone within {@link #LAUNCHER_LOSS_BOUND}.
 */
@Tag("reliability")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ParavmKillIT {

    /** How long the job's processes may outlive a {@code paravm} killed with {@code kill -9}. */
    static final Duration LAUNCHER_LOSS_BOUND = Duration.ofSeconds(10);
    /** How long the job may take to start every task. */
    static final Duration READY = Duration.ofMinutes(2);

    @TempDir
    Path dir;

    /**
     * @param least the fewest processes under {@code paravm}: its guard, the engine's launcher
     *              (and its guard, for a Java launcher) and the rank processes
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"hazelcast, '', 6", "openmpi, '', 4", "mpj, niodev, 6", "mpj, multicore, 4"})
    void killingParavmEndsEveryProcessOfItsJob(String transport, String device, int least) throws Exception {
        assumeTrue(ParavmRunner.installed(transport), transport + " is not installed here");
        List<String> args = new ArrayList<>(List.of("run", "-t", transport, "-np", "3", "--timeout", "240"));
        if (!device.isEmpty()) args.addAll(List.of("--device", device));
        args.addAll(List.of("-cp", ParavmRunner.TEST_CLASSES.toString(), BlockingProgram.class.getName()));
        Process paravm = ParavmRunner.start(dir, args.toArray(String[]::new));
        try {
            awaitReady(paravm);
            Set<Long> job = JobProcesses.tree(paravm.toHandle());
            assertTrue(job.size() >= least + 1, "paravm and at least " + least + " processes under it: " + job);

            assertTrue(paravm.toHandle().destroyForcibly(), "kill -9 paravm");
            Duration took = JobProcesses.awaitGone(job, LAUNCHER_LOSS_BOUND);
            System.out.printf("figure: paravm run -t %s%s killed with kill -9: all %d processes gone in %d ms%n",
                    transport, device.isEmpty() ? "" : " --device " + device, job.size(), took.toMillis());
        } finally {
            JobProcesses.killTree(paravm.toHandle());
        }
    }

    /** Waits (at most {@link #READY}) until every task runs, reading the output five times a second. */
    private void awaitReady(Process paravm) throws Exception {
        long deadline = System.nanoTime() + READY.toNanos();
        while (!ParavmRunner.output(dir).contains(BlockingProgram.READY)) {
            if (!paravm.isAlive()) fail("the job ended before it was ready:\n" + ParavmRunner.output(dir));
            if (System.nanoTime() - deadline > 0) fail("the job was not ready in " + READY + ":\n" + ParavmRunner.output(dir));
            try {
                paravm.onExit().get(200, TimeUnit.MILLISECONDS);
            } catch (TimeoutException stillRunning) {
                // as expected
            }
        }
    }
}
