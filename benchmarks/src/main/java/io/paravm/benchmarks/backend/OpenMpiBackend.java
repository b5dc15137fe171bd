package io.paravm.benchmarks.backend;

import io.paravm.Task;
import io.paravm.TaskId;
import io.paravm.VirtualMachine;
import io.paravm.benchmarks.VmTasks;
import io.paravm.spi.launch.MpiAppContexts;
import io.paravm.spi.launch.OpenMpiRunEnvironment;
import mpi.Comm;
import mpi.Datatype;
import mpi.MPI;
import mpi.MPIException;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.Collectors;

/**
 * Open MPI's Java bindings under {@code mpirun}. The raw figure is measured in the same job
 * and the same processes as ParaVM's: the ParaVM transport has already called
 * {@code MPI_Init_thread}, so the spawner and a worker task call {@code MPI_Send}/{@code MPI_Recv}
 * on {@code MPI_COMM_WORLD} directly, with a tag ParaVM never uses ({@value #RAW_TAG}; ParaVM's
 * frames use tag 7 and its probes match only that tag).
 *
 * <p>Everything that touches {@code mpi.*} lives in the nested {@link Raw}, loaded only
 * inside a job: the orchestrator loads this class on a class path without Open MPI's jar.
 */
public final class OpenMpiBackend implements Backend {

    private static final int RAW_TAG = PointToPointEcho.RAW_TAG;
    /** Open MPI's own mpirun: plain mpirun may be MPICH's once both are installed. */
    static final String MPIRUN = "mpirun.openmpi";
    /** Where Debian installs libmpi_java.so; {@code -Dparavm.openmpi.libdir} overrides. */
    static final String LIBDIR = System.getProperty("paravm.openmpi.libdir", "/usr/lib/x86_64-linux-gnu/openmpi/lib");

    @Override
    public String name() {
        return "openmpi";
    }

    @Override
    public Optional<String> unavailabilityCause() {
        if (findOnPath(MPIRUN) == null) {
            return Optional.of(MPIRUN + " is not on PATH; run scripts/install-openmpi-java.sh");
        }
        if (!Files.exists(Path.of(LIBDIR, "libmpi_java.so"))) {
            return Optional.of("libmpi_java.so is not in " + LIBDIR + "; run scripts/install-openmpi-java.sh "
                    + "or pass -Dparavm.openmpi.libdir=DIR");
        }
        return Optional.empty();
    }

    private static Path findOnPath(String exe) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, exe);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    @Override
    public String layout() {
        return "one JVM per rank, started by mpirun.openmpi";
    }

    @Override
    public String rawDescription() {
        return "MPI_Send/MPI_Recv from Java on MPI_COMM_WORLD with tag " + RAW_TAG + " (ParaVM's frames use tag 7), "
                + "direct ByteBuffer (the reference), byte[] and double[]";
    }

    @Override
    public Targets targets() {
        return new Targets(2.0, List.of(8), OptionalDouble.of(0.9), OptionalDouble.of(210_000));
    }

    @Override
    public List<String> jobCommand(int ranks, String classPath, List<String> jvmArgs, List<String> spawnerJvmArgs,
                                   String mainClass, List<String> args) {
        boolean fits = ranks <= Runtime.getRuntime().availableProcessors();
        List<String> cmd = new ArrayList<>(List.of(MPIRUN, "--oversubscribe",
                // one rank per core when they fit (repeatable); unbound when oversubscribed
                "--bind-to", fits ? "core" : "none", "--report-bindings"));
        // mpirun rewrites a java command line: -cp must come first
        List<String> rank = new ArrayList<>(List.of("java", "-cp", classPath));
        rank.addAll(jvmArgs);
        rank.add("-Djava.library.path=" + LIBDIR);
        int optionsAt = rank.size();
        rank.add(mainClass);
        rank.addAll(args);
        cmd.addAll(MpiAppContexts.of(ranks, List.of(), rank, optionsAt, spawnerJvmArgs));
        return cmd;
    }

    @Override
    public boolean startsSpawnerApart() {
        return true;
    }

    @Override
    public Map<String, String> jobEnvironment() {
        return mpirunEnvironment();
    }

    /** What Open MPI's {@code mpirun} needs here, as the launcher's recipes give it (every benchmark job is local). */
    static Map<String, String> mpirunEnvironment() {
        Map<String, String> env = new HashMap<>();
        OpenMpiRunEnvironment.prepare(env, true);
        return env;
    }

    @Override
    public String binding(Path jobLog) {
        return reportedBindings(jobLog);
    }

    /** The binding lines Open MPI's {@code mpirun --report-bindings} wrote into a job's output. */
    static String reportedBindings(Path jobLog) {
        try {
            List<String> lines = Files.readAllLines(jobLog).stream()
                    .filter(l -> l.contains("MCW rank") && (l.contains("bound") || l.contains("not bound")))
                    .map(l -> l.replaceFirst("^.*MCW rank", "rank")).distinct().collect(Collectors.toList());
            return lines.isEmpty() ? "not reported (mpirun --report-bindings printed nothing)" : String.join("; ", lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String engineVersion() {
        return Raw.version();
    }

    @Override
    public List<String> rawLatencyVariants() {
        return List.of("direct", "bytes");
    }

    @Override
    public List<String> rawBandwidthVariants() {
        return List.of("direct", "bytes", "doubles");
    }

    @Override
    public RawChannel openRaw(VirtualMachine vm, RawSpec spec) {
        Task<WorkerStats> echo = w -> PointToPointEcho.serve(new Raw(), Raw.message(spec), spec);
        TaskId id = VmTasks.spawnOne(vm, echo);
        return new PointToPointEcho.Channel(vm, id, spec, new Raw(), Raw.message(spec));
    }

    /** Open MPI's own calls. */
    private static final class Raw implements PointToPointEcho.Engine {
        private final Comm world = MPI.COMM_WORLD;

        static String version() {
            return MPI.getLibVersion().lines().findFirst().orElse("?").trim() + " (Java bindings, org.open-mpi:mpi)";
        }

        static PointToPointEcho.Message message(RawSpec spec) {
            return switch (spec.variant()) {
                case "direct" -> new PointToPointEcho.Message(MPI.newByteBuffer(spec.bytes()), MPI.BYTE, spec.bytes());
                case "bytes" -> new PointToPointEcho.Message(new byte[spec.bytes()], MPI.BYTE, spec.bytes());
                case "doubles" -> {
                    int n = (spec.bytes() + 7) / 8;
                    yield new PointToPointEcho.Message(new double[n], MPI.DOUBLE, n);
                }
                default -> throw new IllegalArgumentException("raw variant '" + spec.variant()
                        + "' is not one of direct, bytes, doubles");
            };
        }

        @Override
        public void send(Object buf, int count, Object type, int rank) {
            try {
                world.send(buf, count, (Datatype) type, rank, RAW_TAG);
            } catch (MPIException e) {
                throw new IllegalStateException("raw MPI_Send to rank " + rank + " failed: " + e.getMessage(), e);
            }
        }

        @Override
        public void recv(Object buf, int count, Object type, int rank) {
            try {
                world.recv(buf, count, (Datatype) type, rank, RAW_TAG);
            } catch (MPIException e) {
                throw new IllegalStateException("raw MPI_Recv from rank " + rank + " failed: " + e.getMessage(), e);
            }
        }

        @Override
        public int recvCount(Object buf, int count, Object type, int rank) {
            try {
                return world.recv(buf, count, (Datatype) type, rank, RAW_TAG).getCount((Datatype) type);
            } catch (MPIException e) {
                throw new IllegalStateException("raw MPI_Recv from rank " + rank + " failed: " + e.getMessage(), e);
            }
        }

        @Override
        public Object byteType() {
            return MPI.BYTE;
        }
    }
}
