package io.paravm.transport.mpj;

import java.nio.file.Path;

/**
 * Settings of the MPJ Express transport and its launcher ({@code paravm.mpj.*}), read from
 * system properties (the launcher's own, or those it passes to the ranks).
 *
 * <pre>{@code
 * java -Dparavm.mpj.exit.grace.ms=2000 -cp CP io.paravm.transport.mpj.MpjLauncher -np 4 -dev niodev -cp CP Main
 * }</pre>
 */
public final class MpjProperties {

    /**
     * The MPJ device this JVM's ranks run on: {@code multicore} or {@code niodev}. Set by
     * {@link MpjLauncher} on the JVMs it starts; the transport is available where it is set
     * (or where the rank thread was started by MPJ's own {@code MulticoreStarter}).
     */
    public static final String DEVICE_PROP_NAME = "paravm.mpj.device";

    /**
     * MPJ Express's home (a directory with {@code lib/} and {@code conf/}); the environment
     * variable {@code MPJ_HOME} wins over it. Default: {@link #HOME_DEFAULT}, where
     * {@code scripts/install-mpj.sh} builds it.
     */
    public static final String HOME_PROP_NAME = "paravm.mpj.home";
    /** Default of {@link #HOME_PROP_NAME}: {@code ~/.cache/paravm/mpj-home}. */
    public static final String HOME_DEFAULT =
            Path.of(System.getProperty("user.home"), ".cache", "paravm", "mpj-home").toString();

    /**
     * Milliseconds the launcher lets the other ranks run after the spawner (rank 0) ended,
     * before it ends them.
     */
    public static final String EXIT_GRACE_MS_PROP_NAME = "paravm.mpj.exit.grace.ms";
    /** Default of {@link #EXIT_GRACE_MS_PROP_NAME}: 10 000 ms. */
    public static final long EXIT_GRACE_MS_DEFAULT = 10_000;

    /** Milliseconds the niodev launcher waits for every rank to report its ports. */
    public static final String STARTUP_TIMEOUT_MS_PROP_NAME = "paravm.mpj.startup.timeout.ms";
    /** Default of {@link #STARTUP_TIMEOUT_MS_PROP_NAME}: 60 000 ms. */
    public static final long STARTUP_TIMEOUT_MS_DEFAULT = 60_000;

    /** niodev: frames up to this many bytes are sent eagerly, larger ones by rendezvous. */
    public static final String PROTOCOL_SWITCH_BYTES_PROP_NAME = "paravm.mpj.protocol.switch.bytes";
    /** Default of {@link #PROTOCOL_SWITCH_BYTES_PROP_NAME}: 131 072 bytes (MPJ's own default). */
    public static final int PROTOCOL_SWITCH_BYTES_DEFAULT = 131_072;

    /** Set by the launcher on the JVMs it starts: its pid; they end when it ends. */
    static final String LAUNCHER_PID_PROP_NAME = "paravm.mpj.launcher.pid";

    /** The MPJ tag every ParaVM frame uses (frames carry their own kind). */
    static final int FRAME_TAG = 7;

    /** How to start a program on MPJ, for messages. */
    static final String LAUNCH_HINT = "java -cp CLASSPATH io.paravm.transport.mpj.MpjLauncher -np N "
            + "-dev multicore|niodev MAIN [args]";

    private MpjProperties() {
    }

    /** Returns MPJ_HOME: the environment variable, else {@link #HOME_PROP_NAME}, else the default. */
    static Path home() {
        String env = System.getenv("MPJ_HOME");
        if (env != null && !env.isBlank()) return Path.of(env);
        return Path.of(System.getProperty(HOME_PROP_NAME, HOME_DEFAULT));
    }

    static long longProperty(String name, long def) {
        String s = System.getProperty(name);
        if (s == null || s.isBlank()) return def;
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "=" + s + " is not a whole number; give milliseconds "
                    + "or bytes, e.g. -D" + name + "=" + def, e);
        }
    }
}
