package io.paravm.benchmarks.backend;

import io.paravm.Task;
import io.paravm.TaskId;
import io.paravm.VirtualMachine;
import io.paravm.benchmarks.VmTasks;
import io.paravm.spi.launch.MpiAppContexts;
import io.paravm.transport.mpi.MpiAbi;
import io.paravm.transport.mpi.MpiEngineLauncher;
import io.paravm.transport.mpi.MpiInstallation;
import io.paravm.transport.mpi.MpiProperties;
import io.paravm.transport.mpi.MpiRaw;
import io.paravm.transport.mpi.RankJdk;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The {@code mpi} transport (the C library through FFM, ranks on a JDK 22+) on one MPI, Open MPI
 * or MPICH, under that MPI's own {@code mpirun}. The raw figure is measured in the same job:
 * {@code MPI_Send}/{@code MPI_Recv} through FFM ({@link MpiRaw}) on tag 4242, from a direct
 * {@code ByteBuffer}; {@code run.sh} adds the C ping-pong of the same MPI, the physical limit.
 */
final class MpiBackend implements Backend {

    private static final int RAW_TAG = PointToPointEcho.RAW_TAG;
    /** The MPI's name; its {@link MpiAbi} is looked up only when used, as other jobs' class paths lack transport-mpi. */
    private final String mpiName;

    MpiBackend(String mpiName) {
        this.mpiName = mpiName;
    }

    private MpiAbi mpi() {
        return MpiAbi.named(mpiName).orElseThrow();
    }

    @Override
    public String name() {
        return "mpi-" + mpiName;
    }

    @Override
    public String transport() {
        return "mpi";
    }

    @Override
    public String layout() {
        return "one JVM (JDK 22+) per rank, started by " + mpi().mpirun();
    }

    @Override
    public String rawDescription() {
        return "MPI_Send/MPI_Recv through FFM on MPI_COMM_WORLD with tag " + RAW_TAG + " (ParaVM's frames use tag 7), "
                + "direct ByteBuffer; and C (benchmarks/c/pingpong.c, c-pingpong-" + mpi().name() + ".json)";
    }

    @Override
    public Targets targets() {
        return new Targets(1.5, List.of(8), OptionalDouble.of(0.9), OptionalDouble.empty());
    }

    @Override
    public Optional<String> unavailabilityCause() {
        if (MpiInstallation.find(mpi()).isEmpty()) return Optional.of(MpiInstallation.missing(mpi()));
        if (RankJdk.find(Path.of(System.getProperty("java.home"), "bin", "java")).isEmpty()) {
            return Optional.of("no JDK 22+ for the ranks (" + RankJdk.searched(Path.of("java")) + ")");
        }
        return Optional.empty();
    }

    @Override
    public List<String> jobCommand(int ranks, String classPath, List<String> jvmArgs, List<String> spawnerJvmArgs,
                                   String mainClass, List<String> args) {
        Path java = RankJdk.find(Path.of(System.getProperty("java.home"), "bin", "java")).orElseThrow().java();
        boolean fits = ranks <= Runtime.getRuntime().availableProcessors();
        List<String> cmd = new ArrayList<>(List.of(mpi().mpirun()));
        if (mpiName.equals("openmpi")) {
            cmd.addAll(List.of("--oversubscribe", "--bind-to", fits ? "core" : "none", "--report-bindings"));
        } else {
            cmd.addAll(List.of("-bind-to", fits ? "core" : "none"));
        }
        List<String> rank = new ArrayList<>(List.of(java.toString()));
        rank.addAll(MpiEngineLauncher.RANK_JVM_OPTIONS);
        rank.addAll(List.of("-cp", classPath));
        rank.addAll(jvmArgs);
        // the raw echo calls MPI beside ParaVM's own threads
        rank.add("-D" + MpiProperties.THREAD_LEVEL_PROP_NAME + "=multiple");
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
        return mpiName.equals("openmpi") ? OpenMpiBackend.mpirunEnvironment() : Map.of();
    }

    @Override
    public String binding(Path jobLog) {
        if (!mpiName.equals("openmpi")) return "hydra's -bind-to core when the ranks fit the cores (hydra does not report it)";
        return OpenMpiBackend.reportedBindings(jobLog);
    }

    @Override
    public String engineVersion() {
        return MpiRaw.ofThisProcess().libraryVersion() + " (C library through FFM, Java " + Runtime.version().feature() + ")";
    }

    @Override
    public List<String> rawLatencyVariants() {
        return List.of("direct");
    }

    @Override
    public List<String> rawBandwidthVariants() {
        return List.of("direct");
    }

    @Override
    public RawChannel openRaw(VirtualMachine vm, RawSpec spec) {
        Task<WorkerStats> echo = w -> PointToPointEcho.serve(new Raw(), Raw.message(spec), spec);
        TaskId id = VmTasks.spawnOne(vm, echo);
        return new PointToPointEcho.Channel(vm, id, spec, new Raw(), Raw.message(spec));
    }

    /** MPI's own calls through FFM, on direct buffers. */
    private static final class Raw implements PointToPointEcho.Engine {
        private final MpiRaw mpi = MpiRaw.ofThisProcess();
        private final ByteBuffer ack = ByteBuffer.allocateDirect(1);

        static PointToPointEcho.Message message(RawSpec spec) {
            if (!spec.variant().equals("direct")) {
                throw new IllegalArgumentException("raw variant '" + spec.variant() + "' is not direct, the only one of mpi");
            }
            return new PointToPointEcho.Message(ByteBuffer.allocateDirect(spec.bytes()), "byte", spec.bytes());
        }

        private ByteBuffer buffer(Object buf) {
            return buf instanceof ByteBuffer b ? b : ack; // the one-byte acknowledgement is a byte[1]
        }

        @Override
        public void send(Object buf, int count, Object type, int rank) {
            mpi.send(buffer(buf), count, rank, RAW_TAG);
        }

        @Override
        public void recv(Object buf, int count, Object type, int rank) {
            mpi.receive(buffer(buf), count, rank, RAW_TAG);
        }

        @Override
        public int recvCount(Object buf, int count, Object type, int rank) {
            return mpi.receive(buffer(buf), count, rank, RAW_TAG);
        }

        @Override
        public Object byteType() {
            return "byte";
        }
    }
}
