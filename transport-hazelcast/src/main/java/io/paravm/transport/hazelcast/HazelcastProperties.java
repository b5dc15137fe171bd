package io.paravm.transport.hazelcast;

import io.paravm.VmConfig;
import io.paravm.VmException;

import java.util.Locale;
import java.util.Optional;

/**
 * Settings of the Hazelcast transport ({@code paravm.hazelcast.*}), read from the VM
 * configuration's properties, then system properties, then the environment variable of
 * the same name in upper case with dots as underscores ({@code PARAVM_HAZELCAST_JOIN}).
 *
 * <pre>{@code
 * // a worker on another machine joins the spawner's cluster:
 * VmConfig.builder()
 *         .property(HazelcastProperties.JOIN_PROP_NAME, "10.0.0.5:5701")
 *         .property(HazelcastProperties.CLUSTER_PROP_NAME, "sweep-42")
 *         .property(HazelcastProperties.INTERFACE_PROP_NAME, "10.0.0.7")
 *         .build();
 * }</pre>
 */
public final class HazelcastProperties {

    /**
     * The spawner's address, {@code host:port}. Unset: this JVM is the spawner (rank 0)
     * and starts the cluster. Set: this JVM is a worker and joins it.
     */
    public static final String JOIN_PROP_NAME = "paravm.hazelcast.join";

    /**
     * Spawner only: the number of ranks (spawner included) to wait for in {@code open()},
     * bounded by {@link VmConfig#startupTimeout()}, so that the VM starts with that many
     * slots. Workers joining later are reported as {@code HostAdded}.
     */
    public static final String NP_PROP_NAME = "paravm.hazelcast.np";
    /** Default of {@link #NP_PROP_NAME}: 1, do not wait for anyone. */
    public static final int NP_DEFAULT = 1;

    /** The cluster name; members with another name are refused. The launcher picks a unique one per run. */
    public static final String CLUSTER_PROP_NAME = "paravm.hazelcast.cluster";
    /** Default of {@link #CLUSTER_PROP_NAME}. */
    public static final String CLUSTER_DEFAULT = "paravm";

    /**
     * The TCP port a member listens on. The spawner listens on exactly this port; a worker
     * tries this port and the next {@value #PORT_COUNT_DEFAULT} (default: the join port + 1).
     */
    public static final String PORT_PROP_NAME = "paravm.hazelcast.port";
    /** Default of {@link #PORT_PROP_NAME} on the spawner. */
    public static final int PORT_DEFAULT = 5701;
    /** How many ports after {@link #PORT_PROP_NAME} a worker tries. */
    public static final int PORT_COUNT_DEFAULT = 200;

    /**
     * The address this member binds to and announces (an IP address, or a pattern such as
     * {@code 10.0.0.*}). Only loopback by default; set it to a real interface's address to
     * let members on other machines join.
     */
    public static final String INTERFACE_PROP_NAME = "paravm.hazelcast.interface";
    /** Default of {@link #INTERFACE_PROP_NAME}: loopback only. */
    public static final String INTERFACE_DEFAULT = "127.0.0.1";

    /**
     * The cluster's shared secret (at least 16 characters): a member must prove it knows it
     * to be given a rank, and the Hazelcast cluster name is derived from it, so a member
     * without it cannot join at all. Prefer the environment variable
     * {@code PARAVM_HAZELCAST_SECRET} or {@link #SECRET_FILE_PROP_NAME}: a {@code -D} option
     * shows in {@code ps}. Unset on the spawner (and no file): a random one, so nobody can
     * join. {@code HazelcastLauncher} makes one per job and hands it to its JVMs in the
     * environment.
     */
    public static final String SECRET_PROP_NAME = "paravm.hazelcast.secret";

    /**
     * A file holding the shared secret (used when {@link #SECRET_PROP_NAME} is unset); keep
     * it readable only by you ({@code chmod 600}).
     */
    public static final String SECRET_FILE_PROP_NAME = "paravm.hazelcast.secret.file";

    /** Seconds between heartbeats. */
    public static final String HEARTBEAT_SECONDS_PROP_NAME = "paravm.hazelcast.heartbeat.seconds";
    /** Default of {@link #HEARTBEAT_SECONDS_PROP_NAME}: 1 s. */
    public static final int HEARTBEAT_SECONDS_DEFAULT = 1;

    /**
     * Seconds without a heartbeat after which a member is declared dead (a member whose
     * process ends is removed at once, when its connections close). Must exceed the longest
     * stop-the-world GC pause expected.
     */
    public static final String MAX_NO_HEARTBEAT_SECONDS_PROP_NAME = "paravm.hazelcast.max.no.heartbeat.seconds";
    /** Default of {@link #MAX_NO_HEARTBEAT_SECONDS_PROP_NAME}: 10 s. */
    public static final int MAX_NO_HEARTBEAT_SECONDS_DEFAULT = 10;

    /**
     * Worker only: seconds to wait to join the cluster and be given a rank, counted from the
     * start of {@code open()}. It includes waiting for the spawner to listen at
     * {@link #JOIN_PROP_NAME}: a worker started before the spawner retries (with pauses growing
     * to 2 s) until then, and then fails naming the address.
     */
    public static final String JOIN_TIMEOUT_SECONDS_PROP_NAME = "paravm.hazelcast.join.timeout.seconds";
    /** Default of {@link #JOIN_TIMEOUT_SECONDS_PROP_NAME}: 60 s. */
    public static final int JOIN_TIMEOUT_SECONDS_DEFAULT = 60;

    /**
     * Frames a sender may have in flight to one rank before it waits for the receiver to
     * take them in (flow control, so Hazelcast's event queue never overflows and drops one).
     */
    public static final String WINDOW_FRAMES_PROP_NAME = "paravm.hazelcast.window.frames";
    /** Default of {@link #WINDOW_FRAMES_PROP_NAME}: 1024 frames. */
    public static final int WINDOW_FRAMES_DEFAULT = 1024;

    /** Milliseconds {@code close()} waits for each rank to confirm it has every frame sent to it. */
    public static final String CLOSE_FLUSH_MILLIS_PROP_NAME = "paravm.hazelcast.close.flush.millis";
    /** Default of {@link #CLOSE_FLUSH_MILLIS_PROP_NAME}: 5000 ms. */
    public static final long CLOSE_FLUSH_MILLIS_DEFAULT = 5_000;

    /**
     * Spawner only: milliseconds {@code close()} waits, once it has asked the workers to exit,
     * for their members to leave the cluster before its own member leaves. Workers leaving
     * first, the spawner last, none of them sees another vanish and suspects it. Past the wait
     * (a worker stuck in a task that never returns) the spawner leaves anyway.
     */
    public static final String CLOSE_LEAVE_MILLIS_PROP_NAME = "paravm.hazelcast.close.leave.millis";
    /** Default of {@link #CLOSE_LEAVE_MILLIS_PROP_NAME}: 3000 ms. */
    public static final long CLOSE_LEAVE_MILLIS_DEFAULT = 3_000;

    private HazelcastProperties() {
    }

    /** Returns the setting from the config, system properties or environment. */
    static Optional<String> get(VmConfig config, String name) {
        Optional<String> v = config.property(name);
        if (v.isEmpty()) v = Optional.ofNullable(System.getenv(envName(name)));
        return v.map(String::trim).filter(s -> !s.isEmpty());
    }

    /** Returns the environment variable read for {@code name}, e.g. {@code PARAVM_HAZELCAST_JOIN}. */
    static String envName(String name) {
        return name.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    static long number(VmConfig config, String name, long def, long min) {
        Optional<String> v = get(config, name);
        if (v.isEmpty()) return def;
        try {
            long n = Long.parseLong(v.get());
            if (n >= min) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new VmException(name + "=" + v.get() + " is not a whole number >= " + min + "; unset it for the default "
                + def + " (it may also come from the environment variable " + envName(name) + ")");
    }
}
