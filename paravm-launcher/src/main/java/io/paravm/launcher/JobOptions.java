package io.paravm.launcher;

import picocli.CommandLine.IParameterPreprocessor;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Stack;

/** The options {@code paravm run} and {@code paravm demo} share, whatever the engine: how many ranks, which engine, the JVMs' options, a time limit. */
final class JobOptions {

    /** The ranks when {@code -np} is not given: the spawner and a worker per processor. */
    static final int DEFAULT_RANKS = Runtime.getRuntime().availableProcessors() + 1;

    @Option(names = {"-np", "--np"}, paramLabel = "N",
            description = "Ranks in all: the spawner and N-1 workers (default: the processors + 1, here ${DEFAULT-VALUE}).")
    int ranks = DEFAULT_RANKS;

    @Option(names = {"-t", "--transport"}, paramLabel = "ENGINE",
            description = "The engine (paravm info lists them). Default for run: the best installed one; for demo: "
                    + "the one that needs nothing installed.")
    String transport;

    @Option(names = {"-J", "--jvm-option"}, paramLabel = "OPTION",
            description = "An option for every rank's JVM, e.g. -J-Xmx2g; repeat for more.")
    List<String> jvmOptions = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "SECONDS",
            description = "End the job after this many seconds (exit status 124). Default: no limit.")
    Long timeoutSeconds;

    @Option(names = "--dashboard", arity = "0..1", fallbackValue = "0", paramLabel = "PORT", preprocessor = OptionalPort.class,
            description = "Serve the live dashboard from the spawner, on loopback, port PORT (--dashboard=PORT; "
                    + "without PORT any free one). Its address, with the job's access token, is in the spawner's log.")
    Integer dashboardPort;

    @Option(names = "--dashboard-bind", paramLabel = "ADDRESS",
            description = "With --dashboard: listen on ADDRESS instead of loopback (0.0.0.0: every interface). Anyone who "
                    + "reaches it still needs the token, but the traffic is not encrypted; an SSH tunnel is safer "
                    + "(docs/dashboard.md).")
    String dashboardBind;

    /** The options of every rank's JVM: -J's, then the dashboard's settings (only the spawner acts on them). */
    List<String> jvmOptions() {
        List<String> all = new ArrayList<>(jvmOptions);
        if (dashboardPort != null) {
            if (dashboardPort < 0 || dashboardPort > 65535) {
                throw new io.paravm.spi.launch.LaunchException("--dashboard=" + dashboardPort + " is not a TCP port; use "
                        + "1 to 65535, or --dashboard alone for any free port");
            }
            all.add("-D" + io.paravm.VmConfig.DASHBOARD_PORT_PROP_NAME + "=" + dashboardPort);
            if (dashboardBind != null) all.add("-Dparavm.dashboard.bind=" + dashboardBind);
        } else if (dashboardBind != null) {
            throw new io.paravm.spi.launch.LaunchException("--dashboard-bind needs --dashboard");
        }
        return all;
    }

    /**
     * {@code --dashboard} takes a port only as {@code --dashboard=PORT} or when a number follows: in
     * {@code paravm demo mandelbrot --dashboard --width 300} the next word is the demo's option.
     */
    static final class OptionalPort implements IParameterPreprocessor {
        @Override
        public boolean preprocess(Stack<String> args, CommandSpec spec, ArgSpec option, Map<String, Object> info) {
            if ("=".equals(info.get("separator"))) return false;             // --dashboard=PORT
            if (!args.isEmpty() && args.peek().matches("\\d+")) return false; // --dashboard PORT
            option.setValue(0);                                              // --dashboard alone: any free port
            return true;
        }
    }

    Optional<Duration> timeout() {
        return Optional.ofNullable(timeoutSeconds).map(Duration::ofSeconds);
    }
}
