package io.paravm.spi.launch;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds programs the way a shell does, for recipes that check their engine's programs.
 *
 * <pre>{@code
 * Optional<Path> mpirun = Executables.onPath("mpirun.openmpi");
 * }</pre>
 */
public final class Executables {

    private Executables() {
    }

    /**
     * @param program a program name, e.g. {@code mpirun}
     * @return its path, if an executable of that name is in a directory of {@code PATH}
     */
    public static Optional<Path> onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) return Optional.empty();
        return Stream.of(path.split(File.pathSeparator)).filter(d -> !d.isEmpty())
                .map(d -> Path.of(d, program)).filter(Files::isExecutable).findFirst();
    }
}
