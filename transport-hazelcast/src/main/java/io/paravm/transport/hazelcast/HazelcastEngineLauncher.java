package io.paravm.transport.hazelcast;

import io.paravm.spi.launch.EngineCheck;
import io.paravm.spi.launch.EngineLauncher;
import io.paravm.spi.launch.LaunchException;
import io.paravm.spi.launch.LaunchOption;
import io.paravm.spi.launch.LaunchRequest;

import java.util.ArrayList;
import java.util.List;

/**
 * Hazelcast's launch recipe: the command that starts a job of N member JVMs.
 *
 * <p>A job is started by {@link HazelcastLauncher} in a JVM of its own, on the engine's class
 * path; it starts the member JVMs on the rank class path. Nothing to install: the members are
 * embedded, and run on loopback unless {@code --interface} names another address. Loads none
 * of Hazelcast's classes.
 *
 * <pre>{@code
 * // paravm run -t hazelcast --interface 10.0.0.5 --secret-file ~/.paravm-secret -np 4 -cp app.jar com.example.Main
 * ProcessBuilder job = new HazelcastEngineLauncher().command(new LaunchRequest(4, "app.jar", engineCp,
 *         "com.example.Main", List.of(), List.of(), Map.of("--interface", "10.0.0.5"), java));
 * }</pre>
 */
public final class HazelcastEngineLauncher implements EngineLauncher {

    /** The launcher's class, by name: the recipe does not load it. */
    static final String LAUNCHER_CLASS = "io.paravm.transport.hazelcast.HazelcastLauncher";
    /** A class of Hazelcast's jar, looked for as a resource (not loaded) to see the engine is there. */
    static final String ENGINE_CLASS_FILE = "com/hazelcast/core/Hazelcast.class";

    static final LaunchOption INTERFACE = new LaunchOption("--interface", "IP",
            "the address members bind to and announce (default 127.0.0.1); name this machine's to let "
                    + "workers on other machines join.");
    static final LaunchOption SECRET_FILE = new LaunchOption("--secret-file", "FILE",
            "the job's secret, read from FILE, or written there (readable only by you) if it does not "
                    + "exist; joining workers need a copy.");
    static final LaunchOption PORT = new LaunchOption("--port", "PORT",
            "the spawner's port (default: a free one).");
    static final LaunchOption JOIN = new LaunchOption("--join", "HOST:PORT",
            "start -np workers that join the spawner at HOST:PORT instead of a job; needs --cluster and "
                    + "--secret-file.");
    static final LaunchOption CLUSTER = new LaunchOption("--cluster", "NAME",
            "the cluster name (default: a unique one per job); with --join, the spawner's (its log "
                    + "prints it).");

    private static final List<LaunchOption> OPTIONS = List.of(INTERFACE, SECRET_FILE, PORT, JOIN, CLUSTER);

    @Override
    public String name() {
        return "hazelcast";
    }

    @Override
    public int priority() {
        return HazelcastTransportProvider.PRIORITY;
    }

    @Override
    public String summary() {
        return "Hazelcast: embedded members, one JVM per rank, started by HazelcastLauncher; hosts may join and leave";
    }

    @Override
    public EngineCheck check() {
        if (HazelcastEngineLauncher.class.getClassLoader().getResource(ENGINE_CLASS_FILE) == null) {
            return EngineCheck.missing("Hazelcast's jar (com.hazelcast:hazelcast) is not on the engine's class path; "
                    + "depend on io.paravm:transport-hazelcast, which brings it");
        }
        return EngineCheck.installed("embedded members, one JVM per rank, on loopback (nothing to install)");
    }

    /** Hazelcast comes in its jar: nothing to install, so {@code paravm demo} runs here by default. */
    @Override
    public boolean embedded() {
        return true;
    }

    @Override
    public List<LaunchOption> options() {
        return OPTIONS;
    }

    /** The spawner's JVM is started apart: its options go to it alone. */
    @Override
    public boolean startsSpawnerApart() {
        return true;
    }

    /**
     * {@inheritDoc}
     *
     * <p>{@code java -cp ENGINE_CP HazelcastLauncher -np N [options] -J<jvm option>... -S<spawner's jvm option>...
     * -cp RANK_CP MAIN ARGS...}
     */
    @Override
    public ProcessBuilder command(LaunchRequest request) {
        List<String> cmd = new ArrayList<>(List.of(request.java().toString(), "-cp", request.engineClassPath(),
                LAUNCHER_CLASS, "-np", Integer.toString(request.ranks())));
        if (request.option(JOIN.name()).isPresent() && request.option(CLUSTER.name()).isEmpty()) {
            throw new LaunchException(JOIN.name() + " needs " + CLUSTER.name() + " NAME, the spawner's cluster name "
                    + "(the spawner's log prints it)");
        }
        request.option(PORT.name()).ifPresent(HazelcastEngineLauncher::checkPort);
        for (LaunchOption o : OPTIONS) {
            request.option(o.name()).ifPresent(value -> cmd.addAll(List.of(o.name(), value)));
        }
        for (String option : request.jvmOptions()) cmd.add("-J" + option);
        for (String option : request.spawnerJvmOptions()) cmd.add("-S" + option);
        cmd.addAll(List.of("-cp", request.rankClassPath(), request.mainClass()));
        cmd.addAll(request.args());
        return new ProcessBuilder(cmd);
    }

    private static void checkPort(String value) {
        try {
            int port = Integer.parseInt(value);
            if (port >= 1 && port <= 65_535) return;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new LaunchException(PORT.name() + " " + value + " is not a TCP port in [1, 65535]; leave it out for a "
                + "free one");
    }
}
