package io.paravm.benchmarks.backend;

import io.paravm.Task;
import io.paravm.TaskId;
import io.paravm.VirtualMachine;
import io.paravm.benchmarks.VmTasks;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * MPJ Express 0.44, on one of its two devices, in a job started by {@code MpjLauncher}:
 * {@code multicore} (one JVM, a thread and a class loader per rank) or {@code niodev} (a
 * JVM per rank over TCP on loopback). The raw figure is measured in the same job and the
 * same ranks: a worker task and the spawner call MPJ's {@code Send}/{@code Recv} on
 * {@code COMM_WORLD} with a tag ParaVM never uses ({@value #RAW_TAG}; its frames use tag 7
 * and its probes match only that tag), on {@code byte[]} and {@code double[]} (MPJ takes
 * arrays only).
 *
 * <p>Open MPI's and MPJ's jars both define package {@code mpi}, and this module compiles
 * against Open MPI's; so MPJ's few calls are bound by name at run time ({@link Raw}),
 * inside a job whose class path holds MPJ's jar and not Open MPI's. The handles are static
 * finals, which the JIT inlines like direct calls: the raw figure does not pay for them.
 */
public final class MpjBackend implements Backend {

    private static final int RAW_TAG = PointToPointEcho.RAW_TAG;
    /** Where MPJ Express is set up ({@code scripts/install-mpj.sh} prints it; {@code benchmarks/run.sh} passes it). */
    static final String HOME_PROP_NAME = "paravm.mpj.home";
    /**
     * Its default, as docs/configuration.md gives it ({@code MpjProperties.HOME_DEFAULT}, which this
     * module cannot compile against: transport-mpj would bring MPJ's package {@code mpi}).
     */
    static final Path HOME_DEFAULT = Path.of(System.getProperty("user.home"), ".cache", "paravm", "mpj-home");
    private static final String LAUNCHER = "io.paravm.transport.mpj.MpjLauncher";

    private final String device;

    /**
     * @param device {@code multicore} or {@code niodev}, as {@code MpjLauncher -dev} takes it
     */
    public MpjBackend(String device) {
        if (!device.equals("multicore") && !device.equals("niodev")) {
            throw new IllegalArgumentException("MPJ device '" + device + "' is not multicore or niodev");
        }
        this.device = device;
    }

    @Override
    public String name() {
        return "mpj-" + device;
    }

    @Override
    public String transport() {
        return "mpj";
    }

    @Override
    public String layout() {
        return device.equals("multicore")
                ? "one JVM, a thread and a class loader per rank (MPJ's smpdev), started by MpjLauncher"
                : "one JVM per rank over TCP on loopback (MPJ's niodev), started by MpjLauncher";
    }

    @Override
    public String rawDescription() {
        return "MPJ Express Send/Recv on COMM_WORLD with tag " + RAW_TAG + " (ParaVM's frames use tag 7), "
                + "byte[] (the reference) and double[]. Recv blocks until the message is there, while ParaVM's "
                + "transport polls Iprobe with a spin-then-yield back-off, which can answer sooner: a ratio below 1 "
                + "is possible";
    }

    @Override
    public Targets targets() {
        return Targets.latencyOnly(1.5, 8, 1024);
    }

    // ---------------------------------------------------------------- orchestrator side

    /** MPJ_HOME as the launcher reads it: the environment variable, else the system property, else the default. */
    private static Path home() {
        String env = System.getenv("MPJ_HOME");
        if (env != null && !env.isBlank()) return Path.of(env);
        String prop = System.getProperty(HOME_PROP_NAME);
        return prop != null && !prop.isBlank() ? Path.of(prop) : HOME_DEFAULT;
    }

    @Override
    public Optional<String> unavailabilityCause() {
        Path home = home();
        if (!Files.isRegularFile(home.resolve("lib").resolve("mpj.jar"))
                || !Files.isRegularFile(home.resolve("conf").resolve("mpjexpress.conf"))) {
            return Optional.of("MPJ Express is not set up: MPJ_HOME " + home + " has no lib/mpj.jar or "
                    + "conf/mpjexpress.conf; run scripts/install-mpj.sh, or set MPJ_HOME or -D" + HOME_PROP_NAME);
        }
        return Optional.empty();
    }

    @Override
    public List<String> jobCommand(int ranks, String classPath, List<String> jvmArgs, List<String> spawnerJvmArgs,
                                   String mainClass, List<String> args) {
        if (!spawnerJvmArgs.isEmpty()) { // the report would name options the spawner never had
            throw new IllegalArgumentException("MPJ Express starts every rank alike (multicore: as threads of one JVM); "
                    + "it cannot give the spawner " + spawnerJvmArgs + " alone");
        }
        // the launcher passes paravm.* properties on to the ranks
        return Backends.launcherCommand(classPath, List.of("-D" + HOME_PROP_NAME + "=" + home()), LAUNCHER,
                List.of("-np", String.valueOf(ranks), "-dev", device), jvmArgs, mainClass, args);
    }

    @Override
    public Map<String, String> jobEnvironment() {
        return Map.of();
    }

    @Override
    public String binding(Path jobLog) {
        return device.equals("multicore")
                ? "not bound: the ranks are threads of one JVM, scheduled by the OS"
                : "not bound: MpjLauncher starts plain JVMs, scheduled by the OS";
    }

    // ---------------------------------------------------------------- job side

    @Override
    public String engineVersion() {
        Path home = home();
        String version;
        Properties conf = new Properties();
        try (InputStream in = Files.newInputStream(home.resolve("conf").resolve("mpjexpress.conf"))) {
            conf.load(in);
            version = conf.getProperty("mpjexpress.version", "?");
        } catch (IOException e) {
            version = "? (" + e.getMessage() + ")";
        }
        return "MPJ Express " + version + ", device " + device + " (MPJ_HOME " + home + ")";
    }

    @Override
    public List<String> rawLatencyVariants() {
        return List.of("bytes");
    }

    @Override
    public List<String> rawBandwidthVariants() {
        return List.of("bytes", "doubles");
    }

    @Override
    public RawChannel openRaw(VirtualMachine vm, RawSpec spec) {
        Task<WorkerStats> echo = w -> PointToPointEcho.serve(new Raw(), Raw.message(spec), spec);
        TaskId id = VmTasks.spawnOne(vm, echo);
        return new PointToPointEcho.Channel(vm, id, spec, new Raw(), Raw.message(spec));
    }

    /**
     * MPJ's calls, bound by name once per class loader (under multicore, once per rank), as
     * static final handles with erased types for {@code invokeExact}.
     */
    private static final class Raw implements PointToPointEcho.Engine {
        /** {@code (Intracomm) MPI.COMM_WORLD}, read once MPI.Init has run (ParaVM's transport ran it). */
        private static final Object WORLD;
        private static final Object BYTE;
        private static final Object DOUBLE;
        /** {@code comm.Send(buf, offset, count, type, dest, tag)} as (Object, Object, int, int, Object, int, int)void. */
        private static final MethodHandle SEND;
        /** {@code comm.Recv(buf, offset, count, type, source, tag)} as (Object, Object, int, int, Object, int, int)Object. */
        private static final MethodHandle RECV;
        /** {@code status.Get_count(type)} as (Object, Object)int. */
        private static final MethodHandle GET_COUNT;

        static {
            try {
                ClassLoader loader = Raw.class.getClassLoader();
                Class<?> mpi = Class.forName("mpi.MPI", true, loader);
                Class<?> comm = Class.forName("mpi.Comm", true, loader);
                Class<?> datatype = Class.forName("mpi.Datatype", true, loader);
                Class<?> status = Class.forName("mpi.Status", true, loader);
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                WORLD = mpi.getField("COMM_WORLD").get(null);
                BYTE = mpi.getField("BYTE").get(null);
                DOUBLE = mpi.getField("DOUBLE").get(null);
                MethodType io = MethodType.methodType(void.class, Object.class, int.class, int.class, datatype, int.class, int.class);
                MethodType erased = MethodType.methodType(void.class, Object.class, Object.class, int.class, int.class,
                        Object.class, int.class, int.class);
                SEND = lookup.findVirtual(comm, "Send", io).asType(erased);
                RECV = lookup.findVirtual(comm, "Recv", io.changeReturnType(status)).asType(erased.changeReturnType(Object.class));
                GET_COUNT = lookup.findVirtual(status, "Get_count", MethodType.methodType(int.class, datatype))
                        .asType(MethodType.methodType(int.class, Object.class, Object.class));
            } catch (ReflectiveOperationException | LinkageError e) {
                throw new ExceptionInInitializerError(new IllegalStateException("MPJ Express's mpi.jar is not usable "
                        + "on this rank's class path (" + e + "); the mpj jobs run on target/lib-mpj/", e));
            }
            if (WORLD == null) {
                throw new ExceptionInInitializerError("MPJ's COMM_WORLD is null: MPI.Init has not run on this rank");
            }
        }

        static PointToPointEcho.Message message(RawSpec spec) {
            return switch (spec.variant()) {
                case "bytes" -> new PointToPointEcho.Message(new byte[spec.bytes()], BYTE, spec.bytes());
                case "doubles" -> {
                    int n = (spec.bytes() + 7) / 8;
                    yield new PointToPointEcho.Message(new double[n], DOUBLE, n);
                }
                default -> throw new IllegalArgumentException("raw MPJ variant '" + spec.variant()
                        + "' is not one of bytes, doubles");
            };
        }

        @Override
        public void send(Object buf, int count, Object type, int rank) {
            try {
                SEND.invokeExact(WORLD, buf, 0, count, type, rank, RAW_TAG);
            } catch (Throwable e) {
                throw failed("Send to", rank, e);
            }
        }

        @Override
        public void recv(Object buf, int count, Object type, int rank) {
            try {
                Object unused = (Object) RECV.invokeExact(WORLD, buf, 0, count, type, rank, RAW_TAG); // the handle's exact type
            } catch (Throwable e) {
                throw failed("Recv from", rank, e);
            }
        }

        @Override
        public int recvCount(Object buf, int count, Object type, int rank) {
            try {
                Object status = (Object) RECV.invokeExact(WORLD, buf, 0, count, type, rank, RAW_TAG);
                return (int) GET_COUNT.invokeExact(status, type);
            } catch (Throwable e) {
                throw failed("Recv from", rank, e);
            }
        }

        @Override
        public Object byteType() {
            return BYTE;
        }

        /** MPJ's checked MPIException, or its runtime failures, with what was being done; errors as they are. */
        private static RuntimeException failed(String what, int rank, Throwable e) {
            if (e instanceof Error error) throw error;
            return new IllegalStateException("raw MPJ " + what + " rank " + rank + " failed: " + e, e);
        }
    }
}
