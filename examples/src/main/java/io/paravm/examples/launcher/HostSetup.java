package io.paravm.examples.launcher;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What the engines need from this machine outside the JVM: programs on {@code PATH},
 * Open MPI's {@code libmpi_java}, MPJ Express's home.
 */
final class HostSetup {

    /** System property (or environment variable {@code PARAVM_OPENMPI_LIBDIR}) naming the directory of {@code libmpi_java.so}. */
    static final String OPENMPI_LIBDIR_PROP_NAME = "paravm.openmpi.libdir";

    /** Where Linux distributions put {@code libmpi_java.so}; Debian's first (what scripts/install-openmpi-java.sh uses). */
    private static final List<String> OPENMPI_LIBDIRS = List.of("/usr/lib/x86_64-linux-gnu/openmpi/lib",
            "/usr/lib/aarch64-linux-gnu/openmpi/lib", "/usr/lib64/openmpi/lib", "/usr/lib/openmpi/lib",
            "/usr/local/lib", "/opt/openmpi/lib");

    /** MPJ Express's home when neither {@code MPJ_HOME} nor {@code -Dparavm.mpj.home} is set (as the MPJ transport's). */
    private static final Path MPJ_HOME_DEFAULT = Path.of(System.getProperty("user.home"), ".cache", "paravm", "mpj-home");

    private HostSetup() {
    }

    /**
     * @param program a program name, e.g. {@code mpirun}
     * @return its path, if it is on {@code PATH}
     */
    static Optional<Path> onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) return Optional.empty();
        return Stream.of(path.split(File.pathSeparator)).filter(d -> !d.isEmpty())
                .map(d -> Path.of(d, program)).filter(Files::isExecutable).findFirst();
    }

    /** Returns the directory holding {@code libmpi_java.so}, if one is found. */
    static Optional<Path> openMpiLibDir() {
        String named = System.getProperty(OPENMPI_LIBDIR_PROP_NAME, System.getenv("PARAVM_OPENMPI_LIBDIR"));
        if (named != null && !named.isBlank()) return Optional.of(Path.of(named));
        return OPENMPI_LIBDIRS.stream().map(Path::of).filter(d -> Files.exists(d.resolve("libmpi_java.so"))).findFirst();
    }

    /** Returns MPJ Express's home: {@code MPJ_HOME}, else {@code -Dparavm.mpj.home}, else {@code ~/.cache/paravm/mpj-home}. */
    static Path mpjHome() {
        String env = System.getenv("MPJ_HOME");
        if (env != null && !env.isBlank()) return Path.of(env);
        String prop = System.getProperty("paravm.mpj.home");
        return prop != null && !prop.isBlank() ? Path.of(prop) : MPJ_HOME_DEFAULT;
    }

    /** Returns whether this process runs as root (Open MPI then needs to be told it may). */
    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
