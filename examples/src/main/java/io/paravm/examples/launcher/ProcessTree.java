package io.paravm.examples.launcher;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A started process and everything it starts, ended together: when the launcher is
 * stopped (Ctrl-C, {@code kill}), when the job is over, or when it runs too long.
 *
 * <p>The engines' own launchers end their children too, but politely and in their own
 * time (Hazelcast's waits for workers to leave), and a child that dies first leaves its
 * children to {@code init}, out of reach. So the tree's descendants are noted once a
 * second while it runs (a look at {@code /proc}, not a busy loop), and at the end every
 * one still alive is asked to stop, then killed.
 */
final class ProcessTree implements AutoCloseable {

    /** How long the processes have to stop after SIGTERM before they are killed. */
    static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final Set<ProcessHandle> seen = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "paravm-process-watch");
        t.setDaemon(true);
        return t;
    });
    private final Thread hook = new Thread(this::endAll, "paravm-shutdown");
    private volatile Process root;

    private ProcessTree() {
    }

    /**
     * Starts {@code command}; from now on stopping this JVM ends it and its descendants.
     *
     * @param command the process to start
     * @return the tree
     * @throws IOException if it cannot be started
     */
    static ProcessTree start(ProcessBuilder command) throws IOException {
        ProcessTree tree = new ProcessTree();
        // The hook is in place before the process exists, so no Ctrl-C slips between the two.
        Runtime.getRuntime().addShutdownHook(tree.hook);
        try {
            tree.root = command.start();
        } catch (IOException | RuntimeException e) {
            tree.removeHook();
            throw e;
        }
        tree.seen.add(tree.root.toHandle());
        tree.watcher.scheduleWithFixedDelay(tree::note, 0, 1, TimeUnit.SECONDS);
        return tree;
    }

    /** Returns the process started. */
    Process root() {
        return root;
    }

    /** Returns every process of the tree seen so far, the root included. */
    Set<ProcessHandle> seen() {
        note();
        return Set.copyOf(seen);
    }

    private void note() {
        Process r = root;
        if (r != null) r.descendants().forEach(seen::add);
    }

    /**
     * Waits for the root process to end.
     *
     * @param timeout how long at most; {@code null} for no limit
     * @return its exit status, or -1 if it still runs after {@code timeout}
     * @throws InterruptedException if interrupted
     */
    int waitFor(Duration timeout) throws InterruptedException {
        if (timeout == null) return root.waitFor();
        return root.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? root.exitValue() : -1;
    }

    /** Ends every process of the tree still alive: SIGTERM, then SIGKILL after {@link #STOP_GRACE}. */
    void endAll() {
        note();
        watcher.shutdownNow();
        for (ProcessHandle p : seen) p.destroy();
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        for (ProcessHandle p : seen) {
            long left = deadline - System.nanoTime();
            try {
                p.onExit().get(Math.max(left, 0), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Exception stillAlive) {
                // killed below
            }
        }
        // Processes started by the tree while it was being stopped are caught here too.
        note();
        for (ProcessHandle p : seen) if (p.isAlive()) p.destroyForcibly();
    }

    @Override
    public void close() {
        endAll();
        removeHook();
    }

    private void removeHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to
        }
    }
}
