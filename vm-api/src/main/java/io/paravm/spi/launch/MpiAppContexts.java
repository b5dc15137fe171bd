package io.paravm.spi.launch;

import java.util.ArrayList;
import java.util.List;

/**
 * The ranks of an {@code mpirun} (Open MPI) or {@code mpiexec} (MPICH's hydra) command line:
 * {@code -np N COMMAND}, or, when the spawner's JVM takes options of its own, the MPMD form
 * {@code -np 1 COMMAND+SPAWNER_OPTIONS : -np N-1 COMMAND}, whose first context is rank 0.
 *
 * <pre>{@code
 * cmd.addAll(MpiAppContexts.of(4, List.of(), List.of("java", "-Xmx1g", "app.Main"), 2, List.of("-XX:TieredStopAtLevel=1")));
 * // -np 1 java -Xmx1g -XX:TieredStopAtLevel=1 app.Main : -np 3 java -Xmx1g app.Main
 * }</pre>
 */
public final class MpiAppContexts {

    private MpiAppContexts() {
    }

    /**
     * @param ranks          the ranks, spawner included
     * @param contextOptions options each context takes after its {@code -np} (Open MPI's {@code --host}
     *                       binds to one context only), maybe none
     * @param rankCommand    every rank's command, from its {@code java} to its last argument
     * @param optionsAt      where in {@code rankCommand} the spawner's options go (before the main class)
     * @param spawnerOptions the spawner's own JVM options, maybe none
     * @return the arguments that follow {@code mpirun}'s global options
     */
    public static List<String> of(int ranks, List<String> contextOptions, List<String> rankCommand, int optionsAt,
                                  List<String> spawnerOptions) {
        List<String> spawner = new ArrayList<>(rankCommand);
        spawner.addAll(optionsAt, spawnerOptions);
        List<String> args = new ArrayList<>();
        if (spawnerOptions.isEmpty() || ranks == 1) {
            args.addAll(List.of("-np", Integer.toString(ranks)));
            args.addAll(contextOptions);
            args.addAll(spawner);
            return args;
        }
        args.addAll(List.of("-np", "1"));
        args.addAll(contextOptions);
        args.addAll(spawner);
        args.addAll(List.of(":", "-np", Integer.toString(ranks - 1)));
        args.addAll(contextOptions);
        args.addAll(rankCommand);
        return args;
    }
}
