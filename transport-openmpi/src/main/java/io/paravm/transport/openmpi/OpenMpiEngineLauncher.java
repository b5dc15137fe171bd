package io.paravm.transport.openmpi;

import io.paravm.spi.launch.EngineCheck;
import io.paravm.spi.launch.EngineLauncher;
import io.paravm.spi.launch.Executables;
import io.paravm.spi.launch.HostsOption;
import io.paravm.spi.launch.LaunchException;
import io.paravm.spi.launch.LaunchOption;
import io.paravm.spi.launch.LaunchRequest;
import io.paravm.spi.launch.MpiAppContexts;
import io.paravm.spi.launch.OpenMpiRunEnvironment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Open MPI's launch recipe: a job is one {@code mpirun} running {@code java} on every rank.
 * It looks at files and builds a command line only; it never loads Open MPI's Java classes
 * (that is {@link OpenMpi}'s job, inside a rank).
 *
 * <pre>{@code
 * EngineLauncher openMpi = new OpenMpiEngineLauncher();
 * if (openMpi.check().installed()) {
 *     ProcessBuilder job = openMpi.command(new LaunchRequest(4, "app.jar", "lib-openmpi/*", "com.example.Main",
 *             List.of(), List.of("-Xmx1g"), Map.of("--hosts", "node1,node2"), Path.of("/usr/bin/java")));
 * }
 * }</pre>
 */
public final class OpenMpiEngineLauncher implements EngineLauncher {

    /** The option naming the hosts to place ranks on, comma-separated; it becomes {@code mpirun --host}. */
    public static final String HOSTS_OPTION = "--hosts";

    /**
     * Open MPI's {@code mpirun}: Debian's own name first, since once MPICH is installed beside
     * it plain {@code mpirun} may be MPICH's (the alternatives system chooses); plain
     * {@code mpirun} where only Open MPI is installed (a build from source, a cluster's module).
     */
    private static final List<String> MPIRUNS = List.of("mpirun.openmpi", "mpirun");

    @Override
    public String name() {
        return OpenMpiTransportProvider.NAME;
    }

    @Override
    public int priority() {
        return OpenMpiTransportProvider.PRIORITY;
    }

    @Override
    public String summary() {
        return "Open MPI's Java bindings; one JVM per rank, started by mpirun.openmpi (on other hosts too, with --hosts)";
    }

    @Override
    public EngineCheck check() {
        Optional<Path> mpirun = mpirun();
        if (mpirun.isEmpty()) {
            return EngineCheck.missing("mpirun.openmpi (or mpirun) is not on PATH; install Open MPI (scripts/install-openmpi-java.sh "
                    + "installs Debian's)");
        }
        Optional<Path> libDir = OpenMpiProperties.libraryDir();
        if (libDir.isEmpty() || !OpenMpiProperties.holdsJavaBindings(libDir.get())) {
            return EngineCheck.missing(missingBindings(libDir));
        }
        return EngineCheck.installed("mpirun " + mpirun.get() + ", libmpi_java in " + libDir.get());
    }

    @Override
    public List<LaunchOption> options() {
        return List.of(new LaunchOption(HOSTS_OPTION, "HOST[,HOST...]",
                "Hosts to place ranks on, comma-separated (mpirun --host); this machine when not given."));
    }

    /** The spawner's JVM is started apart: its options go to it alone. */
    @Override
    public boolean startsSpawnerApart() {
        return true;
    }

    /**
     * {@code mpirun.openmpi --oversubscribe -np N [--host H] java -cp . --class-path CP -Djava.library.path=DIR
     * [JVM options] MAIN [args]} (with spawner options, the MPMD form of {@link MpiAppContexts}), with the environment {@code mpirun} needs here: permission
     * to run as root, no ssh for a job on this machine when there is no ssh, and no
     * cross-memory attach (containers forbid it).
     */
    @Override
    public ProcessBuilder command(LaunchRequest request) {
        Optional<Path> libDir = OpenMpiProperties.libraryDir();
        if (libDir.isEmpty() || !OpenMpiProperties.holdsJavaBindings(libDir.get())) {
            throw new LaunchException(missingBindings(libDir));
        }
        List<String> hosts = HostsOption.read(request, HOSTS_OPTION);
        String mpirun = mpirun().map(p -> p.getFileName().toString()).orElse(MPIRUNS.get(0));
        List<String> cmd = new ArrayList<>(List.of(mpirun, "--oversubscribe"));
        List<String> hostOption = hosts.isEmpty() ? List.of() : List.of("--host", String.join(",", hosts));
        // the class path first: mpirun rewrites a java command line (its directory, jar and library path)
        List<String> rank = new ArrayList<>(List.of(request.java().toString()));
        rank.addAll(OpenMpiRunEnvironment.classPathOptions(request.rankClassPath()));
        rank.add("-Djava.library.path=" + libDir.get());
        rank.addAll(request.jvmOptions());
        int mainAt = rank.size();
        rank.add(request.mainClass());
        rank.addAll(request.args());
        cmd.addAll(MpiAppContexts.of(request.ranks(), hostOption, rank, mainAt, request.spawnerJvmOptions()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        OpenMpiRunEnvironment.prepare(pb.environment(), hosts.isEmpty());
        return pb;
    }

    private static Optional<Path> mpirun() {
        return MPIRUNS.stream().map(Executables::onPath).flatMap(Optional::stream).findFirst();
    }

    private static String missingBindings(Optional<Path> libDir) {
        return "libmpi_java.so (Open MPI's Java bindings) was not found" + libDir.map(d -> " in " + d).orElse("")
                + "; run scripts/install-openmpi-java.sh, or name its directory with -D"
                + OpenMpiProperties.LIBRARY_DIR_PROP_NAME + "=DIR or " + OpenMpiProperties.LIBRARY_DIR_ENV_NAME;
    }
}
