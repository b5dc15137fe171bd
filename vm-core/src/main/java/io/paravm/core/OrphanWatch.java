package io.paravm.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ends (through {@link WorkerProcessEnd}) a worker process whose spawner is gone while a task
 * still runs there without looking at the VM (a long computation, or one that never returns):
 * the spawn loop cannot end until
 * that task does, the task's result has nowhere to go, and the process would otherwise
 * outlive its job. Engines that report a lost spawner (Hazelcast) need this; under
 * {@code mpirun} and {@code MpjLauncher} the launcher ends the ranks itself. Not used where
 * ranks are threads of the spawner's JVM.
 *
 * <pre>{@code
 * OrphanWatch watch = new OrphanWatch(rank, 5_000);
 * watch.spawnerLost();   // from the transport's membership callback
 * watch.closed();        // the worker's VM closed in time: the process ends by itself
 * }</pre>
 */
final class OrphanWatch {

    private static final Logger LOG = LoggerFactory.getLogger(OrphanWatch.class);

    /** How long a worker whose spawner is gone waits for its spawn loop to end before it ends its process, in ms. */
    static final String GRACE_MILLIS_PROP_NAME = "paravm.core.orphan.grace.millis";
    /** The old name of {@link #GRACE_MILLIS_PROP_NAME}, still read, with a warning. */
    static final String GRACE_MS_DEPRECATED_PROP_NAME = "paravm.core.orphan.grace.ms";
    /** Default of {@link #GRACE_MILLIS_PROP_NAME}: 5 000 ms. */
    static final long GRACE_MILLIS_DEFAULT = 5_000;

    private final int rank;
    private final long graceMillis;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicBoolean watching = new AtomicBoolean();

    OrphanWatch(int rank, long graceMillis) {
        this.rank = rank;
        this.graceMillis = graceMillis;
    }

    /** The spawner is gone: from now on the worker's VM must close within the grace period. */
    void spawnerLost() {
        if (!watching.compareAndSet(false, true)) return;
        Thread t = new Thread(this::await, "paravm-orphan-watch-" + rank);
        t.setDaemon(true);
        t.start();
    }

    /** The worker's VM has closed: its process ends the usual way. */
    void closed() {
        closed.countDown();
    }

    private void await() {
        try {
            if (closed.await(graceMillis, TimeUnit.MILLISECONDS)) return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.error("worker rank {}: the spawner is gone and a task still runs here {} ms later; its result has nowhere "
                + "to go, so this worker process ends (raise {} to give tasks longer)", rank, graceMillis, GRACE_MILLIS_PROP_NAME);
        WorkerProcessEnd.afterSpawnerGone(rank);
    }
}
