package io.paravm.transport.hazelcast;

import io.paravm.spi.launch.ProcessTree;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Decides how the JVMs of a job end, and the job's exit status.
 *
 * <p>The spawner's exit status is the job's; once it has ended, workers get
 * {@link #WORKER_GRACE} to leave by themselves (they see the spawner's member leave), then are
 * asked to stop, then killed after {@link #STOP_GRACE}.
 *
 * <pre>{@code
 * int status = ExitPolicy.spawnerStatus(spawner, Duration.ofMinutes(10));
 * ExitPolicy.end(tree);
 * }</pre>
 */
final class ExitPolicy {

    /** How long workers may take to leave by themselves once the spawner has ended. */
    static final Duration WORKER_GRACE = Duration.ofSeconds(15);
    /** How long a JVM asked to stop has before it is killed. */
    static final Duration STOP_GRACE = Duration.ofSeconds(5);
    /** The status of a job whose spawner ran too long, or whose launcher was interrupted. */
    static final int NO_STATUS = -1;

    private static final Logger LOG = LoggerFactory.getLogger(ExitPolicy.class);

    private ExitPolicy() {
    }

    /**
     * Waits for the spawner.
     *
     * @param spawner the spawner's JVM
     * @param timeout how long it may run
     * @return its exit status, or {@link #NO_STATUS} if it ran longer (it is left running) or this thread was interrupted
     */
    static int spawnerStatus(Process spawner, Duration timeout) {
        try {
            if (!spawner.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.error("the spawner (pid {}) ran longer than {}; ending the job", spawner.pid(), timeout);
                return NO_STATUS;
            }
            return spawner.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return NO_STATUS;
        }
    }

    /**
     * Waits for every JVM of the tree to exit.
     *
     * @param tree    the job's JVMs
     * @param timeout how long to wait in all
     * @return whether they all exited with 0 in time
     */
    static boolean allSucceeded(ProcessTree tree, Duration timeout) {
        try {
            return tree.awaitExit(timeout) && tree.started().stream().allMatch(p -> p.exitValue() == 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Ends every JVM of the tree: {@link #WORKER_GRACE} to leave by themselves, then stopped, then killed. */
    static void end(ProcessTree tree) {
        try {
            tree.awaitExit(WORKER_GRACE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            tree.kill();
        }
        tree.endAll(STOP_GRACE);
    }
}
