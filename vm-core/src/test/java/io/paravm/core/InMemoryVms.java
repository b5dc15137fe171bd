package io.paravm.core;

import io.paravm.VirtualMachine;
import io.paravm.VmConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Starts a spawner on the calling thread and workers on their own threads, over an {@link InMemoryCluster}. */
final class InMemoryVms implements AutoCloseable {
    final InMemoryCluster cluster;
    final VirtualMachine spawner;
    final List<CompletableFuture<Void>> workers = new ArrayList<>();

    InMemoryVms(int ranks) {
        cluster = new InMemoryCluster(ranks);
        for (int r = 1; r < ranks; r++) startWorker(r);
        spawner = new CoreVirtualMachine(cluster.transport(0), VmConfig.defaults());
    }

    CompletableFuture<Void> startWorker(int rank) {
        CompletableFuture<Void> done = CompletableFuture.runAsync(() -> {
            VirtualMachine w = new CoreVirtualMachine(cluster.transport(rank), VmConfig.defaults());
            w.runWorkerLoop();
        }, r -> {
            Thread t = new Thread(r, "worker-rank-" + rank);
            t.setDaemon(true);
            t.start();
        });
        workers.add(done);
        return done;
    }

    /** Waits for every worker's spawn loop to end. */
    void awaitWorkers() throws Exception {
        CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        spawner.close();
    }
}
