package io.paravm.tck;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * What the fault tests need to watch a job's processes from outside: the pids a
 * {@link FaultJob} wrote, the process tree under a launcher, and waiting for processes to
 * be gone within a bound. A zombie (ended, not yet reaped by its parent) counts as gone.
 *
 * <pre>{@code
 * Process job = new ProcessBuilder("mpirun", "-np", "3", "java", ..., "io.paravm.tck.FaultJob",
 *         "--pids", file.toString(), "--mode", "hold").start();
 * JobProcesses.Pids pids = JobProcesses.readPidFile(file, job, Duration.ofSeconds(120));
 * Set<Long> all = JobProcesses.tree(job.toHandle());
 * ProcessHandle.of(pids.spawner()).orElseThrow().destroyForcibly();   // kill -9
 * Duration took = JobProcesses.awaitGone(all, Duration.ofSeconds(10));
 * }</pre>
 */
public final class JobProcesses {

    /** How often {@link #awaitGone} looks: the error this adds to a measured time. */
    public static final Duration POLL = Duration.ofMillis(20);

    private JobProcesses() {
    }

    /**
     * The processes a {@link FaultJob} reported.
     *
     * @param spawner the spawner's pid
     * @param workers the worker processes' pids (none where ranks are threads of the spawner's JVM)
     * @param tasks   the tasks it spawned
     */
    public record Pids(long spawner, List<Long> workers, int tasks) {
        /** Returns the spawner's and the workers' pids. */
        public List<Long> all() {
            List<Long> all = new ArrayList<>(workers);
            all.add(0, spawner);
            return all;
        }
    }

    /**
     * Waits for the pid file a {@link FaultJob} writes once every slot runs a task.
     *
     * @param file    the file given to {@code --pids}
     * @param job     the launched job, to fail at once if it ends first
     * @param timeout how long to wait
     * @return what it says
     * @throws IOException if it cannot be read
     */
    public static Pids readPidFile(Path file, Process job, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(file)) {
            if (!job.isAlive()) {
                throw new AssertionError("the job ended with status " + job.exitValue() + " before writing " + file);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("the job wrote no " + file + " within " + timeout);
            }
            LockSupport.parkNanos(POLL.toNanos());
        }
        long spawner = -1;
        int tasks = -1;
        List<Long> workers = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String[] kv = line.split(" ");
            switch (kv[0]) {
                case "spawner" -> spawner = Long.parseLong(kv[1]);
                case "worker" -> workers.add(Long.parseLong(kv[1]));
                case "tasks" -> tasks = Integer.parseInt(kv[1]);
                default -> throw new AssertionError("unexpected line in " + file + ": " + line);
            }
        }
        return new Pids(spawner, List.copyOf(workers), tasks);
    }

    /**
     * A job launched by a test, once its {@link FaultJob} has reported.
     *
     * @param launcher  the process the test started ({@code mpirun}, a launcher JVM, ...)
     * @param pids      what the job reported
     * @param processes every process of the job then: the launcher, all under it, and the reported ones
     */
    public record Job(Process launcher, Pids pids, Set<Long> processes) {
    }

    /**
     * Waits for the pid file of a job's {@link FaultJob}, then notes every process of the job.
     *
     * @param launcher the process the test started
     * @param pidFile  the file given to {@code --pids}
     * @param timeout  how long to wait for it
     * @return the job
     * @throws IOException if the file cannot be read
     */
    public static Job started(Process launcher, Path pidFile, Duration timeout) throws IOException {
        Pids pids = readPidFile(pidFile, launcher, timeout);
        Set<Long> all = new LinkedHashSet<>(tree(launcher.toHandle()));
        all.addAll(pids.all());
        return new Job(launcher, pids, all);
    }

    /**
     * For a job that closes its VM ({@code --mode close}): waits for its launcher to end with
     * status 0, then fails if any process of the job still runs.
     *
     * @param job     the job
     * @param timeout how long it may take to end
     * @param log     where its output went, for the failure message
     * @return how many processes were counted
     * @throws InterruptedException if interrupted while waiting
     */
    public static int assertEndsLeavingNoProcess(Job job, Duration timeout, Path log) throws InterruptedException {
        if (!job.launcher().waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the job did not end within " + timeout + " of close(); see " + log);
        }
        if (job.launcher().exitValue() != 0) {
            throw new AssertionError("the job ended with status " + job.launcher().exitValue() + "; see " + log);
        }
        List<String> left = job.processes().stream().filter(JobProcesses::isRunning).map(JobProcesses::describe).toList();
        if (!left.isEmpty()) {
            throw new AssertionError("processes of the job still run once its launcher has returned (of "
                    + job.processes().size() + " counted): " + left);
        }
        return job.processes().size();
    }

    /** Returns {@code root}'s pid and those of all its descendants now alive. */
    public static Set<Long> tree(ProcessHandle root) {
        Set<Long> pids = new LinkedHashSet<>();
        pids.add(root.pid());
        root.descendants().forEach(p -> pids.add(p.pid()));
        return pids;
    }

    /** Returns whether {@code pid} runs: it exists and is not a zombie. */
    public static boolean isRunning(long pid) {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) return false;
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        try {
            String s = Files.readString(stat);
            int close = s.lastIndexOf(')'); // the command name may hold spaces and parentheses
            return close < 0 || close + 2 >= s.length() || s.charAt(close + 2) != 'Z';
        } catch (IOException e) {
            return Files.exists(stat); // gone between the two looks, or no /proc here
        }
    }

    /**
     * Waits until none of {@code pids} runs. If some still run after {@code bound}, kills them
     * (so a failing test leaves nothing behind) and fails naming each with its command line.
     *
     * @param pids  the processes
     * @param bound how long they may take
     * @return how long they took (measured every {@link #POLL})
     */
    public static Duration awaitGone(Collection<Long> pids, Duration bound) {
        long start = System.nanoTime();
        long deadline = start + bound.toNanos();
        while (true) {
            List<Long> running = pids.stream().filter(JobProcesses::isRunning).toList();
            if (running.isEmpty()) return Duration.ofNanos(System.nanoTime() - start);
            if (System.nanoTime() - deadline > 0) {
                String named = running.stream().map(JobProcesses::describe).collect(Collectors.joining("; "));
                running.forEach(p -> ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly));
                throw new AssertionError(running.size() + " of " + pids.size() + " processes still ran " + bound
                        + " later (now killed): " + named);
            }
            LockSupport.parkNanos(POLL.toNanos());
        }
    }

    /** Kills {@code root} and everything under it, and waits a little for them; for clean-up. */
    public static void killTree(ProcessHandle root) {
        List<ProcessHandle> all = new ArrayList<>(root.descendants().toList());
        all.add(root);
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : all) {
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // best effort: clean-up after a test
            }
        }
    }

    private static String describe(long pid) {
        return pid + " " + ProcessHandle.of(pid).flatMap(p -> p.info().commandLine())
                .map(c -> c.length() > 160 ? c.substring(0, 160) + "..." : c).orElse("?");
    }
}
