package io.paravm.benchmarks.backend;

import io.paravm.spi.launch.SpawnerJit;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Every backend the benchmarks know. Adding an engine = one {@link Backend} class, one line
 * here, and in {@code benchmarks/pom.xml} its transport dependency and its job class path
 * {@code target/lib-<transport>/}.
 */
public final class Backends {

    /** All known backends, in report order. */
    public static final List<Backend> ALL = List.of(
            new OpenMpiBackend(),
            new MpiBackend("openmpi"),
            new MpiBackend("mpich"),
            new MpjBackend("multicore"),
            new MpjBackend("niodev"),
            new HazelcastBackend());

    private Backends() {
    }

    /**
     * The backend of that name.
     *
     * @param name as {@link Backend#name()} returns it, e.g. {@code mpj-niodev}
     * @throws IllegalArgumentException naming the known backends, if there is none
     */
    public static Backend named(String name) {
        for (Backend b : ALL) if (b.name().equals(name)) return b;
        throw new IllegalArgumentException("no benchmark backend named '" + name + "'; known: "
                + ALL.stream().map(Backend::name).collect(Collectors.joining(", "))
                + ". Add a Backend class to io.paravm.benchmarks.backend.Backends.ALL");
    }

    /** The position of {@code name} in {@link #ALL} (report order), or {@code ALL.size()} if unknown. */
    public static int order(String name) {
        for (int i = 0; i < ALL.size(); i++) if (ALL.get(i).name().equals(name)) return i;
        return ALL.size();
    }

    /**
     * The spawner's own JVM options in a job of {@code ranks} ranks on this machine: those
     * {@code paravm run} gives it ({@link SpawnerJit}: C1 only while ranks outnumber the cores;
     * {@code PARAVM_SPAWNER_JIT=full} in the orchestrator's environment turns it off), so each
     * figure is the one a user's job gets. Every benchmark job is local.
     *
     * @param backend     the job's backend
     * @param ranks       its ranks, the spawner included
     * @param rankJvmArgs every rank's JVM options
     */
    public static List<String> spawnerJvmArgs(Backend backend, int ranks, List<String> rankJvmArgs) {
        return SpawnerJit.options(System.getenv(), ranks, Runtime.getRuntime().availableProcessors(), false,
                rankJvmArgs, backend.startsSpawnerApart());
    }

    /**
     * The command line of a ParaVM launcher (MpjLauncher, HazelcastLauncher), which starts the
     * ranks itself: {@code java -cp CP [props] LAUNCHER [options] -J<rank JVM option>... -cp CP MAIN [args]};
     * the launcher's options carry the spawner's own ({@code -S<option>}) where it takes them.
     *
     * @param classPath      the launcher's class path, and the ranks'
     * @param launcherProps  system properties of the launcher's JVM ({@code -Dname=value})
     * @param launcher       the launcher's main class
     * @param launcherArgs   its own options, e.g. {@code -np 2}
     * @param rankJvmArgs    JVM options of every rank
     * @param mainClass      the class every rank runs
     * @param args           its arguments
     */
    static List<String> launcherCommand(String classPath, List<String> launcherProps, String launcher,
                                        List<String> launcherArgs, List<String> rankJvmArgs, String mainClass,
                                        List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("java", "-cp", classPath));
        cmd.addAll(launcherProps);
        cmd.add(launcher);
        cmd.addAll(launcherArgs);
        for (String a : rankJvmArgs) cmd.add("-J" + a);
        cmd.addAll(List.of("-cp", classPath, mainClass));
        cmd.addAll(args);
        return cmd;
    }
}
