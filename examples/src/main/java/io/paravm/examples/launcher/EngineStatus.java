package io.paravm.examples.launcher;

import io.paravm.spi.TransportProvider;

import java.io.IOException;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * What {@code paravm} found out about one engine on this machine. "Installed" means
 * {@code paravm run} can start a job on it here; whether the transport can open a VM in
 * <em>this</em> JVM is another matter (Open MPI and MPJ need the JVM to be started by their
 * launcher), which {@link #inThisJvm()} tells.
 *
 * @param engine    the engine
 * @param installed whether {@code paravm run} can start a job on it here
 * @param detail    if installed, what it runs with; otherwise what is missing and what to do
 * @param priority  its provider's rank in automatic selection (higher wins); 0 if not installed
 * @param inThisJvm its provider's {@code unavailabilityCause()} in a JVM not started by a
 *                  launcher (such as this one); empty if it can be used anywhere
 */
public record EngineStatus(Engine engine, boolean installed, String detail, int priority, Optional<String> inThisJvm) {

    /**
     * Looks at every engine, best first (installed ones by their provider's priority, then the rest).
     *
     * @param installation where the engines' class paths are
     * @return one status per engine
     */
    public static List<EngineStatus> probeAll(Installation installation) {
        return Stream.of(Engine.values()).map(e -> probe(installation, e))
                .sorted(Comparator.comparing(EngineStatus::installed).thenComparingInt(EngineStatus::priority).reversed())
                .toList();
    }

    /**
     * Looks at one engine: its class path, its transport provider (loaded from
     * {@code lib-<engine>/} in a class loader of its own) and what its launcher needs.
     *
     * @param installation where the engines' class paths are
     * @param engine       the engine
     * @return its status
     */
    public static EngineStatus probe(Installation installation, Engine engine) {
        if (installation.jars(engine).isEmpty()) {
            return missing(engine, installation.libDir(engine) + " was not built: " + switch (engine) {
                case OPENMPI -> "Open MPI's mpi.jar is not in ~/.m2. Run scripts/install-openmpi-java.sh, then ./paravm "
                        + "again (it rebuilds when the jar appears)";
                case MPJ -> "MPJ Express's jars are not in ~/.m2. Run scripts/install-mpj.sh, then ./paravm again "
                        + "(it rebuilds when the jars appear)";
                case HAZELCAST -> "run ./paravm again, which builds it (mvn -DskipTests package -pl examples -am)";
            });
        }
        TransportProvider provider;
        int priority;
        Optional<String> cause;
        try (URLClassLoader loader = installation.classLoader(engine)) {
            provider = ServiceLoader.load(TransportProvider.class, loader).stream().map(ServiceLoader.Provider::get)
                    .filter(p -> p.name().equals(engine.id())).findFirst().orElse(null);
            if (provider == null) {
                return missing(engine, installation.libDir(engine) + " has no transport named " + engine.id()
                        + " (a stale build?); delete examples/target and run ./paravm again");
            }
            priority = provider.priority();
            cause = provider.unavailabilityCause();
        } catch (ServiceConfigurationError | LinkageError | IOException e) {
            return missing(engine, "the transport in " + installation.libDir(engine) + " does not load (" + e
                    + "); delete examples/target and run ./paravm again");
        }
        return switch (engine) {
            case OPENMPI -> openMpi(priority, cause);
            case MPJ -> mpj(priority, cause);
            case HAZELCAST -> cause.isPresent() ? missing(engine, cause.get())
                    : new EngineStatus(engine, true, "embedded members, one JVM per rank, on loopback", priority, cause);
        };
    }

    private static EngineStatus openMpi(int priority, Optional<String> cause) {
        Optional<Path> mpirun = HostSetup.onPath("mpirun");
        if (mpirun.isEmpty()) {
            return missing(Engine.OPENMPI, "mpirun is not on PATH; install Open MPI (scripts/install-openmpi-java.sh "
                    + "installs Debian's)");
        }
        Optional<Path> libDir = HostSetup.openMpiLibDir();
        if (libDir.isEmpty() || !Files.exists(libDir.get().resolve("libmpi_java.so"))) {
            return missing(Engine.OPENMPI, "libmpi_java.so (Open MPI's Java bindings) was not found"
                    + libDir.map(d -> " in " + d).orElse("") + "; run scripts/install-openmpi-java.sh, or name its "
                    + "directory with -D" + HostSetup.OPENMPI_LIBDIR_PROP_NAME + "=DIR or PARAVM_OPENMPI_LIBDIR");
        }
        return new EngineStatus(Engine.OPENMPI, true, "mpirun " + mpirun.get() + ", libmpi_java in " + libDir.get(),
                priority, cause);
    }

    private static EngineStatus mpj(int priority, Optional<String> cause) {
        Path home = HostSetup.mpjHome();
        if (!Files.isRegularFile(home.resolve("lib").resolve("mpj.jar"))
                || !Files.isRegularFile(home.resolve("conf").resolve("mpjexpress.conf"))) {
            return missing(Engine.MPJ, "MPJ_HOME " + home + " has no lib/mpj.jar or conf/mpjexpress.conf; run "
                    + "scripts/install-mpj.sh, or set MPJ_HOME");
        }
        return new EngineStatus(Engine.MPJ, true, "devices multicore (ranks are threads) and niodev (ranks are JVMs); "
                + "MPJ_HOME " + home, priority, cause);
    }

    private static EngineStatus missing(Engine engine, String why) {
        return new EngineStatus(engine, false, why, 0, Optional.empty());
    }

    /** Returns the installed engine whose provider ranks highest, if any. */
    public static Optional<EngineStatus> best(List<EngineStatus> statuses) {
        return statuses.stream().filter(EngineStatus::installed).max(Comparator.comparingInt(EngineStatus::priority));
    }
}
