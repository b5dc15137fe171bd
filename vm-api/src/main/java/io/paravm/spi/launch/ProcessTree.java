package io.paravm.spi.launch;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The processes a launcher started, and everything they start, ended together: when the
 * launcher is stopped (Ctrl-C, {@code kill}), when the job is over, or when it runs too
 * long. The one place in ParaVM that ends child processes; every launcher uses it.
 *
 * <p>A child that dies first leaves its own children to {@code init}, out of reach. So the
 * descendants are noted once a second while the tree lives (a look at {@code /proc}, not a
 * busy loop), and at the end every one still alive is asked to stop, then killed.
 *
 * <p>A JVM killed with {@code kill -9} runs no shutdown hook. So the first {@link #start}
 * also starts a guard, a small JVM reading a pipe from this one ({@code ProcessTreeGuard}),
 * and names every process started to it: when this JVM dies before it has ended the tree,
 * the pipe closes and the guard ends every process of the tree (SIGTERM, then SIGKILL 3 s
 * later), within about 4 s. Once this JVM has ended them itself, the guard leaves.
 *
 * <pre>{@code
 * try (ProcessTree tree = ProcessTree.create()) {
 *     Process spawner = tree.start(new ProcessBuilder("java", "-cp", cp, mainClass).inheritIO());
 *     int status = spawner.waitFor();
 *     tree.awaitExit(Duration.ofSeconds(15));   // let the rest leave by themselves
 * }                                             // then stop (SIGTERM), then kill, whatever is left
 * }</pre>
 */
public final class ProcessTree implements AutoCloseable {

    /** How long processes have, by default, to stop after SIGTERM before they are killed. */
    public static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final List<Process> started = new CopyOnWriteArrayList<>();
    private final Set<ProcessHandle> seen = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "paravm-process-watch");
        t.setDaemon(true);
        return t;
    });
    private final Thread hook = new Thread(this::endAllAndRelease, "paravm-process-tree-shutdown");
    private GuardPipe guard;
    /** Looks in a row that found no new descendant (the watcher's thread only). */
    private int quietLooks;
    private static final int SETTLED_AFTER_LOOKS = 10;
    private static final long SETTLED_LOOK_SECONDS = 10;

    private ProcessTree() {
    }

    /**
     * Returns an empty tree; from now on stopping this JVM ends every process it starts.
     * The hook is in place before any process exists, so no Ctrl-C slips between the two.
     *
     * @return the tree
     */
    public static ProcessTree create() {
        ProcessTree tree = new ProcessTree();
        Runtime.getRuntime().addShutdownHook(tree.hook);
        tree.watcher.schedule(tree::noteAndReschedule, 1, TimeUnit.SECONDS);
        return tree;
    }

    /**
     * Starts a process in this tree.
     *
     * @param command the process to start
     * @return the process
     * @throws IOException if it cannot be started
     */
    public Process start(ProcessBuilder command) throws IOException {
        GuardPipe g = guard();
        Process p = command.start();
        started.add(p);
        seen.add(p.toHandle());
        g.watch(p.toHandle());
        return p;
    }

    /** The guard, started before the first process, so that none is ever unguarded for long. */
    private synchronized GuardPipe guard() {
        if (guard == null) guard = GuardPipe.start();
        return guard;
    }

    /** Returns the processes started by {@link #start}, in order. */
    public List<Process> started() {
        return List.copyOf(started);
    }

    /** Returns every process of the tree seen so far, those started and their descendants. */
    public Set<ProcessHandle> seen() {
        note();
        return Set.copyOf(seen);
    }

    /** Looks for new descendants, whether any appeared since the last look. */
    private boolean note() {
        boolean found = false;
        for (Process p : started) {
            for (ProcessHandle d : (Iterable<ProcessHandle>) p.descendants()::iterator) found |= seen.add(d);
        }
        return found;
    }

    /**
     * The watcher's look: every second while processes appear, every {@link #SETTLED_LOOK_SECONDS}
     * once none has for {@link #SETTLED_AFTER_LOOKS} looks. A look reads every process of the
     * machine (a descendant is found through its parent), which cost the launcher about 1% of a
     * core while a job ran.
     */
    private void noteAndReschedule() {
        quietLooks = note() ? 0 : quietLooks + 1;
        try {
            watcher.schedule(this::noteAndReschedule, quietLooks >= SETTLED_AFTER_LOOKS ? SETTLED_LOOK_SECONDS : 1,
                    TimeUnit.SECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // the tree was closed: no more looks
        }
    }

    /**
     * Waits for every process started to end by itself.
     *
     * @param timeout how long to wait in all
     * @return whether they all ended in time
     * @throws InterruptedException if interrupted
     */
    public boolean awaitExit(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Process p : started) {
            note();
            if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) return false;
        }
        return true;
    }

    /**
     * Ends every process of the tree still alive: SIGTERM, then SIGKILL after {@code grace}.
     *
     * @param grace how long they have to stop after SIGTERM
     */
    public void endAll(Duration grace) {
        note();
        for (ProcessHandle p : seen) p.destroy();
        long deadline = System.nanoTime() + grace.toNanos();
        for (ProcessHandle p : seen) {
            try {
                p.onExit().get(Math.max(deadline - System.nanoTime(), 0), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Exception stillAlive) {
                // killed below
            }
        }
        // Processes started while the tree was being stopped are caught here too.
        note();
        for (ProcessHandle p : seen) if (p.isAlive()) p.destroyForcibly();
    }

    private void endAllAndRelease() {
        endAll(STOP_GRACE);
        GuardPipe g;
        synchronized (this) {
            g = guard;
        }
        if (g != null) g.release();
    }

    /** Ends every process still alive at once, without a grace period. */
    public void kill() {
        note();
        for (ProcessHandle p : seen) p.destroyForcibly();
    }

    /**
     * Ends every process still alive ({@link #endAll} with {@link #STOP_GRACE}), lets the
     * guard go, and removes the shutdown hook.
     */
    @Override
    public void close() {
        endAllAndRelease();
        watcher.shutdownNow();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to
        }
    }
}
