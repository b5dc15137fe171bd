package io.paravm.transport.mpj;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * When a job of one JVM per rank is over, and its exit status: that of a rank that fails
 * while the spawner (rank 0) still runs; else the spawner's; else, once the spawner ended
 * well, that of the first other rank to fail within the grace period. A rank still running
 * after the grace is left to the caller to end.
 *
 * <pre>{@code
 * int status = new JobExitPolicy(Duration.ofSeconds(10)).await("com.example.Main", rankProcesses);
 * }</pre>
 *
 * @param grace how long the other ranks may run on after the spawner ended well
 */
record JobExitPolicy(Duration grace) {

    private static final Logger LOG = LoggerFactory.getLogger(JobExitPolicy.class);

    /**
     * Waits for the spawner, or for a rank that fails first; then gives the others the grace period.
     *
     * @param mainClass the job's main class, for messages
     * @param ranks     the rank JVMs, by rank
     * @return the job's exit status
     * @throws InterruptedException if interrupted while waiting
     */
    int await(String mainClass, List<Process> ranks) throws InterruptedException {
        CompletableFuture<Integer> failed = new CompletableFuture<>();
        for (int r = 1; r < ranks.size(); r++) {
            int rank = r;
            ranks.get(r).onExit().thenAccept(p -> {
                if (p.exitValue() != 0) failed.complete(rank);
            });
        }
        try {
            CompletableFuture.anyOf(ranks.get(0).onExit(), failed).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiting for the MPJ ranks failed", e);
        }
        if (failed.isDone() && ranks.get(0).isAlive()) {
            int rank = failed.join();
            int status = ranks.get(rank).exitValue();
            LOG.error("MPJ niodev rank {} of {} failed with status {}; ending the job", rank, mainClass, status);
            return status;
        }
        int status = ranks.get(0).exitValue();
        if (status != 0) {
            LOG.error("MPJ niodev job {}: the spawner (rank 0) ended with status {}; ending the job", mainClass, status);
            return status;
        }
        long deadline = System.nanoTime() + grace.toNanos();
        for (int r = 1; r < ranks.size(); r++) {
            Process p = ranks.get(r);
            if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                LOG.warn("MPJ niodev rank {} still runs {} ms after the spawner ended; ending it", r, grace.toMillis());
            } else if (p.exitValue() != 0 && status == 0) {
                LOG.error("MPJ niodev rank {} ended with status {}", r, p.exitValue());
                status = p.exitValue();
            }
        }
        if (status != 0) LOG.error("MPJ niodev job {} ({} ranks) ended with status {}", mainClass, ranks.size(), status);
        return status;
    }
}
