package io.paravm.launcher;

import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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

    Optional<Duration> timeout() {
        return Optional.ofNullable(timeoutSeconds).map(Duration::ofSeconds);
    }
}
