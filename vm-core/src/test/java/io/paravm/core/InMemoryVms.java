package io.paravm.core;

import io.paravm.VirtualMachine;
import io.paravm.VmConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/** Starts a spawner on the calling thread and workers on their own threads, over an {@link InMemoryCluster}. */
final class InMemoryVms implements AutoCloseable {
    final InMemoryCluster cluster;
    final VirtualMachine spawner;
    final List<CompletableFuture<Void>> workers = new ArrayList<>();
    /** The class loader each worker rank opens its VM with (the codec's types come through it). */
    private final IntFunction<ClassLoader> loaderOfRank;
    /** Every rank's configuration. */
    private final VmConfig config;

    InMemoryVms(int ranks) {
        this(ranks, rank -> InMemoryVms.class.getClassLoader());
    }

    /** As {@link #InMemoryVms(int)}, every rank opening its VM with {@code config}. */
    InMemoryVms(int ranks, VmConfig config) {
        this(ranks, rank -> InMemoryVms.class.getClassLoader(), config);
    }

    /** As {@link #InMemoryVms(int)}, each worker rank opening its VM with the class loader given for it. */
    InMemoryVms(int ranks, IntFunction<ClassLoader> loaderOfRank) {
        this(ranks, loaderOfRank, VmConfig.defaults());
    }

    private InMemoryVms(int ranks, IntFunction<ClassLoader> loaderOfRank, VmConfig config) {
        this.loaderOfRank = loaderOfRank;
        this.config = config;
        cluster = new InMemoryCluster(ranks);
        for (int r = 1; r < ranks; r++) startWorker(r);
        spawner = CoreVirtualMachine.open(cluster.transport(0), config);
    }

    CompletableFuture<Void> startWorker(int rank) {
        CompletableFuture<Void> done = CompletableFuture.runAsync(() -> {
            VirtualMachine w = CoreVirtualMachine.open(cluster.transport(rank), config);
            w.runWorkerLoop();
        }, r -> {
            Thread t = new Thread(r, "worker-rank-" + rank);
            t.setContextClassLoader(loaderOfRank.apply(rank));
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
