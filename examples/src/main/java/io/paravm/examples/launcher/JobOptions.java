package io.paravm.examples.launcher;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The options {@code paravm run} and {@code paravm demo} share: where and how the job runs. */
final class JobOptions {

    /** The ranks when {@code -np} is not given: the spawner and a worker per processor. */
    static final int DEFAULT_RANKS = Runtime.getRuntime().availableProcessors() + 1;

    @Option(names = {"-np", "--np"}, paramLabel = "N",
            description = "Ranks in all: the spawner and N-1 workers (default: the processors + 1, here ${DEFAULT-VALUE}).")
    int ranks = DEFAULT_RANKS;

    @Option(names = {"-t", "--transport"}, paramLabel = "ENGINE", converter = EngineConverter.class,
            completionCandidates = EngineNames.class,
            description = "The engine: ${COMPLETION-CANDIDATES}. Default for run: the best installed one "
                    + "(paravm info lists them); for demo: hazelcast, which needs nothing installed.")
    Engine transport;

    @Option(names = "--device", paramLabel = "DEVICE",
            description = "MPJ Express's device: multicore (ranks are threads of one JVM; the default) or niodev "
                    + "(a JVM per rank over TCP).")
    String device;

    @Option(names = "--hosts", paramLabel = "HOST", split = ",",
            description = "Open MPI only: the hosts to run ranks on (mpirun --host), e.g. node1:4,node2:4.")
    List<String> hosts = new ArrayList<>();

    @Option(names = {"-J", "--jvm-option"}, paramLabel = "OPTION",
            description = "An option for every rank's JVM, e.g. -J-Xmx2g; repeat for more.")
    List<String> jvmOptions = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "SECONDS",
            description = "End the job after this many seconds (exit status 124). Default: no limit.")
    Long timeoutSeconds;

    Optional<Duration> timeout() {
        return Optional.ofNullable(timeoutSeconds).map(Duration::ofSeconds);
    }

    /** Takes {@code openmpi}, {@code mpj} or {@code hazelcast} in any case. */
    static final class EngineConverter implements ITypeConverter<Engine> {
        @Override
        public Engine convert(String value) {
            try {
                return Engine.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** The engine names, for help and shell completion. */
    static final class EngineNames extends ArrayList<String> {
        private static final long serialVersionUID = 1L;

        EngineNames() {
            for (Engine e : Engine.values()) add(e.id());
        }
    }
}
