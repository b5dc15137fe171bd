package io.paravm;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How to open a virtual machine. All settings are optional; {@link #defaults()} is what
 * {@link VirtualMachines#open()} uses.
 *
 * <pre>{@code
 * VmConfig cfg = VmConfig.builder()
 *         .transport("openmpi")                  // else -Dparavm.transport / PARAVM_TRANSPORT / auto
 *         .args(args)                            // the program's main arguments
 *         .debug(1)                              // workers' debug lines go to the spawner's log
 *         .startupTimeout(Duration.ofSeconds(30))
 *         .property("paravm.codec.allow", "com.acme.model.**")
 *         .build();
 * try (VirtualMachine vm = VirtualMachines.open(cfg)) { ... }
 * }</pre>
 *
 * @param transport      the transport's name, or {@code null} to take it from the
 *                       environment or choose automatically
 * @param args           the program's arguments (some engines rewrite them)
 * @param debug          the debug level: 0 quiet, 1 lifecycle, 2 every message
 * @param startupTimeout how long the spawner waits for every worker to report in
 * @param properties     further settings, {@code paravm.<module>.<setting>}; system
 *                       properties of the same name are read as a fallback
 */
public record VmConfig(String transport, String[] args, int debug, Duration startupTimeout,
                       Map<String, String> properties) {

    /** System property naming the transport. */
    public static final String TRANSPORT_PROP_NAME = "paravm.transport";
    /** Environment variable naming the transport. */
    public static final String TRANSPORT_ENV_NAME = "PARAVM_TRANSPORT";
    /** Tasks a worker runs at once, on threads of its JVM (default 1, as in PyOPUS). */
    public static final String WORKER_SLOTS_PROP_NAME = "paravm.worker.slots";
    /** The directory a spawned task starts in on its worker ({@link VirtualMachine#workDir()}). */
    public static final String START_DIR_PROP_NAME = "paravm.worker.start.dir";
    /** Comma-separated files or globs, relative to the spawner's working directory, copied into each task's folder. */
    public static final String MIRROR_PROP_NAME = "paravm.mirror";
    /** The root of each worker host's local storage, where per-task folders are made. */
    public static final String STORAGE_ROOT_PROP_NAME = "paravm.storage.root";
    /** {@code true} keeps each task's folder after the task ends (default: removed). */
    public static final String STORAGE_KEEP_PROP_NAME = "paravm.storage.keep";
    /** Default of {@link #startupTimeout()}: 60 seconds. */
    public static final Duration STARTUP_TIMEOUT_DEFAULT = Duration.ofSeconds(60);
    /**
     * The unread bytes of user messages a task may hold from one sending rank, each message
     * counted as its encoded size plus 128 bytes (see {@link Builder#unreadBound}).
     */
    public static final String UNREAD_BOUND_PROP_NAME = "paravm.unread.bound.bytes";
    /** Default of {@link #UNREAD_BOUND_PROP_NAME}, unless the heap is small (see {@link Builder#unreadBound}): 64 MiB. */
    public static final long UNREAD_BOUND_DEFAULT = 64L << 20;
    /** How long {@code sendMessage} waits for a task to make room, in ms (see {@link Builder#sendTimeout}). */
    public static final String SEND_TIMEOUT_PROP_NAME = "paravm.send.timeout.millis";
    /** Default of {@link #SEND_TIMEOUT_PROP_NAME}: 60 s. */
    public static final Duration SEND_TIMEOUT_DEFAULT = Duration.ofSeconds(60);

    /**
     * The spawner serves the live dashboard on this TCP port ({@code 0}: any free port); unset,
     * there is none. See {@link Builder#dashboard(int)}.
     */
    public static final String DASHBOARD_PORT_PROP_NAME = "paravm.dashboard.port";

    public VmConfig {
        args = args == null ? new String[0] : args.clone();
        if (debug < 0) {
            throw new VmException("debug level " + debug + " is negative; use 0 (quiet), 1 or 2");
        }
        Objects.requireNonNull(startupTimeout, "startupTimeout");
        if (startupTimeout.isNegative() || startupTimeout.isZero()) {
            throw new VmException("startup timeout " + startupTimeout + " must be positive");
        }
        properties = Map.copyOf(Objects.requireNonNull(properties, "properties"));
    }

    /** The default configuration: automatic transport, no arguments, debug 0. */
    public static VmConfig defaults() {
        return builder().build();
    }

    /** Returns a builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String[] args() {
        return args.clone();
    }

    /**
     * The transport named by this config, else by the system property
     * {@value #TRANSPORT_PROP_NAME}, else by the environment variable
     * {@value #TRANSPORT_ENV_NAME}.
     */
    public Optional<String> requestedTransport() {
        if (transport != null && !transport.isBlank()) return Optional.of(transport.trim());
        String prop = System.getProperty(TRANSPORT_PROP_NAME);
        if (prop != null && !prop.isBlank()) return Optional.of(prop.trim());
        String env = System.getenv(TRANSPORT_ENV_NAME);
        if (env != null && !env.isBlank()) return Optional.of(env.trim());
        return Optional.empty();
    }

    /**
     * A setting from {@link #properties()}, else the system property of that name, else the
     * same under one of its deprecated old names (declared by the modules'
     * {@link io.paravm.spi.PropertyNames} providers; vm-core warns once about an old name in
     * use). Every module reads its settings through here.
     *
     * @param name the property name
     * @return its value, if set
     * @throws NullPointerException if {@code name} is null
     */
    public Optional<String> property(String name) {
        Objects.requireNonNull(name, "name");
        String v = valueOf(name);
        if (v == null) {
            for (String old : DeprecatedSettingNames.of(name)) {
                v = valueOf(old);
                if (v != null) break;
            }
        }
        return Optional.ofNullable(v);
    }

    private String valueOf(String name) {
        String v = properties.get(name);
        return v != null ? v : System.getProperty(name);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VmConfig c && Objects.equals(transport, c.transport)
                && Arrays.equals(args, c.args) && debug == c.debug
                && startupTimeout.equals(c.startupTimeout) && properties.equals(c.properties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(transport, Arrays.hashCode(args), debug, startupTimeout, properties);
    }

    @Override
    public String toString() {
        return "VmConfig[transport=" + transport + ", args=" + Arrays.toString(args) + ", debug=" + debug
                + ", startupTimeout=" + startupTimeout + ", properties=" + properties + "]";
    }

    /** Builds a {@link VmConfig}. */
    public static final class Builder {
        private String transport;
        private String[] args = new String[0];
        private int debug;
        private Duration startupTimeout = STARTUP_TIMEOUT_DEFAULT;
        private final Map<String, String> properties = new LinkedHashMap<>();

        private Builder() {
        }

        /** @param name the transport, e.g. {@code openmpi}, {@code mpj}, {@code hazelcast} */
        public Builder transport(String name) {
            this.transport = name;
            return this;
        }

        /** @param args the program's {@code main} arguments */
        public Builder args(String... args) {
            this.args = args == null ? new String[0] : args.clone();
            return this;
        }

        /** @param level 0 quiet, 1 lifecycle, 2 every message */
        public Builder debug(int level) {
            this.debug = level;
            return this;
        }

        /** @param timeout how long the spawner waits for every worker to report in */
        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = timeout;
            return this;
        }

        /**
         * @param name  a setting name, {@code paravm.<module>.<setting>}
         * @param value its value
         */
        public Builder property(String name, String value) {
            properties.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * The unread bytes of user messages a task may hold from one sending rank: flow
         * control, so a task that reads slowly, or never, cannot exhaust its JVM's heap. Each
         * message counts as its encoded size plus 128 bytes (the objects that keep it), so many
         * empty messages are bounded too. Past the bound, {@link VirtualMachine#sendMessage}
         * waits for the task to read (see {@link #sendTimeout}). The default is 64 MiB, or an
         * eighth of the JVM's maximum heap if that is smaller (divided among the ranks when
         * they share one JVM, as MPJ Express's multicore device does), at least 1 MiB. Every
         * rank should get the same value: a sender enforces its own.
         *
         * <pre>{@code
         * VmConfig.builder().unreadBound(16L << 20).build();   // 16 MiB per task and sending rank
         * }</pre>
         *
         * @param bytes 1 or more
         * @return this builder
         */
        public Builder unreadBound(long bytes) {
            if (bytes < 1) {
                throw new VmException("unreadBound(" + bytes + "): a task must be able to hold at least 1 byte; "
                        + "the default is " + UNREAD_BOUND_DEFAULT + " bytes");
            }
            return property(UNREAD_BOUND_PROP_NAME, Long.toString(bytes));
        }

        /**
         * How long {@link VirtualMachine#sendMessage} waits for a task that holds its
         * {@link #unreadBound} to read, before it throws {@link SendTimeoutException} (nothing
         * sent). Default 60 s; use {@link VirtualMachine#trySendMessage} for a timeout per call.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder sendTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new VmException("sendTimeout(" + timeout + "): must be positive; use trySendMessage(..., "
                        + "Duration.ZERO) for a send that never waits");
            }
            return property(SEND_TIMEOUT_PROP_NAME, Long.toString(Math.max(1, timeout.toMillis())));
        }

        /**
         * Tasks each worker runs at once, on threads of its JVM. The default, 1, is PyOPUS's
         * one task per worker; more suits tasks that wait (external simulators, I/O).
         *
         * @param slots 1 or more
         * @return this builder
         */
        public Builder workerSlots(int slots) {
            if (slots < 1) {
                throw new VmException("workerSlots(" + slots + "): a worker offers at least 1 slot");
            }
            return property(WORKER_SLOTS_PROP_NAME, Integer.toString(slots));
        }

        /**
         * The directory a spawned task starts in on its worker (PyOPUS's {@code startupDir}),
         * given to the task as {@link VirtualMachine#workDir()}; relative to the worker's
         * working directory unless absolute. Ignored when files are mirrored: then the task
         * runs in its own fresh folder.
         *
         * @param dir a directory that exists on every worker host
         * @return this builder
         */
        public Builder startDir(String dir) {
            return property(START_DIR_PROP_NAME, Objects.requireNonNull(dir, "dir"));
        }

        /**
         * Files to copy, before each task runs, into a fresh per-task folder under the worker
         * host's local storage (PyOPUS's {@code mirrorMap}); the task runs in that folder.
         *
         * <pre>{@code
         * VmConfig.builder().mirror("circuit.cir", "models/*.lib").build();
         * }</pre>
         *
         * @param globs files or globs ({@code *}, {@code **}, {@code ?}) relative to the
         *              spawner's working directory; none may leave it ({@code ..}, absolute paths)
         * @return this builder
         */
        public Builder mirror(String... globs) {
            for (String g : Objects.requireNonNull(globs, "globs")) {
                Objects.requireNonNull(g, "globs holds null; pass files or globs relative to the spawner's working directory");
                if (g.isBlank() || g.contains(",")) {
                    throw new VmException("mirror: '" + g + "' is not a file or glob; pass paths relative to the "
                            + "spawner's working directory, without commas");
                }
            }
            return property(MIRROR_PROP_NAME, String.join(",", globs));
        }

        /**
         * The root of each worker host's local storage (default {@code paravm-USER} under
         * {@code java.io.tmpdir}).
         *
         * @param root a directory writable on every worker host
         * @return this builder
         */
        public Builder localStorage(String root) {
            return property(STORAGE_ROOT_PROP_NAME, Objects.requireNonNull(root, "root"));
        }

        /**
         * @param keep {@code true} keeps each task's folder after the task ends, for
         *             looking at what a simulator left behind
         * @return this builder
         */
        public Builder keepTaskFolders(boolean keep) {
            return property(STORAGE_KEEP_PROP_NAME, Boolean.toString(keep));
        }

        /**
         * Serves the live dashboard from the spawner: hosts and slots, tasks per second, task
         * durations, the farm's progress, failures with their stack traces, lost hosts, and
         * {@code /metrics} for Prometheus. It needs module {@code paravm-dashboard} on the
         * spawner's class path. It binds to loopback only, and its address (with a random
         * token, without which every request gets 403) is logged once by the spawner. Same as
         * {@value #DASHBOARD_PORT_PROP_NAME}.
         *
         * <pre>{@code
         * VmConfig.builder().args(args).dashboard(8080).build();   // http://127.0.0.1:8080/?token=...
         * }</pre>
         *
         * @param port a TCP port, 1 to 65535, or 0 for any free one
         * @return this builder
         */
        public Builder dashboard(int port) {
            if (port < 0 || port > 65535) {
                throw new VmException("dashboard(" + port + "): a TCP port is 1 to 65535, or 0 for any free port");
            }
            return property(DASHBOARD_PORT_PROP_NAME, Integer.toString(port));
        }

        /** Returns the configuration. */
        public VmConfig build() {
            return new VmConfig(transport, args, debug, startupTimeout, properties);
        }
    }
}
