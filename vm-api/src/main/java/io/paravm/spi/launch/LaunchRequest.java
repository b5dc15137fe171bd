package io.paravm.spi.launch;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One job to start: N ranks each running {@code mainClass}, rank 0 the spawner.
 *
 * <pre>{@code
 * LaunchRequest job = new LaunchRequest(4, "app.jar", "/opt/paravm/engines/mpj/*", "com.example.Main",
 *         List.of("arg1"), List.of("-Xmx1g"), Map.of("--device", "niodev"), Path.of("/usr/bin/java"));
 * ProcessBuilder command = recipe.command(job);
 * }</pre>
 *
 * @param ranks           the number of ranks, spawner included; at least 1
 * @param classPath       the program's class path
 * @param engineClassPath the engine's run-time class path (its transport and libraries), put after the program's
 * @param mainClass       the class whose {@code main} every rank runs
 * @param args            the program's arguments
 * @param jvmOptions      options for every rank's JVM, e.g. {@code -Xmx2g}
 * @param options         the values of the engine's own {@link LaunchOption}s that were given, by option name
 * @param java            the {@code java} executable to start JVMs with
 * @param spawnerJvmOptions options for the spawner's JVM (rank 0) only, after {@code jvmOptions}; the
 *                        launcher gives some only to a job on this machine, and only to a recipe
 *                        that {@linkplain EngineLauncher#startsSpawnerApart() starts the spawner apart}
 */
public record LaunchRequest(int ranks, String classPath, String engineClassPath, String mainClass, List<String> args,
                            List<String> jvmOptions, Map<String, String> options, Path java,
                            List<String> spawnerJvmOptions) {

    /** Validates and copies, naming what is wrong. */
    public LaunchRequest {
        if (ranks < 1) throw new LaunchException("-np " + ranks + " must be at least 1 (the spawner)");
        Objects.requireNonNull(classPath, "classPath");
        Objects.requireNonNull(engineClassPath, "engineClassPath");
        if (mainClass == null || mainClass.isBlank()) throw new LaunchException("no main class given");
        args = List.copyOf(args);
        jvmOptions = List.copyOf(jvmOptions);
        options = Map.copyOf(options);
        Objects.requireNonNull(java, "java");
        spawnerJvmOptions = List.copyOf(spawnerJvmOptions);
    }

    /** A request whose ranks all start with the same JVM options. */
    public LaunchRequest(int ranks, String classPath, String engineClassPath, String mainClass, List<String> args,
                         List<String> jvmOptions, Map<String, String> options, Path java) {
        this(ranks, classPath, engineClassPath, mainClass, args, jvmOptions, options, java, List.of());
    }

    /** Returns the class path of a rank: the program's, then the engine's. */
    public String rankClassPath() {
        return classPath.isEmpty() ? engineClassPath : classPath + File.pathSeparator + engineClassPath;
    }

    /**
     * @param name an option of the engine, e.g. {@code --device}
     * @return its value, if it was given
     */
    public Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name));
    }
}
