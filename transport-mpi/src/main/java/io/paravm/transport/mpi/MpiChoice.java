package io.paravm.transport.mpi;

import io.paravm.VmException;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Which MPI implementation a rank talks to and which library it loads, from the environment
 * its {@code mpirun} gave it and the settings ({@link MpiProperties}).
 *
 * <pre>{@code
 * MpiChoice c = MpiChoice.of(name -> Optional.ofNullable(System.getProperty(name)), System.getenv());
 * log.info("{} from {}", c.abi().displayName(), c.library());
 * }</pre>
 *
 * @param abi     the implementation
 * @param library the library to load: a file or a soname
 */
public record MpiChoice(MpiAbi abi, String library) {

    /**
     * Chooses.
     *
     * @param settings the settings, by name
     * @param env      the process's environment
     * @return the choice
     * @throws VmException when no {@code mpirun} started this process, or the setting names an
     *                     implementation that did not start it or is unknown; the message says what to do
     */
    public static MpiChoice of(Function<String, Optional<String>> settings, Map<String, String> env) {
        Optional<MpiAbi> startedBy = MpiAbi.startedBy(env);
        Optional<String> named = settings.apply(MpiProperties.IMPLEMENTATION_PROP_NAME).filter(s -> !s.isBlank());
        if (startedBy.isEmpty()) {
            throw new VmException("this process was not started by an MPI launcher (" + launcherVariables()
                    + "); start the job with paravm run -t mpi, or by hand: mpirun.openmpi (or mpirun.mpich) -np N "
                    + "java --enable-native-access=ALL-UNNAMED -cp CLASSPATH MAIN");
        }
        MpiAbi abi = startedBy.get();
        if (named.isPresent()) {
            MpiAbi wanted = MpiAbi.named(named.get()).orElseThrow(() -> new VmException(
                    MpiProperties.IMPLEMENTATION_PROP_NAME + "=" + named.get() + " is not an MPI implementation this "
                            + "transport knows; use one of " + MpiAbi.KNOWN.stream().map(MpiAbi::name)
                            .collect(Collectors.joining(", ")) + ", or leave it out"));
            if (wanted != abi) {
                throw new VmException(MpiProperties.IMPLEMENTATION_PROP_NAME + "=" + wanted.name() + " but this rank was "
                        + "started by " + abi.displayName() + "'s mpirun (" + abi.launcherVariable() + " is set): with "
                        + wanted.displayName() + "'s library every rank would start alone and call itself the spawner; "
                        + "start the job with " + wanted.mpirun() + ", or leave the setting out");
            }
        }
        String library = settings.apply(MpiProperties.LIBRARY_PROP_NAME)
                .or(() -> Optional.ofNullable(env.get(MpiProperties.LIBRARY_ENV_NAME)))
                .filter(s -> !s.isBlank()).orElse(abi.soname());
        return new MpiChoice(abi, library);
    }

    private static String launcherVariables() {
        return MpiAbi.KNOWN.stream().map(a -> a.launcherVariable() + " for " + a.displayName())
                .collect(Collectors.joining(", ")) + ": none is set";
    }
}
