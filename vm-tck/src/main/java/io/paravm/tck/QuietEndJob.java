package io.paravm.tck;

import io.paravm.HostRemoved;
import io.paravm.Received;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.VirtualMachine;
import io.paravm.VirtualMachines;
import io.paravm.VmConfig;
import io.paravm.VmStatus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A job for the quiet-end tests ({@link JobOutput}), started like any program on a transport
 * (under {@code mpirun}, by {@code MpjLauncher} or {@code HazelcastLauncher}). It prints
 * nothing itself, so every line of its output comes from ParaVM or an engine. Every rank runs
 * this {@code main}; workers sit in their spawn loop and their process ends when the spawner
 * closes the VM.
 *
 * <p>By {@code --mode}:
 * <ul>
 * <li>{@code quiet}: a normal job. Every worker slot runs a task that echoes
 * {@value #ECHOES} messages; the spawner collects them, writes the job's processes to
 * {@code --pids} ({@link JobProcesses#readPidFile}; workers in rank order), then the instant it calls
 * {@code close()} to {@code --close-mark} (microseconds since the epoch), closes the VM and
 * returns from {@code main};</li>
 * <li>{@code lose-worker}: every worker slot runs a task that waits for a message; the spawner
 * writes {@code --pids} and waits for the test to kill a worker's process: once it has the
 * {@link HostRemoved}, it ends the other tasks, closes as in {@code quiet}, and exits with 0
 * (status 3 if no host was removed within {@value #LOSS_WAIT_SECONDS} s).</li>
 * </ul>
 *
 * <pre>{@code
 * mpirun -np 3 java -cp ... io.paravm.tck.QuietEndJob --pids target/job.pids --close-mark target/job.close --mode quiet
 * }</pre>
 */
public final class QuietEndJob {

    /** Messages each task echoes in a quiet job. */
    public static final int ECHOES = 100;
    /** How long a {@code lose-worker} job waits for the test to kill a worker. */
    public static final long LOSS_WAIT_SECONDS = 120;

    private QuietEndJob() {
    }

    /**
     * @param args {@code --pids FILE --close-mark FILE --mode quiet|lose-worker} (after what the engine adds)
     * @throws Exception on a VM failure
     */
    public static void main(String[] args) throws Exception {
        VirtualMachine vm = VirtualMachines.open(VmConfig.builder().args(args).build());
        vm.spawnerBarrier(); // a worker stays in here until the spawner closes the VM; then it ends
        List<String> userArgs = List.of(vm.args());
        Path pids = Path.of(option(userArgs, "--pids"));
        Path closeMark = Path.of(option(userArgs, "--close-mark"));
        String mode = option(userArgs, "--mode");
        switch (mode) {
            case "quiet" -> echoInEverySlot(vm, pids);
            case "lose-worker" -> {
                if (!survivesALostWorker(vm, pids)) System.exit(3);
            }
            default -> throw new IllegalArgumentException("--mode " + mode + ": use quiet or lose-worker");
        }
        Instant closing = Instant.now();
        write(closeMark, List.of(Long.toString(ChronoUnit.MICROS.between(Instant.EPOCH, closing))));
        vm.close();
    }

    private static void echoInEverySlot(VirtualMachine vm, Path pids) throws IOException {
        List<TaskId> tasks = vm.spawnFunction(TckTasks.echo(ECHOES), vm.freeSlots(), null, true);
        for (int i = 0; i < ECHOES; i++) {
            for (TaskId t : tasks) vm.sendMessage(t, i);
        }
        TckTasks.Outcome o = TckTasks.collect(vm, tasks);
        int echoed = 0;
        for (Received r : o.others()) if (r.message() instanceof Integer) echoed++;
        if (echoed != ECHOES * tasks.size() || o.results().size() != tasks.size()) {
            throw new AssertionError("expected " + ECHOES * tasks.size() + " echoes and " + tasks.size() + " results, got "
                    + echoed + " and " + o.results());
        }
        writePids(vm, tasks, pids);
    }

    /** Returns whether a host was removed in time, and every other task then ended. */
    private static boolean survivesALostWorker(VirtualMachine vm, Path pids) throws IOException {
        List<TaskId> tasks = vm.spawnFunction(TckTasks.waitForOne(), vm.freeSlots(), null, true);
        writePids(vm, tasks, pids);
        List<TaskId> lost = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(LOSS_WAIT_SECONDS).toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            Received r = vm.receiveMessage(Duration.ofNanos(left)).orElse(null);
            if (r == null) continue;
            if (r.message() instanceof TaskExit e && e.reason() == TaskExit.Reason.LOST) lost.add(e.taskId());
            if (r.message() instanceof HostRemoved) break;
        }
        List<TaskId> left = new ArrayList<>(tasks);
        left.removeAll(lost);
        for (TaskId t : left) vm.sendMessage(t, "end");
        TckTasks.collect(vm, left);
        return true;
    }

    private static String option(List<String> args, String name) {
        int i = args.indexOf(name);
        if (i < 0 || i + 1 >= args.size()) {
            throw new IllegalArgumentException("QuietEndJob needs " + name + " VALUE; got " + args);
        }
        return args.get(i + 1);
    }

    /**
     * Writes {@code spawner PID}, then {@code worker PID} per worker process in rank order (rank
     * 1's first), then {@code tasks N}, as {@link FaultJob} does.
     */
    private static void writePids(VirtualMachine vm, List<TaskId> tasks, Path file) throws IOException {
        long me = ProcessHandle.current().pid();
        Set<Long> workers = new LinkedHashSet<>();
        vm.status().slots().stream().sorted(Comparator.comparingInt(VmStatus.Slot::rank))
                .filter(s -> s.pid() != me).forEach(s -> workers.add(s.pid()));
        List<String> lines = new ArrayList<>();
        lines.add("spawner " + me);
        for (long w : workers) lines.add("worker " + w);
        lines.add("tasks " + tasks.size());
        write(file, lines);
    }

    /** Writes a file atomically, so a reader sees all of it or nothing. */
    private static void write(Path file, List<String> lines) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(tmp, lines);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
