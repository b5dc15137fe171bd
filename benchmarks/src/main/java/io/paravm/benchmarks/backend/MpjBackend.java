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
import java.util.ArrayList;
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
 * against Open MPI's; so MPJ's five calls are bound by name at run time ({@link Calls}),
 * inside a job whose class path holds MPJ's jar and not Open MPI's. The handles are static
 * finals, which the JIT inlines like direct calls: the raw figure does not pay for them.
 */
public final class MpjBackend implements Backend {

    /** The MPJ tag of raw benchmark messages; ParaVM's transport uses 7 only. */
    static final int RAW_TAG = 4242;
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
    public List<String> jobCommand(int ranks, String classPath, List<String> jvmArgs, String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("java", "-cp", classPath));
        // the launcher passes paravm.* properties on to the ranks
        cmd.add("-D" + HOME_PROP_NAME + "=" + home());
        cmd.addAll(List.of(LAUNCHER, "-np", String.valueOf(ranks), "-dev", device));
        for (String a : jvmArgs) cmd.add("-J" + a);
        cmd.addAll(List.of("-cp", classPath, mainClass));
        cmd.addAll(args);
        return cmd;
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
        Task<WorkerStats> echo = w -> Raw.echo(spec);
        TaskId id = VmTasks.spawnOne(vm, echo);
        return new Raw.Channel(vm, id, spec);
    }

    /** MPJ's calls, bound by name once per class loader (under multicore, once per rank). */
    private static final class Calls {
        /** {@code (Intracomm)MPI.COMM_WORLD}, read once MPI.Init has run (ParaVM's transport ran it). */
        static final Object WORLD;
        static final Object BYTE;
        static final Object DOUBLE;
        /** {@code comm.Send(buf, offset, count, type, dest, tag)} as (Object, Object, int, int, Object, int, int)void. */
        static final MethodHandle SEND;
        /** {@code comm.Recv(buf, offset, count, type, source, tag)} as (Object, Object, int, int, Object, int, int)Object. */
        static final MethodHandle RECV;
        /** {@code status.Get_count(type)} as (Object, Object)int. */
        static final MethodHandle GET_COUNT;

        static {
            try {
                ClassLoader loader = Calls.class.getClassLoader();
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

        private Calls() {
        }

        static void send(Object buf, int count, Object type, int dest) {
            try {
                SEND.invokeExact(WORLD, buf, 0, count, type, dest, RAW_TAG);
            } catch (Throwable e) {
                throw failed("Send to", dest, e);
            }
        }

        /** Receives from {@code source}; returns the number of elements received. */
        static int recv(Object buf, int count, Object type, int source) {
            try {
                Object status = (Object) RECV.invokeExact(WORLD, buf, 0, count, type, source, RAW_TAG);
                return (int) GET_COUNT.invokeExact(status, type);
            } catch (Throwable e) {
                throw failed("Recv from", source, e);
            }
        }

        /** MPJ's checked MPIException, or its runtime failures, with what was being done; errors as they are. */
        private static RuntimeException failed(String what, int rank, Throwable e) {
            if (e instanceof Error error) throw error;
            return new IllegalStateException("raw MPJ " + what + " rank " + rank + " failed: " + e, e);
        }
    }

    /** Both ends of the raw echo. */
    private static final class Raw {

        private Raw() {
        }

        private static Object buffer(RawSpec spec) {
            return switch (spec.variant()) {
                case "bytes" -> new byte[spec.bytes()];
                case "doubles" -> new double[count(spec)];
                default -> throw new IllegalArgumentException("raw MPJ variant '" + spec.variant()
                        + "' is not one of bytes, doubles");
            };
        }

        private static Object type(RawSpec spec) {
            return spec.variant().equals("doubles") ? Calls.DOUBLE : Calls.BYTE;
        }

        private static int count(RawSpec spec) {
            return spec.variant().equals("doubles") ? (spec.bytes() + 7) / 8 : spec.bytes();
        }

        /** The worker's end: runs as a ParaVM task, then speaks MPJ directly until a 0-element message. */
        static WorkerStats echo(RawSpec spec) {
            Object buf = buffer(spec);
            Object type = type(spec);
            int count = count(spec);
            byte[] ack = new byte[1];
            long start = WorkerStats.threadAllocatedBytes();
            long n = 0;
            while (Calls.recv(buf, count, type, 0) != 0) {
                n++;
                if (spec.window() == 1) {
                    Calls.send(buf, count, type, 0);
                } else if (n % spec.window() == 0) {
                    Calls.send(ack, 1, Calls.BYTE, 0);
                }
            }
            return new WorkerStats(n, start < 0 ? -1 : WorkerStats.threadAllocatedBytes() - start);
        }

        /** The spawner's end. */
        private static final class Channel implements RawChannel {
            private final VirtualMachine vm;
            private final TaskId echo;
            private final RawSpec spec;
            private final Object buf;
            private final Object type;
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
                if (spec.window() == 1) {
                    Calls.send(buf, count, type, rank);
                    Calls.recv(buf, count, type, rank);
                } else {
                    for (int i = 0; i < spec.window(); i++) Calls.send(buf, count, type, rank);
                    Calls.recv(ack, 1, Calls.BYTE, rank);
                }
            }

            @Override
            public WorkerStats stop() {
                if (stats != null) return stats;
                Calls.send(buf, 0, type, rank);
                stats = (WorkerStats) VmTasks.awaitEnd(vm, echo);
                return stats;
            }
        }
    }
}
