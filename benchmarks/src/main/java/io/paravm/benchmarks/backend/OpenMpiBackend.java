package io.paravm.benchmarks.backend;

import io.paravm.Task;
import io.paravm.TaskId;
import io.paravm.VirtualMachine;
import io.paravm.benchmarks.VmTasks;
import mpi.Comm;
import mpi.Datatype;
import mpi.MPI;
import mpi.MPIException;
import mpi.Status;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

    /** The MPI tag of raw benchmark messages; ParaVM's transport uses 7 only. */
    static final int RAW_TAG = 4242;
    /** Where Debian installs libmpi_java.so; {@code -Dparavm.openmpi.libdir} overrides. */
    static final String LIBDIR = System.getProperty("paravm.openmpi.libdir", "/usr/lib/x86_64-linux-gnu/openmpi/lib");

    @Override
    public String name() {
        return "openmpi";
    }

    @Override
    public Optional<String> unavailabilityCause() {
        if (findOnPath("mpirun") == null) {
            return Optional.of("mpirun is not on PATH; run scripts/install-openmpi-java.sh");
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
        return "one JVM per rank, started by mpirun";
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
    public List<String> jobCommand(int ranks, String classPath, List<String> jvmArgs, String mainClass, List<String> args) {
        boolean fits = ranks <= Runtime.getRuntime().availableProcessors();
        List<String> cmd = new ArrayList<>(List.of("mpirun", "--oversubscribe",
                // one rank per core when they fit (repeatable); unbound when oversubscribed
                "--bind-to", fits ? "core" : "none", "--report-bindings",
                "-np", String.valueOf(ranks),
                // mpirun rewrites a java command line: -cp must come first
                "java", "-cp", classPath));
        cmd.addAll(jvmArgs);
        cmd.add("-Djava.library.path=" + LIBDIR);
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    @Override
    public Map<String, String> jobEnvironment() {
        return Map.of("OMPI_ALLOW_RUN_AS_ROOT", "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1",
                "OMPI_MCA_plm", "isolated", "OMPI_MCA_btl_vader_single_copy_mechanism", "none");
    }

    @Override
    public String binding(Path jobLog) {
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
        Task<WorkerStats> echo = w -> Raw.echo(spec);
        TaskId id = VmTasks.spawnOne(vm, echo);
        return new Raw.Channel(vm, id, spec);
    }

    /** Open MPI's own calls, both ends. */
    private static final class Raw {

        static String version() {
            return MPI.getLibVersion().lines().findFirst().orElse("?").trim() + " (Java bindings, org.open-mpi:mpi)";
        }

        private static Object buffer(RawSpec spec) {
            return switch (spec.variant()) {
                case "direct" -> MPI.newByteBuffer(spec.bytes());
                case "bytes" -> new byte[spec.bytes()];
                case "doubles" -> new double[(spec.bytes() + 7) / 8];
                default -> throw new IllegalArgumentException("raw variant '" + spec.variant()
                        + "' is not one of direct, bytes, doubles");
            };
        }

        private static Datatype type(RawSpec spec) {
            return spec.variant().equals("doubles") ? MPI.DOUBLE : MPI.BYTE;
        }

        private static int count(RawSpec spec) {
            return spec.variant().equals("doubles") ? (spec.bytes() + 7) / 8 : spec.bytes();
        }

        /** The worker's end: runs as a ParaVM task, then speaks MPI directly until a 0-element message. */
        static WorkerStats echo(RawSpec spec) throws MPIException {
            Comm world = MPI.COMM_WORLD;
            Object buf = buffer(spec);
            Datatype type = type(spec);
            int count = count(spec);
            byte[] ack = new byte[1];
            long start = WorkerStats.threadAllocatedBytes();
            long n = 0;
            while (true) {
                Status s = world.recv(buf, count, type, 0, RAW_TAG);
                if (s.getCount(type) == 0) break;
                n++;
                if (spec.window() == 1) {
                    world.send(buf, count, type, 0, RAW_TAG);
                } else if (n % spec.window() == 0) {
                    world.send(ack, 1, MPI.BYTE, 0, RAW_TAG);
                }
            }
            return new WorkerStats(n, start < 0 ? -1 : WorkerStats.threadAllocatedBytes() - start);
        }

        /** The spawner's end. */
        private static final class Channel implements RawChannel {
            private final VirtualMachine vm;
            private final TaskId echo;
            private final RawSpec spec;
            private final Comm world = MPI.COMM_WORLD;
            private final Object buf;
            private final Datatype type;
            private final int count;
            private final int rank;
            private final byte[] ack = new byte[1];
            private WorkerStats stats;

            Channel(VirtualMachine vm, TaskId echo, RawSpec spec) {
                this.vm = vm;
                this.echo = echo;
                this.spec = spec;
                this.buf = buffer(spec);
                this.type = type(spec);
                this.count = count(spec);
                this.rank = echo.rank();
            }

            @Override
            public void exchange() {
                try {
                    if (spec.window() == 1) {
                        world.send(buf, count, type, rank, RAW_TAG);
                        world.recv(buf, count, type, rank, RAW_TAG);
                    } else {
                        for (int i = 0; i < spec.window(); i++) world.send(buf, count, type, rank, RAW_TAG);
                        world.recv(ack, 1, MPI.BYTE, rank, RAW_TAG);
                    }
                } catch (MPIException e) {
                    throw new IllegalStateException("raw MPI exchange with rank " + rank + " failed: " + e.getMessage(), e);
                }
            }

            @Override
            public WorkerStats stop() {
                if (stats != null) return stats;
                try {
                    world.send(buf, 0, type, rank, RAW_TAG);
                } catch (MPIException e) {
                    throw new IllegalStateException("could not stop the raw echo on rank " + rank + ": " + e.getMessage(), e);
                }
                stats = (WorkerStats) VmTasks.awaitEnd(vm, echo);
                return stats;
            }
        }
    }
}
