package io.paravm.tck;

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
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.locks.LockSupport;

/**
 * A job for the fault tests, started like any program on a transport (under {@code mpirun},
 * by {@code MpjLauncher} or {@code HazelcastLauncher}); the test then breaks it from outside.
 * Every rank runs this {@code main}; workers sit in their spawn loop, PyOPUS style, and their
 * process ends when the spawner closes the VM or is lost.
 *
 * <p>The spawner fills every worker slot with a task, then writes the job's processes to
 * the file given by {@code --pids} ({@link JobProcesses#readPidFile}), and then, by
 * {@code --mode}:
 * <ul>
 * <li>{@code hold}: its tasks wait for a message that never comes, and the spawner waits
 * too, to be killed (it exits with status 3 after {@value #HOLD_MINUTES} minutes, so
 * nothing outlives a broken test);</li>
 * <li>{@code busy}: as {@code hold}, but its tasks work without calling the VM (they park in
 * a loop: a long computation that never looks at its messages);</li>
 * <li>{@code close}: its tasks return at once; the spawner collects them, closes the VM and
 * returns from {@code main};</li>
 * <li>{@code abandon}: its tasks work on as in {@code busy} (they never return), and the
 * spawner closes the VM at once and returns from {@code main}.</li>
 * </ul>
 *
 * <pre>{@code
 * mpirun -np 3 java -cp ... io.paravm.tck.FaultJob --pids target/job.pids --mode hold
 * }</pre>
 */
public final class FaultJob {

    /** How long a held job waits before it gives up by itself. */
    public static final long HOLD_MINUTES = 10;

    private FaultJob() {
    }

    /**
     * @param args {@code --pids FILE --mode hold|busy|close|abandon} (after what the engine adds)
     * @throws Exception on a VM failure
     */
    public static void main(String[] args) throws Exception {
        VirtualMachine vm = VirtualMachines.open(VmConfig.builder().args(args).build());
        vm.spawnerBarrier(); // a worker stays in here until its spawner closes the VM or is lost; then it ends
        List<String> userArgs = List.of(vm.args());
        Path pids = Path.of(option(userArgs, "--pids"));
        String mode = option(userArgs, "--mode");
        boolean hold = mode.equals("hold") || mode.equals("busy");
        List<TaskId> tasks = vm.spawnFunction(switch (mode) {
            case "hold" -> w -> w.receiveMessage(Duration.ofMinutes(HOLD_MINUTES));
            case "busy", "abandon" -> w -> {
                long end = System.nanoTime() + Duration.ofMinutes(HOLD_MINUTES).toNanos();
                while (System.nanoTime() - end < 0) LockSupport.parkNanos(100_000_000L);
                return "worked";
            };
            case "close" -> w -> "done";
            default -> throw new IllegalArgumentException("--mode " + mode + ": use hold, busy, close or abandon");
        }, vm.freeSlots(), null, true);
        if (mode.equals("close")) TckTasks.collect(vm, tasks);
        writePids(vm, tasks, pids);
        if (hold) {
            long deadline = System.nanoTime() + Duration.ofMinutes(HOLD_MINUTES).toNanos();
            for (long left; (left = deadline - System.nanoTime()) > 0; ) vm.receiveMessage(Duration.ofNanos(left));
            System.exit(3);
        }
        vm.close();
    }

    private static String option(List<String> args, String name) {
        int i = args.indexOf(name);
        if (i < 0 || i + 1 >= args.size()) {
            throw new IllegalArgumentException("FaultJob needs " + name + " VALUE; got " + args);
        }
        return args.get(i + 1);
    }

    /** Writes {@code spawner PID}, then {@code worker PID} per worker process, then {@code tasks N}; atomically. */
    private static void writePids(VirtualMachine vm, List<TaskId> tasks, Path file) throws IOException {
        long me = ProcessHandle.current().pid();
        TreeSet<Long> workers = new TreeSet<>();
        for (VmStatus.Slot s : vm.status().slots()) if (s.pid() != me) workers.add(s.pid());
        List<String> lines = new ArrayList<>();
        lines.add("spawner " + me);
        for (long w : workers) lines.add("worker " + w);
        lines.add("tasks " + tasks.size());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(tmp, lines);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
