package io.paravm.transport.hazelcast;

import com.hazelcast.config.Config;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.ListenerConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleListener;
import io.paravm.VirtualMachines;
import io.paravm.VmConfig;
import io.paravm.VmException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts this JVM's Hazelcast member, configured as ParaVM wants it.
 *
 * <p>Its Hazelcast cluster name is derived from the secret (a member without it is in another
 * cluster); it binds to one interface (loopback unless
 * {@link HazelcastProperties#INTERFACE_PROP_NAME} says otherwise) and joins by TCP only (no
 * multicast, no auto-detection); Java deserialization is limited to JDK and Hazelcast classes;
 * it has ParaVM's heartbeats and few partitions, all on the spawner (a worker is a lite member);
 * a member whose JVM ends leaves gracefully; Hazelcast logs through {@link HazelcastLogging};
 * and the {@link MemberWatch} listens from the first moment.
 *
 * <pre>{@code
 * HazelcastMemberConfig members = new HazelcastMemberConfig(vmConfig, secret, "paravm", watch);
 * HazelcastInstance spawner = members.startSpawner(5701);
 * HazelcastInstance worker = members.startWorker("10.0.0.5:5701");   // on another machine
 * }</pre>
 */
final class HazelcastMemberConfig {

    private static final Logger LOG = LoggerFactory.getLogger(HazelcastMemberConfig.class);
    /** How long the spawner tries a taken port again before it gives up. */
    static final int PORT_WAIT_SECONDS = 10;

    /** Few partitions: the one map is tiny (and all on the spawner, the one member that is not a lite member). */
    static final int PARTITION_COUNT = 7;

    private final VmConfig config;
    private final HazelcastSecret secret;
    private final String clusterName;
    private final MemberWatch watch;
    private final String iface;

    HazelcastMemberConfig(VmConfig config, HazelcastSecret secret, String clusterName, MemberWatch watch) {
        this.config = config;
        this.secret = secret;
        this.clusterName = clusterName;
        this.watch = watch;
        this.iface = HazelcastProperties.get(config, HazelcastProperties.INTERFACE_PROP_NAME)
                .orElse(HazelcastProperties.INTERFACE_DEFAULT);
    }

    /**
     * Starts the spawner's member, which starts the cluster, on exactly {@code port}.
     *
     * <p>A port taken by a connection frees itself within moments (a job on the same port that
     * is still leaving, or another program's connection that took it between the launcher
     * picking it and this member binding it: workers were told this port, so another will not
     * do). So a taken port is tried again, pausing between tries, for up to
     * {@value #PORT_WAIT_SECONDS} s (or the startup timeout, if shorter); then the error names
     * what holds it.
     *
     * @param port the port ({@link HazelcastProperties#PORT_PROP_NAME})
     * @return the member
     * @throws VmException if the port stays taken, or the member cannot start
     */
    HazelcastInstance startSpawner(int port) {
        long waitNanos = Math.min(TimeUnit.SECONDS.toNanos(PORT_WAIT_SECONDS), config.startupTimeout().toNanos());
        long deadline = System.nanoTime() + waitNanos;
        long pauseMillis = 50;
        for (int attempt = 1; ; attempt++) {
            RuntimeException taken;
            try {
                if (!iface.contains("*")) requireFreePort(port);
                Config c = base(port, false);
                if (!iface.contains("*")) c.getNetworkConfig().getJoin().getTcpIpConfig().addMember(iface + ":" + port);
                return newInstance(c, "the spawner could not start its Hazelcast member on " + iface + ":" + port);
            } catch (RuntimeException e) {
                if (!isPortTaken(e)) throw e;
                taken = e;
            }
            boolean last = System.nanoTime() - deadline >= 0;
            List<String> holders = last || attempt == 1 ? PortHolders.of(port) : List.of(); // reads every process's descriptors
            if (last) {
                throw new VmException("the spawner's port " + iface + ":" + port + " is taken (by another program, or "
                        + "another ParaVM job) and stayed taken for " + TimeUnit.NANOSECONDS.toMillis(waitNanos) + " ms"
                        + (holders.isEmpty() ? "" : "; sockets on it: " + String.join(", ", holders)) + ". Set "
                        + HazelcastProperties.PORT_PROP_NAME + " to a free port, or start the job with "
                        + "HazelcastLauncher, which picks one", taken);
            }
            if (attempt == 1) {
                LOG.warn("the spawner's port {}:{} is taken{}; trying again for up to {} ms", iface, port,
                        holders.isEmpty() ? "" : " (" + String.join(", ", holders) + ")", TimeUnit.NANOSECONDS.toMillis(waitNanos));
            }
            try {
                TimeUnit.MILLISECONDS.sleep(pauseMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VmException("interrupted while waiting for the spawner's port " + iface + ":" + port, e);
            }
            pauseMillis = Math.min(pauseMillis * 2, 1_000);
        }
    }

    /** Whether {@code e}, from {@link #requireFreePort} or Hazelcast's start, has a bind refused at its root. */
    private static boolean isPortTaken(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) return true;
        }
        return false;
    }

    /**
     * Starts a worker's member, joining the spawner's cluster at {@code join}; it listens on
     * {@link HazelcastProperties#PORT_PROP_NAME} or a port after it (default: the join port + 1).
     *
     * @param join the spawner's {@code host:port}
     * @return the member; {@link #requireSpawner} checks it found the spawner
     * @throws VmException if {@code join} is no address, or the member cannot start
     */
    HazelcastInstance startWorker(String join) {
        int port = (int) HazelcastProperties.number(config, HazelcastProperties.PORT_PROP_NAME, joinPort(join) + 1L, 1);
        Config c = base(port, true);
        // A lite member holds no partition: a worker joining or leaving moves no data (the spawner
        // holds the one small map), so it starts and leaves sooner, and never mid-migration.
        c.setLiteMember(true);
        c.getNetworkConfig().getJoin().getTcpIpConfig().addMember(join);
        return newInstance(c, "this worker could not start its Hazelcast member");
    }

    /**
     * Returns the port of a join address.
     *
     * @param join the spawner's {@code host:port}
     * @return its port
     * @throws VmException if {@code join} is not {@code host:port}, or the port is outside [1, 65535]
     */
    static int joinPort(String join) {
        int colon = join.lastIndexOf(':');
        int port = -1;
        try {
            port = Integer.parseInt(join.substring(colon + 1));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            // reported below
        }
        if (port < 1 || port > 65_535) {
            throw new VmException(HazelcastProperties.JOIN_PROP_NAME + "=" + join + " is not host:port with a port in "
                    + "[1, 65535], e.g. 127.0.0.1:" + HazelcastProperties.PORT_DEFAULT);
        }
        return port;
    }

    /**
     * Checks a worker's member found the spawner's cluster: the one with its secret.
     *
     * @param hz   the worker's member
     * @param join the spawner's {@code host:port}, for the message
     * @throws VmException saying what a worker needs, if it is alone
     */
    void requireSpawner(HazelcastInstance hz, String join) {
        if (hz.getCluster().getMembers().size() < 2) {
            throw new VmException("this worker found no spawner at " + join + " in cluster '" + clusterName + "' with its "
                    + "secret (" + secret.origin() + "): start the spawner first, and give workers its address ("
                    + HazelcastProperties.JOIN_PROP_NAME + "), its cluster name (" + HazelcastProperties.CLUSTER_PROP_NAME
                    + ") and its secret (environment " + HazelcastProperties.envName(HazelcastProperties.SECRET_PROP_NAME)
                    + ", or " + HazelcastProperties.SECRET_FILE_PROP_NAME + "; a member with another secret is in "
                    + "another cluster) [" + VirtualMachines.ERROR_CODES_URL + "#hazelcast-secret]");
        }
    }

    /** Finds a taken port before Hazelcast does, which starts half its member first and says it less plainly. */
    private void requireFreePort(int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(InetAddress.getByName(iface), port));
        } catch (BindException e) {
            throw new VmException("the spawner's port " + iface + ":" + port + " is taken", e);
        } catch (IOException e) {
            throw new VmException("the spawner cannot listen on " + iface + ":" + port + ": " + e + "; check "
                    + HazelcastProperties.INTERFACE_PROP_NAME + " names an address of this machine", e);
        }
    }

    private Config base(int port, boolean autoIncrement) {
        HazelcastLogging.install();
        Config c = new Config();
        c.setClusterName(secret.clusterName(clusterName));
        // Hazelcast deserializes with Java serialization what members send it; ParaVM stores
        // only strings, so allow no more than the JDK's and Hazelcast's own classes.
        JavaSerializationFilterConfig filter = new JavaSerializationFilterConfig().setDefaultsDisabled(true);
        filter.getWhitelist().addPrefixes("java.", "com.hazelcast.", "[Ljava.", "[Lcom.hazelcast.") // arrays: stack traces
                .addClasses("[Z", "[B", "[C", "[S", "[I", "[J", "[F", "[D");
        c.getSerializationConfig().setJavaSerializationFilterConfig(filter);
        long heartbeat = HazelcastProperties.number(config, HazelcastProperties.HEARTBEAT_SECONDS_PROP_NAME,
                HazelcastProperties.HEARTBEAT_SECONDS_DEFAULT, 1);
        long maxNoHeartbeat = HazelcastProperties.number(config, HazelcastProperties.MAX_NO_HEARTBEAT_SECONDS_PROP_NAME,
                HazelcastProperties.MAX_NO_HEARTBEAT_SECONDS_DEFAULT, 2 * heartbeat);
        c.setProperty("hazelcast.logging.type", "slf4j");
        c.setProperty("hazelcast.phone.home.enabled", "false");
        c.setProperty("hazelcast.socket.bind.any", "false");
        c.setProperty("hazelcast.wait.seconds.before.join", "0");
        c.setProperty("hazelcast.max.wait.seconds.before.join", "0");
        c.setProperty("hazelcast.heartbeat.interval.seconds", Long.toString(heartbeat));
        c.setProperty("hazelcast.max.no.heartbeat.seconds", Long.toString(maxNoHeartbeat));
        c.setProperty("hazelcast.partition.count", Integer.toString(PARTITION_COUNT));
        c.setProperty("hazelcast.health.monitoring.level", "OFF");
        lean(c);
        // A member whose JVM is asked to end (SIGTERM, System.exit) leaves the cluster as close()
        // does, so the others see it leave instead of suspecting it.
        c.setProperty("hazelcast.shutdownhook.policy", "GRACEFUL");
        c.setProperty("hazelcast.graceful.shutdown.max.wait", "10");
        NetworkConfig net = c.getNetworkConfig();
        net.setPort(port).setPortAutoIncrement(autoIncrement).setPortCount(HazelcastProperties.PORT_COUNT_DEFAULT);
        net.getInterfaces().setEnabled(true).addInterface(iface);
        JoinConfig join = net.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setConnectionTimeoutSeconds(1);
        c.addListenerConfig(new ListenerConfig(watch));
        c.addListenerConfig(new ListenerConfig((LifecycleListener) watch::lifecycle));
        return c;
    }

    /**
     * Sizes the member to what ParaVM uses of it: one topic per member (its frames, in FIFO on
     * one event thread, which is how Hazelcast orders a topic anyway), one tiny map on a few
     * partitions, no clients. Hazelcast's defaults are for a data grid (threads per core for
     * partition and generic operations, 3 input and 3 output IO threads, 5 event threads,
     * metrics collected every 5 s), and on a machine whose cores run the user's tasks each of
     * them is a thread to wake and schedule for nothing.
     */
    private static void lean(Config c) {
        c.setProperty("hazelcast.operation.thread.count", "1");
        c.setProperty("hazelcast.operation.generic.thread.count", "1");
        c.setProperty("hazelcast.operation.priority.generic.thread.count", "1");
        c.setProperty("hazelcast.operation.response.thread.count", "1");
        c.setProperty("hazelcast.event.thread.count", "1");
        c.setProperty("hazelcast.io.input.thread.count", "1");
        c.setProperty("hazelcast.io.output.thread.count", "1");
        // The IO balancer stays (every 20 s, nothing to move with one thread each way): turning it off logs a WARN.
        c.setProperty("hazelcast.clientengine.thread.count", "1");
        c.setProperty("hazelcast.clientengine.query.thread.count", "1");
        c.setProperty("hazelcast.clientengine.blocking.thread.count", "1");
        c.getMetricsConfig().setEnabled(false);
        c.getJetConfig().setEnabled(false);
    }

    private static HazelcastInstance newInstance(Config c, String what) {
        try {
            return Hazelcast.newHazelcastInstance(c);
        } catch (RuntimeException e) {
            throw new VmException(what + ": " + e.getMessage(), e);
        }
    }
}
