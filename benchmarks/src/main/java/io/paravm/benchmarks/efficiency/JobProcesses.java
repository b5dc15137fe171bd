package io.paravm.benchmarks.efficiency;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every process of a job, as seen from its spawner, and the CPU each one spends: the job's
 * first process (the {@code timeout} the runner started, or the launcher) and all its
 * descendants: {@code mpirun}, the launchers' JVMs, their guards, every rank. CPU time is
 * the JDK's {@link ProcessHandle.Info#totalCpuDuration()} (on Linux {@code utime + stime}
 * from {@code /proc/PID/stat}, in clock ticks, 10 ms), so a window of a second reads to
 * about 1% of a core.
 *
 * <pre>{@code
 * JobProcesses job = JobProcesses.discover(runnerPid, workerPids);
 * Map<Long, Long> before = job.cpuNanos();
 * ... the run ...
 * Map<String, Double> percent = job.percentOfCore(before, job.cpuNanos(), wallNanos);
 * }</pre>
 */
final class JobProcesses {

    /** The key of the whole job's CPU in {@link #percentOfCore}. */
    static final String ALL = "all processes";
    /** Commands that are part of a job when no runner pid says where it starts. */
    private static final Set<String> JOB_COMMANDS = Set.of("java", "timeout", "mpirun", "mpiexec", "orterun", "prterun", "orted");
    private static final Pattern CLASS_NAME = Pattern.compile("([a-z_][\\w$]*\\.)+[A-Z][\\w$]*");

    private final ProcessHandle root;
    private final Map<Long, String> roles;
    private final List<JobFigures.ProcessInfo> infos;

    private JobProcesses(ProcessHandle root, Map<Long, String> roles, List<JobFigures.ProcessInfo> infos) {
        this.root = root;
        this.roles = roles;
        this.infos = infos;
    }

    /**
     * Finds the job's processes from the spawner.
     *
     * @param runnerPid  the pid of the runner that started the job (its child is the job's first process), or -1:
     *                   then the job starts at the highest ancestor that is {@code java}, {@code timeout} or an
     *                   MPI starter
     * @param workerPids each worker rank's pid and the CPUs its runtime sees, by rank
     */
    static JobProcesses discover(long runnerPid, Map<Integer, long[]> workerPids) {
        ProcessHandle self = ProcessHandle.current();
        ProcessHandle root = self;
        for (int depth = 0; depth < 64; depth++) {
            Optional<ProcessHandle> parent = root.parent();
            if (parent.isEmpty() || parent.get().pid() == 1) break;
            if (runnerPid > 0 ? parent.get().pid() == runnerPid : !JOB_COMMANDS.contains(commandName(parent.get()))) break;
            root = parent.get();
        }
        Map<Long, String> roles = new LinkedHashMap<>();
        Map<Long, Integer> cpusSeen = new LinkedHashMap<>();
        roles.put(self.pid(), "spawner");
        cpusSeen.put(self.pid(), Runtime.getRuntime().availableProcessors());
        workerPids.forEach((rank, pc) -> {
            roles.merge(pc[0], "worker " + rank, (a, b) -> a.startsWith("spawner") ? "spawner and workers (one JVM)" : a + ", " + b);
            cpusSeen.put(pc[0], (int) pc[1]);
        });
        List<ProcessHandle> all = new ArrayList<>();
        all.add(root);
        root.descendants().forEach(all::add);
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (ProcessHandle h : all) {
            if (roles.containsKey(h.pid())) continue;
            String what = describe(h);
            int n = seen.merge(what, 1, Integer::sum);
            roles.put(h.pid(), n == 1 ? what : what + " #" + n);
        }
        List<JobFigures.ProcessInfo> infos = new ArrayList<>();
        roles.forEach((pid, role) -> infos.add(new JobFigures.ProcessInfo(pid, role,
                ProcessHandle.of(pid).flatMap(h -> h.info().commandLine()).map(JobProcesses::shorten).orElse("?"),
                cpusAllowed(pid), cpusSeen.getOrDefault(pid, -1))));
        return new JobProcesses(root, roles, infos);
    }

    /** The processes, spawner first, then the workers, then the rest. */
    List<JobFigures.ProcessInfo> infos() {
        return infos;
    }

    /** When the job's first process started, if the OS says. */
    Optional<Instant> launched() {
        return root.info().startInstant();
    }

    /** Every process's CPU so far, ns, by pid (a process that has ended is left out). */
    Map<Long, Long> cpuNanos() {
        Map<Long, Long> cpu = new LinkedHashMap<>();
        for (long pid : roles.keySet()) {
            ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration()).map(Duration::toNanos)
                    .ifPresent(ns -> cpu.put(pid, ns));
        }
        return cpu;
    }

    /**
     * CPU % of one core each role spent between two snapshots, and {@link #ALL}.
     *
     * @param wallNanos the wall time between them
     */
    Map<String, Double> percentOfCore(Map<Long, Long> before, Map<Long, Long> after, long wallNanos) {
        return percentOfCore(used(before, after), wallNanos);
    }

    /** CPU nanoseconds each process used between two snapshots ({@link #cpuNanos}); those in only one are left out. */
    static Map<Long, Long> used(Map<Long, Long> before, Map<Long, Long> after) {
        Map<Long, Long> used = new HashMap<>();
        after.forEach((pid, a) -> {
            Long b = before.get(pid);
            if (b != null) used.put(pid, a - b);
        });
        return used;
    }

    /** The same, from each process's CPU nanoseconds used over {@code wallNanos} (summed over several windows). */
    Map<String, Double> percentOfCore(Map<Long, Long> used, long wallNanos) {
        Map<String, Double> out = new LinkedHashMap<>();
        double all = 0;
        for (Map.Entry<Long, String> e : roles.entrySet()) {
            Long u = used.get(e.getKey());
            if (u == null) continue;
            double pct = 100.0 * u / wallNanos;
            out.put(e.getValue(), pct);
            all += pct;
        }
        out.put(ALL, all);
        return out;
    }

    /** What a process other than a rank is: its command, and for a JVM its main class. */
    private static String describe(ProcessHandle h) {
        String name = commandName(h);
        if (!name.equals("java")) return name;
        String[] args = h.info().arguments().orElse(new String[0]);
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("-cp") || args[i].equals("-classpath") || args[i].equals("--class-path")) {
                i++;
            } else if (CLASS_NAME.matcher(args[i]).matches()) {
                return "java " + args[i].substring(args[i].lastIndexOf('.') + 1);
            }
        }
        return "java";
    }

    private static String commandName(ProcessHandle h) {
        String cmd = h.info().command().orElse("?");
        return cmd.substring(cmd.lastIndexOf('/') + 1);
    }

    /** A command line without its class paths, at most 160 characters. */
    private static String shorten(String commandLine) {
        String s = commandLine.replaceAll("(-cp|-classpath|--class-path) \\S+", "$1 …");
        return s.length() <= 160 ? s : s.substring(0, 157) + "...";
    }

    /** {@code Cpus_allowed_list} of {@code /proc/PID/status}, or "?" where there is none. */
    private static String cpusAllowed(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("Cpus_allowed_list:")) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process has ended
        }
        return "?";
    }
}
