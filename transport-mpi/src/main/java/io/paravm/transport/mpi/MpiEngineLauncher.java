package io.paravm.transport.mpi;

import io.paravm.spi.launch.EngineCheck;
import io.paravm.spi.launch.EngineLauncher;
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
import java.util.stream.Collectors;

/**
 * The {@code mpi} transport's launch recipe: one {@code mpirun.openmpi} or {@code mpirun.mpich}
 * (named, so the alternatives' choice of {@code mpirun} does not matter) running a JDK 22+'s
 * {@code java} on every rank. It looks at files and builds a command line; it never loads MPI.
 *
 * <pre>{@code
 * EngineLauncher mpi = new MpiEngineLauncher();
 * ProcessBuilder job = mpi.command(new LaunchRequest(4, "app.jar", "engines/mpi/*", "com.example.Main",
 *         List.of(), List.of("-Xmx1g"), Map.of("--mpi", "mpich"), Path.of("/usr/bin/java")));
 * }</pre>
 */
public final class MpiEngineLauncher implements EngineLauncher {

    /** The option choosing the MPI: {@code openmpi} or {@code mpich}; default the first installed, in that order. */
    public static final String MPI_OPTION = "--mpi";
    /** The option naming the hosts to place ranks on, comma-separated. */
    public static final String HOSTS_OPTION = "--hosts";

    /** The FFM half of the multi-release jar, present only if the jar was built with a JDK 22+. */
    static final String FFM_CLASS_FILE = "META-INF/versions/22/" + MpiBinding.FFM_CLASS.replace('.', '/') + ".class";

    /**
     * What every rank's JVM gets: FFM's downcalls without a warning, and Kryo without
     * {@code sun.misc.Unsafe} (JDK 24+ warns when it is used).
     */
    public static final List<String> RANK_JVM_OPTIONS = List.of("--enable-native-access=ALL-UNNAMED", "-Dkryo.unsafe=false");

    @Override
    public String name() {
        return MpiTransportProvider.NAME;
    }

    @Override
    public int priority() {
        return MpiTransportProvider.PRIORITY;
    }

    @Override
    public String summary() {
        return "the C library of Open MPI or MPICH through Java's FFM API (ranks on a JDK 22+); one JVM per rank, "
                + "started by mpirun.openmpi or mpirun.mpich (--mpi)";
    }

    @Override
    public EngineCheck check() {
        Path launcherJava = Path.of(System.getProperty("java.home"), "bin", "java");
        Optional<RankJdk> jdk = RankJdk.find(launcherJava);
        List<MpiInstallation> found = MpiAbi.KNOWN.stream().map(MpiInstallation::find).flatMap(Optional::stream).toList();
        if (found.isEmpty()) {
            return EngineCheck.missing("no MPI found (" + MpiAbi.KNOWN.stream().map(MpiInstallation::missing)
                    .collect(Collectors.joining("; ")) + "); install Open MPI (openmpi-bin) or MPICH (mpich)");
        }
        if (jdk.isEmpty()) return EngineCheck.missing(noJdk(launcherJava));
        if (MpiEngineLauncher.class.getClassLoader().getResource(FFM_CLASS_FILE) == null) {
            return EngineCheck.missing("transport-mpi was built without a JDK " + Mpi.JAVA_FEATURE_NEEDED + "+ (its jar has no "
                    + FFM_CLASS_FILE + "); rebuild with one installed under " + RankJdk.JVM_DIR + " or named by "
                    + RankJdk.ENV_NAME + " (./paravm rebuilds when it is newer)");
        }
        return EngineCheck.installed(found.stream().map(MpiInstallation::describe).collect(Collectors.joining("; "))
                + "; ranks on Java " + jdk.get().feature() + " (" + jdk.get().home() + ")");
    }

    @Override
    public List<LaunchOption> options() {
        return List.of(
                new LaunchOption(MPI_OPTION, "openmpi|mpich", "Which MPI runs the job; the first installed of "
                        + "openmpi, mpich when not given."),
                new LaunchOption(HOSTS_OPTION, "HOST[,HOST...]", "Hosts to place ranks on, comma-separated (mpirun "
                        + "--host, hydra's -hosts); this machine when not given."));
    }

    /** The spawner's JVM is started apart: its options go to it alone. */
    @Override
    public boolean startsSpawnerApart() {
        return true;
    }

    /**
     * Open MPI: {@code mpirun.openmpi --oversubscribe -np N [--host H] JDK22/bin/java
     * --enable-native-access=ALL-UNNAMED -Dkryo.unsafe=false -cp . --class-path CP [JVM options]
     * MAIN [args]} ({@link OpenMpiRunEnvironment#classPathOptions}); MPICH: {@code mpiexec.hydra
     * [-hosts H] -np N JDK22/bin/java ... -cp CP ...}, as hydra's {@code -hosts} is global. With
     * spawner options, the MPMD form of {@link MpiAppContexts}. With what Open MPI's {@code mpirun} needs
     * here (root allowed, no ssh for local jobs, no cross-memory attach).
     */
    @Override
    public ProcessBuilder command(LaunchRequest request) {
        MpiInstallation mpi = chosen(request);
        RankJdk jdk = RankJdk.find(request.java()).orElseThrow(() -> new LaunchException(noJdk(request.java())));
        List<String> hosts = HostsOption.read(request, HOSTS_OPTION);
        List<String> cmd = new ArrayList<>(List.of(mpi.mpirun().toString()));
        boolean openMpi = mpi.abi() == MpiAbi.OPEN_MPI;
        if (openMpi) cmd.add("--oversubscribe"); // hydra places any number of ranks anyway
        // Open MPI's --host binds to one app context; hydra's -hosts is global
        List<String> hostOption = hosts.isEmpty() ? List.of() : List.of(openMpi ? "--host" : "-hosts", String.join(",", hosts));
        if (!openMpi) cmd.addAll(hostOption);
        List<String> rank = new ArrayList<>(List.of(jdk.java().toString()));
        rank.addAll(RANK_JVM_OPTIONS);
        rank.addAll(openMpi ? OpenMpiRunEnvironment.classPathOptions(request.rankClassPath())
                : List.of("-cp", request.rankClassPath()));
        rank.addAll(request.jvmOptions());
        int mainAt = rank.size();
        rank.add(request.mainClass());
        rank.addAll(request.args());
        cmd.addAll(MpiAppContexts.of(request.ranks(), openMpi ? hostOption : List.of(), rank, mainAt,
                request.spawnerJvmOptions()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (openMpi) OpenMpiRunEnvironment.prepare(pb.environment(), hosts.isEmpty());
        return pb;
    }

    private static MpiInstallation chosen(LaunchRequest request) {
        Optional<String> named = request.option(MPI_OPTION);
        if (named.isPresent()) {
            MpiAbi abi = MpiAbi.named(named.get()).orElseThrow(() -> new LaunchException(MPI_OPTION + " " + named.get()
                    + " is not an MPI this transport knows; use " + MpiAbi.KNOWN.stream().map(MpiAbi::name)
                    .collect(Collectors.joining(" or "))));
            return MpiInstallation.find(abi).orElseThrow(() -> new LaunchException(MPI_OPTION + " " + abi.name()
                    + ": it is not installed here (" + MpiInstallation.missing(abi) + ")"));
        }
        return MpiAbi.KNOWN.stream().map(MpiInstallation::find).flatMap(Optional::stream).findFirst()
                .orElseThrow(() -> new LaunchException("no MPI is installed here (" + MpiAbi.KNOWN.stream()
                        .map(MpiInstallation::missing).collect(Collectors.joining("; ")) + "); install Open MPI "
                        + "(openmpi-bin) or MPICH (mpich)"));
    }

    private static String noJdk(Path launcherJava) {
        return "no JDK " + Mpi.JAVA_FEATURE_NEEDED + "+ for the ranks (searched " + RankJdk.searched(launcherJava)
                + "); install one (e.g. Temurin 25) or set " + RankJdk.ENV_NAME + " to its home, or use -t openmpi";
    }
}
