package io.paravm.examples.launcher;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One program to run as a ParaVM job, and how: every rank runs {@code mainClass}; rank 0
 * is the spawner.
 *
 * @param engine     the engine to run on
 * @param ranks      the number of ranks (JVMs, or threads on MPJ's multicore device), spawner included
 * @param hosts      hosts to place ranks on (Open MPI only); empty for this machine
 * @param device     MPJ's device: {@code multicore} or {@code niodev} (MPJ only)
 * @param classPath  the program's class path; the engine's own is added after it
 * @param mainClass  the class whose {@code main} every rank runs
 * @param args       the program's arguments
 * @param jvmOptions options for every rank's JVM, e.g. {@code -Xmx2g}
 * @param timeout    how long the job may run before it is ended; empty for no limit
 */
public record Job(Engine engine, int ranks, List<String> hosts, String device, String classPath, String mainClass,
                  List<String> args, List<String> jvmOptions, Optional<Duration> timeout) {

    /** MPJ Express's devices, as {@code --device} takes them. */
    public static final List<String> MPJ_DEVICES = List.of("multicore", "niodev");

    /** Validates, naming what is wrong and what to do. */
    public Job {
        if (ranks < 1) throw new LaunchException("-np " + ranks + " must be at least 1 (the spawner)");
        hosts = List.copyOf(hosts);
        args = List.copyOf(args);
        jvmOptions = List.copyOf(jvmOptions);
        if (!hosts.isEmpty() && engine != Engine.OPENMPI) {
            throw new LaunchException("--hosts works with --transport openmpi (it becomes mpirun --host). With hazelcast, "
                    + "start workers on the other machines with HazelcastLauncher --join (see the README); MPJ's launcher "
                    + "runs on this machine only");
        }
        if (device != null && engine != Engine.MPJ) {
            throw new LaunchException("--device " + device + " is MPJ Express's; use it with --transport mpj");
        }
        if (engine == Engine.MPJ) {
            device = device == null ? MPJ_DEVICES.get(0) : device.toLowerCase(Locale.ROOT);
            if (!MPJ_DEVICES.contains(device)) {
                throw new LaunchException("--device " + device + " is not one of MPJ Express's devices; use "
                        + String.join(" or ", MPJ_DEVICES));
            }
        }
        if (classPath == null || classPath.isBlank()) throw new LaunchException("no class path given; use -cp CLASSPATH");
        if (mainClass == null || mainClass.isBlank()) throw new LaunchException("no main class given");
        timeout.ifPresent(t -> {
            if (t.isNegative() || t.isZero()) throw new LaunchException("--timeout " + t.toSeconds() + " must be positive");
        });
    }

    /**
     * Checks that every class path entry exists (relative ones against {@code workDir}), so a
     * typo fails here rather than as N copies of "could not find main class".
     *
     * @param workDir the directory the job runs in
     */
    public void checkClassPath(Path workDir) {
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.isEmpty()) continue;
            String dir = entry.equals("*") ? "." : entry.endsWith(File.separator + "*")
                    ? entry.substring(0, entry.length() - 2) : null;
            Path p = workDir.resolve(dir != null ? dir : entry);
            if (dir != null ? !Files.isDirectory(p) : !Files.exists(p)) {
                throw new LaunchException("class path entry " + entry + " does not exist (looked for " + p.normalize()
                        + "); -cp takes directories, jars and dir/* separated by " + File.pathSeparator);
            }
        }
    }

    /**
     * The command that starts this job, with the environment it needs.
     *
     * @param installation where the engines' class paths are
     * @param java         the {@code java} executable every JVM is started with
     * @return the process to start
     */
    public ProcessBuilder command(Installation installation, Path java) {
        String engineCp = installation.classPath(engine);
        String rankCp = classPath + File.pathSeparator + engineCp;
        // The engine's own launcher runs with the engine's class path; the launcher's classes
        // come too, for their simplelogger.properties.
        String launcherCp = installation.classes() + File.pathSeparator + engineCp;
        List<String> cmd = new ArrayList<>();
        ProcessBuilder pb = new ProcessBuilder(cmd);
        switch (engine) {
            case OPENMPI -> {
                Path libDir = HostSetup.openMpiLibDir().orElseThrow(() -> new LaunchException(
                        "libmpi_java.so was not found; run scripts/install-openmpi-java.sh or set -D"
                                + HostSetup.OPENMPI_LIBDIR_PROP_NAME + "=DIR"));
                cmd.addAll(List.of("mpirun", "--oversubscribe", "-np", Integer.toString(ranks)));
                if (!hosts.isEmpty()) cmd.addAll(List.of("--host", String.join(",", hosts)));
                // -cp first: mpirun rewrites a java command line (it adds its own library path and jar).
                cmd.addAll(List.of(java.toString(), "-cp", rankCp, "-Djava.library.path=" + libDir));
                cmd.addAll(jvmOptions);
                Map<String, String> env = pb.environment();
                if (HostSetup.isRoot()) {
                    env.putIfAbsent("OMPI_ALLOW_RUN_AS_ROOT", "1");
                    env.putIfAbsent("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
                }
                // Without ssh, mpirun's default launcher fails even for local ranks.
                if (hosts.isEmpty() && HostSetup.onPath("ssh").isEmpty()) env.putIfAbsent("OMPI_MCA_plm", "isolated");
                // Containers usually forbid the cross-memory attach the shared-memory transport tries first.
                env.putIfAbsent("OMPI_MCA_btl_vader_single_copy_mechanism", "none");
            }
            case MPJ -> {
                cmd.addAll(List.of(java.toString(), "-cp", launcherCp, "io.paravm.transport.mpj.MpjLauncher",
                        "-np", Integer.toString(ranks), "-dev", device));
                jvmOptions.forEach(o -> cmd.add("-J" + o));
                cmd.addAll(List.of("-cp", rankCp));
            }
            case HAZELCAST -> {
                cmd.addAll(List.of(java.toString(), "-cp", launcherCp, "io.paravm.transport.hazelcast.HazelcastLauncher",
                        "-np", Integer.toString(ranks)));
                jvmOptions.forEach(o -> cmd.add("-J" + o));
                cmd.addAll(List.of("-cp", rankCp));
            }
            default -> throw new IllegalStateException("no launch command for " + engine);
        }
        cmd.add(mainClass);
        cmd.addAll(args);
        return pb;
    }
}
