package io.paravm.spi.launch;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The guard of a {@link ProcessTree}: a small JVM of its own that ends the tree's processes
 * when the JVM that started them dies without ending them ({@code kill -9}, a crash, the
 * out-of-memory killer), when no shutdown hook runs. Started by {@link GuardPipe}.
 *
 * <p>It watches its launcher through its standard input, a pipe whose other end only the
 * launcher holds: the pipe reaches end-of-file when the launcher is gone, whatever killed it,
 * and unlike a pid it cannot name another process later. Each line names a process to watch,
 * {@code watch PID START_MILLIS} (its start instant in ms since the epoch, so that a pid used
 * again by another process is never touched), or says the launcher ended its tree itself,
 * {@code released}. The guard notes every descendant of the processes it watches once a second
 * (a child that dies first leaves its own children to {@code init}). At end-of-file it asks
 * every process still alive to stop (SIGTERM: {@code mpirun} then ends its ranks on every host),
 * and kills whatever is left {@link #STOP_GRACE} later.
 *
 * <pre>{@code
 * java -cp vm-api.jar io.paravm.spi.launch.ProcessTreeGuard     # stdin: a pipe from the launcher
 * watch 4711 1767225600000
 * watch 4712 1767225600040
 * released                                                      # or end-of-file: ends 4711, 4712 and all under them
 * }</pre>
 */
final class ProcessTreeGuard {

    /** A line naming a process to watch: {@code watch PID START_MILLIS}. */
    static final String WATCH = "watch";
    /** The line saying the launcher has ended its processes itself: the guard leaves. */
    static final String RELEASED = "released";
    /** How long the processes have, after SIGTERM, before they are killed. */
    static final Duration STOP_GRACE = Duration.ofSeconds(3);

    private static final Duration POLL = Duration.ofMillis(50);
    private static final System.Logger LOG = System.getLogger(ProcessTreeGuard.class.getName());

    private final Set<ProcessHandle> watched = ConcurrentHashMap.newKeySet();

    private ProcessTreeGuard() {
    }

    /**
     * Guards the processes its standard input names until the launcher releases them or is gone.
     *
     * @param args none
     */
    public static void main(String[] args) {
        String launcherPid = ProcessHandle.current().parent().map(p -> Long.toString(p.pid())).orElse("?");
        ProcessTreeGuard guard = new ProcessTreeGuard();
        ScheduledExecutorService noter = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "paravm-guard-note");
            t.setDaemon(true);
            return t;
        });
        noter.scheduleWithFixedDelay(guard::note, 1, 1, TimeUnit.SECONDS);
        BufferedReader launcher = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        if (guard.read(launcher)) return;
        List<ProcessHandle> alive = guard.alive();
        if (alive.isEmpty()) return;
        // Through System.Logger, as all of vm-api logs (it has no dependency; SLF4J takes these over where
        // its JDK bridge is present). Here, vm-api alone on the class path, it goes to standard error,
        // which is the launcher's: the one place a user sees.
        LOG.log(System.Logger.Level.WARNING, "paravm: the launcher (pid " + launcherPid + ") is gone without ending its "
                + alive.size() + (alive.size() == 1 ? " process; ending it" : " processes; ending them"));
        guard.end(STOP_GRACE);
    }

    /**
     * Reads the launcher's lines.
     *
     * @return true if it released its processes, false at end-of-file or when the pipe fails (it is gone)
     */
    private boolean read(BufferedReader launcher) {
        try {
            for (String line; (line = launcher.readLine()) != null; ) {
                if (line.equals(RELEASED)) return true;
                String[] words = line.split(" ");
                if (words.length == 3 && words[0].equals(WATCH)) watch(Long.parseLong(words[1]), Long.parseLong(words[2]));
            }
        } catch (IOException broken) {
            // as good as end-of-file: nobody holds the other end any more
        }
        return false;
    }

    /** Watches the process, if {@code pid} still names the one that started at {@code startMillis}. */
    private void watch(long pid, long startMillis) {
        Optional<ProcessHandle> p = ProcessHandle.of(pid);
        if (p.isEmpty()) return;
        long started = p.get().info().startInstant().map(Instant::toEpochMilli).orElse(startMillis);
        if (started == startMillis) watched.add(p.get());
    }

    /** Notes the descendants of every process watched, and forgets those that ended. */
    private void note() {
        for (ProcessHandle p : List.copyOf(watched)) p.descendants().forEach(watched::add);
        watched.removeIf(p -> !p.isAlive());
    }

    private List<ProcessHandle> alive() {
        note();
        return List.copyOf(watched);
    }

    /** SIGTERM to every process alive, SIGKILL to those still alive {@code grace} later. */
    private void end(Duration grace) {
        alive().forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        while (System.nanoTime() - deadline < 0 && watched.stream().anyMatch(ProcessTreeGuard::running)) {
            LockSupport.parkNanos(POLL.toNanos());
        }
        alive().forEach(ProcessHandle::destroyForcibly);
    }

    /**
     * Returns whether the process runs: it is alive and, where {@code /proc} tells, not a
     * zombie (ended, not yet reaped by its parent), which {@link ProcessHandle#isAlive} counts.
     */
    static boolean running(ProcessHandle p) {
        if (!p.isAlive()) return false;
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
            int close = stat.lastIndexOf(')'); // the command's name may hold spaces and parentheses
            return close < 0 || close + 2 >= stat.length() || stat.charAt(close + 2) != 'Z';
        } catch (IOException noProc) {
            return p.isAlive();
        }
    }
}
