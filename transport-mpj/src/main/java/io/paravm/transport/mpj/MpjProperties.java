package io.paravm.transport.mpj;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Settings of the MPJ Express transport and its launcher ({@code paravm.mpj.*}), read from
 * system properties (the launcher's own, or those it passes to the ranks). Names that
 * ended in {@code .ms} still work, with one warning: see {@link #DEPRECATED_NAMES}.
 *
 * <pre>{@code
 * java -Dparavm.mpj.exit.grace.millis=2000 -cp CP io.paravm.transport.mpj.MpjLauncher -np 4 -dev niodev -cp CP Main
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
    public static final String EXIT_GRACE_MILLIS_PROP_NAME = "paravm.mpj.exit.grace.millis";
    /** Default of {@link #EXIT_GRACE_MILLIS_PROP_NAME}: 10 000 ms. */
    public static final long EXIT_GRACE_MILLIS_DEFAULT = 10_000;

    /** Milliseconds the niodev launcher waits for every rank to report its ports. */
    public static final String STARTUP_TIMEOUT_MILLIS_PROP_NAME = "paravm.mpj.startup.timeout.millis";
    /** Default of {@link #STARTUP_TIMEOUT_MILLIS_PROP_NAME}: 60 000 ms. */
    public static final long STARTUP_TIMEOUT_MILLIS_DEFAULT = 60_000;

    /**
     * Old names still read, each mapped to the name that replaced it: {@code paravm.mpj.exit.grace.ms}
     * and {@code paravm.mpj.startup.timeout.ms}. The new name wins when both are set; an old
     * one that is used is warned about once per JVM.
     */
    public static final Map<String, String> DEPRECATED_NAMES = Map.of(
            "paravm.mpj.exit.grace.ms", EXIT_GRACE_MILLIS_PROP_NAME,
            "paravm.mpj.startup.timeout.ms", STARTUP_TIMEOUT_MILLIS_PROP_NAME);

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

    private static final Logger LOG = LoggerFactory.getLogger(MpjProperties.class);
    /** The deprecated names already warned about in this JVM (this class loader: a multicore rank has its own). */
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private MpjProperties() {
    }

    /**
     * Returns a setting's system property; if it is unset, that of the deprecated name it
     * replaced (warning once that the name is deprecated).
     *
     * @param name a current name, e.g. {@link #EXIT_GRACE_MILLIS_PROP_NAME}
     * @return its value, or {@code null} if neither name is set
     */
    static String property(String name) {
        String value = System.getProperty(name);
        if (value != null) return value;
        for (Map.Entry<String, String> old : DEPRECATED_NAMES.entrySet()) {
            if (!old.getValue().equals(name) || System.getProperty(old.getKey()) == null) continue;
            if (WARNED.add(old.getKey())) {
                LOG.warn("{} is deprecated and will be removed; use -D{}={} instead", old.getKey(), name,
                        System.getProperty(old.getKey()));
            }
            return System.getProperty(old.getKey());
        }
        return null;
    }

    static long longProperty(String name, long def) {
        String s = property(name);
        if (s == null || s.isBlank()) return def;
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "=" + s + " is not a whole number; give milliseconds "
                    + "or bytes, e.g. -D" + name + "=" + def, e);
        }
    }
}
