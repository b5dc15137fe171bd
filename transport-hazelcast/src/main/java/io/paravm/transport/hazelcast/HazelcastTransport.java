package io.paravm.transport.hazelcast;

import com.hazelcast.cluster.Address;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.config.Config;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.ListenerConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.topic.ITopic;
import com.hazelcast.topic.Message;
import io.paravm.VirtualMachines;
import io.paravm.VmConfig;
import io.paravm.VmException;
import io.paravm.core.FrameBacklog;
import io.paravm.spi.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Frames between embedded Hazelcast members, one member (one rank) per JVM.
 *
 * <p>Frames: each member listens on its own {@link ITopic} ({@code paravm.frames.<member
 * UUID>}); a frame is published there as one {@code byte[]} (a 5-byte header, the
 * sender's rank and a kind, then vm-core's bytes; Hazelcast writes a {@code byte[]} as it
 * is, nothing is serialized twice). A topic's events are handled on one event thread in
 * the order they arrived on the connection, so frames between a pair stay in order.
 * Hazelcast drops events when a member's event queue is full, so a sender may have at
 * most {@link HazelcastProperties#WINDOW_FRAMES_PROP_NAME} frames in flight to a rank;
 * the receiver returns credits as frames reach its inbox (not when vm-core takes them, so
 * two ranks sending to each other never deadlock). {@link #close()} sends a flush marker
 * to every rank it sent to and waits for the answers, so the last frames (the spawner's
 * EXIT) arrive before the member leaves.
 *
 * <p>Ranks: the spawner (rank 0, no join address) starts the cluster. A worker joins,
 * listens on its topic (the registration reaches every member before it returns), then
 * proves to the spawner that it knows the cluster's secret ({@link HazelcastSecret}): it
 * sends JOIN, the spawner answers with a fresh nonce, the worker returns the HMAC of it
 * and both members' ids. The spawner then gives it the next rank and writes
 * {@code member UUID -> rank:signature} into {@code paravm.ranks}, which every member
 * follows, taking only entries signed with the secret. So a rank is known only once frames
 * can reach it; ranks are never reused. A member that leaves or dies is reported to
 * vm-core as {@code rankLost}, on every other member; a receive waiting for it is woken.
 *
 * <p>Security: the Hazelcast cluster name is derived from the secret, so a member without
 * it cannot join Hazelcast; one that joins anyway (it learnt the name) gets no rank, and
 * every member drops frames that do not come from the member holding the rank they
 * claim, logging the first from each member. Hazelcast's own Java deserialization is
 * limited to JDK and Hazelcast classes.
 */
final class HazelcastTransport implements Transport {

    static final String NAME = "hazelcast";
    static final String RANKS_MAP = "paravm.ranks";
    static final String TOPIC_PREFIX = "paravm.frames.";
    /** Few partitions: the one map is tiny, and joins and leaves migrate less. */
    static final int PARTITION_COUNT = 7;

    private static final Logger LOG = LoggerFactory.getLogger(HazelcastTransport.class);
    static final int HEADER = 5;
    /** How long a send waits for a rank it has not heard of yet to be announced here. */
    private static final long KNOWN_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);
    static final byte DATA = 0;
    private static final byte CREDIT = 1;
    private static final byte FLUSH = 2;
    private static final byte FLUSH_ACK = 3;
    /** Worker to spawner, before it has a rank: "I want one". */
    static final byte JOIN = 4;
    /** Spawner to worker: a nonce to prove the secret with. */
    static final byte CHALLENGE = 5;
    /** Worker to spawner: the HMAC of the nonce and both members' ids. */
    static final byte PROOF = 6;
    /** Spawner to worker: the proof was wrong; no rank. */
    static final byte REFUSED = 7;
    /** Challenges the spawner keeps open at once; older ones are forgotten. */
    private static final int MAX_OPEN_CHALLENGES = 1024;
    /** Members whose dropped frames are logged at WARN (the first one each); later drops are DEBUG. */
    private static final int MAX_MEMBERS_WARNED = 1024;

    private final boolean spawner;
    private final HazelcastSecret secret;
    /** ParaVM's name for the cluster; Hazelcast's is derived from it and the secret. */
    private final String clusterName;
    private final String[] userArgs;
    private final String host;
    private final int window;
    private final long flushMillis;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled on every change a waiter may care about: a frame, a rank, a loss, a wakeup, a flush answer. */
    private final Condition changed = lock.newCondition();
    private final FrameBacklog inbox = new FrameBacklog();               // guarded by lock
    private final Map<UUID, Integer> rankOf = new HashMap<>();           // guarded by lock
    private final Map<Integer, UUID> memberOf = new HashMap<>();         // guarded by lock
    private final Set<Integer> lost = new HashSet<>();                   // guarded by lock
    private final Set<Integer> flushed = new HashSet<>();                // guarded by lock
    private int size;                                                    // guarded by lock
    private boolean wakeup;                                              // guarded by lock
    private boolean closed;                                              // guarded by lock
    private MembershipListener listener;                                 // guarded by lock
    private final Map<UUID, byte[]> challenges = new LinkedHashMap<>();  // spawner: open JOINs; guarded by lock
    private final Map<Address, UUID> memberAt = new HashMap<>();         // ranked members by address; guarded by lock
    private final Set<Object> dropsLogged = new HashSet<>();             // guarded by lock
    private boolean refused;                                             // worker: by the spawner; guarded by lock

    private final Map<Integer, Semaphore> credits = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicInteger> unacknowledged = new ConcurrentHashMap<>();
    private final Map<Integer, ITopic<byte[]>> topics = new ConcurrentHashMap<>();
    private final Set<Integer> sentTo = ConcurrentHashMap.newKeySet();

    private volatile HazelcastInstance hz;
    private volatile UUID self;
    private volatile IMap<String, String> ranks;
    private volatile boolean started;
    private int rank = -1;

    private HazelcastTransport(VmConfig config) {
        String join = HazelcastProperties.get(config, HazelcastProperties.JOIN_PROP_NAME).orElse(null);
        this.spawner = join == null;
        this.secret = HazelcastSecret.of(config, spawner);
        this.clusterName = HazelcastProperties.get(config, HazelcastProperties.CLUSTER_PROP_NAME)
                .orElse(HazelcastProperties.CLUSTER_DEFAULT);
        this.userArgs = config.args();
        this.window = (int) HazelcastProperties.number(config, HazelcastProperties.WINDOW_FRAMES_PROP_NAME,
                HazelcastProperties.WINDOW_FRAMES_DEFAULT, 4);
        this.flushMillis = HazelcastProperties.number(config, HazelcastProperties.CLOSE_FLUSH_MILLIS_PROP_NAME,
                HazelcastProperties.CLOSE_FLUSH_MILLIS_DEFAULT, 0);
        this.host = localHostName();
    }

    /**
     * Starts this JVM's member: the spawner's when no join address is set, else a worker's.
     *
     * @param config the VM configuration
     * @return the started transport
     */
    static HazelcastTransport start(VmConfig config) {
        HazelcastTransport t = new HazelcastTransport(config);
        try {
            if (t.spawner) t.startSpawner(config);
            else t.startWorker(config);
        } catch (RuntimeException | Error e) {
            t.terminate();
            throw e;
        }
        return t;
    }

    // ---------------------------------------------------------------- start

    private void startSpawner(VmConfig config) {
        int port = (int) HazelcastProperties.number(config, HazelcastProperties.PORT_PROP_NAME,
                HazelcastProperties.PORT_DEFAULT, 1);
        int np = (int) HazelcastProperties.number(config, HazelcastProperties.NP_PROP_NAME,
                HazelcastProperties.NP_DEFAULT, 1);
        String iface = iface(config);
        if (!iface.contains("*")) requireFreePort(iface, port);
        Config c = baseConfig(config, port, false);
        if (!iface.contains("*")) c.getNetworkConfig().getJoin().getTcpIpConfig().addMember(iface + ":" + port);
        hz = newInstance(c, "the spawner could not start its Hazelcast member on " + iface + ":" + port
                + " (is the port taken? set " + HazelcastProperties.PORT_PROP_NAME + ")");
        UUID me = hz.getCluster().getLocalMember().getUuid();
        self = me;
        // A worker sends JOIN once it listens for frames; it gets the next rank once it has
        // proved it knows the secret, so a rank is known only once it can receive.
        subscribe(me);
        rank = 0;
        lock.lock();
        try {
            record(me, 0);
        } finally {
            lock.unlock();
        }
        ranks = hz.getMap(RANKS_MAP);
        ranks.set(me.toString(), secret.signedRank(me, 0));
        started = true;
        LOG.debug("spawner member {} of cluster '{}' listens on {}; waiting for {} rank(s)",
                hz.getCluster().getLocalMember().getAddress(), clusterName, port, np);
        awaitRanks(np, config.startupTimeout().toNanos());
    }

    /** Says plainly that the spawner's port is taken, which Hazelcast reports less clearly. */
    private static void requireFreePort(String iface, int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(InetAddress.getByName(iface), port));
        } catch (BindException e) {
            throw new VmException("the spawner's port " + iface + ":" + port + " is taken (by another program, or "
                    + "another ParaVM job); set " + HazelcastProperties.PORT_PROP_NAME + " to a free port, or start the "
                    + "job with HazelcastLauncher, which picks one");
        } catch (IOException e) {
            throw new VmException("the spawner cannot listen on " + iface + ":" + port + ": " + e + "; check "
                    + HazelcastProperties.INTERFACE_PROP_NAME + " names an address of this machine", e);
        }
    }

    private void awaitRanks(int np, long timeoutNanos) {
        lock.lock();
        try {
            long left = timeoutNanos;
            while (size < np) {
                if (left <= 0) {
                    throw new VmException("the spawner waited " + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos)
                            + " s for " + np + " ranks (" + HazelcastProperties.NP_PROP_NAME + "=" + np + ") to join "
                            + "cluster '" + clusterName + "', but only " + size + " did; start the workers with -D"
                            + HazelcastProperties.JOIN_PROP_NAME + "=<this host>:<port>, the same cluster name and the "
                            + "same secret (" + secret.origin() + "), or raise VmConfig.startupTimeout");
                }
                left = changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VmException("interrupted while waiting for " + np + " ranks to join", e);
        } finally {
            lock.unlock();
        }
    }

    private void startWorker(VmConfig config) {
        String join = HazelcastProperties.get(config, HazelcastProperties.JOIN_PROP_NAME).orElseThrow();
        int colon = join.lastIndexOf(':');
        int joinPort;
        try {
            joinPort = Integer.parseInt(join.substring(colon + 1));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            throw new VmException(HazelcastProperties.JOIN_PROP_NAME + "=" + join + " is not host:port, e.g. "
                    + "127.0.0.1:" + HazelcastProperties.PORT_DEFAULT);
        }
        int port = (int) HazelcastProperties.number(config, HazelcastProperties.PORT_PROP_NAME, joinPort + 1L, 1);
        long timeoutNanos = TimeUnit.SECONDS.toNanos(HazelcastProperties.number(config,
                HazelcastProperties.JOIN_TIMEOUT_SECONDS_PROP_NAME, HazelcastProperties.JOIN_TIMEOUT_SECONDS_DEFAULT, 1));
        Config c = baseConfig(config, port, true);
        c.getNetworkConfig().getJoin().getTcpIpConfig().addMember(join);
        String cluster = clusterName;
        hz = newInstance(c, "this worker could not start its Hazelcast member");
        if (hz.getCluster().getMembers().size() < 2) {
            throw new VmException("this worker found no spawner at " + join + " in cluster '" + cluster + "' with its "
                    + "secret (" + secret.origin() + "): start the spawner first, and give workers its address ("
                    + HazelcastProperties.JOIN_PROP_NAME + "), its cluster name (" + HazelcastProperties.CLUSTER_PROP_NAME
                    + ") and its secret (environment " + HazelcastProperties.envName(HazelcastProperties.SECRET_PROP_NAME)
                    + ", or " + HazelcastProperties.SECRET_FILE_PROP_NAME + "; a member with another secret is in "
                    + "another cluster) [" + VirtualMachines.ERROR_CODES_URL + "#hazelcast-secret]");
        }
        UUID me = hz.getCluster().getLocalMember().getUuid();
        self = me;
        subscribe(me);
        IMap<String, String> map = hz.getMap(RANKS_MAP);
        map.addEntryListener((EntryAddedListener<String, String>) e -> learnRank(e.getKey(), e.getValue()), true);
        for (Map.Entry<String, String> e : map.entrySet()) learnRank(e.getKey(), e.getValue());
        ranks = map;
        long deadline = System.nanoTime() + timeoutNanos;
        UUID spawnerMember = awaitRank(deadline, () -> memberOf.get(0), "found no spawner that signed its rank with "
                + "this worker's secret; is the member at " + join + " a ParaVM spawner?");
        publishTo(spawnerMember, JOIN, new byte[0]); // the spawner answers with a challenge; its answer gives the rank
        rank = awaitRank(deadline, () -> rankOf.get(me), "was given no rank; is the member at " + join
                + " a ParaVM spawner?");
        started = true;
        LOG.debug("worker rank {} joined cluster '{}' via {}", rank, cluster, join);
    }

    /** Worker: waits until {@code value} (read under the lock) is known, failing on refusal or at the deadline. */
    private <T> T awaitRank(long deadline, java.util.function.Supplier<T> value, String what) {
        lock.lock();
        try {
            while (true) {
                if (refused) {
                    throw new VmException("the spawner of cluster '" + clusterName + "' refused this worker: its secret ("
                            + secret.origin() + ") is not the cluster's; give it the spawner's secret (environment "
                            + HazelcastProperties.envName(HazelcastProperties.SECRET_PROP_NAME) + " or "
                            + HazelcastProperties.SECRET_FILE_PROP_NAME + ") [" + VirtualMachines.ERROR_CODES_URL
                            + "#hazelcast-secret]");
                }
                T v = value.get();
                if (v != null) return v;
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new VmException("this worker joined cluster '" + clusterName + "' but " + what + " (raise "
                            + HazelcastProperties.JOIN_TIMEOUT_SECONDS_PROP_NAME + ")");
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VmException("interrupted while waiting for a rank", e);
        } finally {
            lock.unlock();
        }
    }

    private Config baseConfig(VmConfig config, int port, boolean autoIncrement) {
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
        c.setProperty("hazelcast.shutdownhook.policy", "TERMINATE");
        c.setProperty("hazelcast.graceful.shutdown.max.wait", "10");
        NetworkConfig net = c.getNetworkConfig();
        net.setPort(port).setPortAutoIncrement(autoIncrement).setPortCount(HazelcastProperties.PORT_COUNT_DEFAULT);
        net.getInterfaces().setEnabled(true).addInterface(iface(config));
        JoinConfig join = net.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setConnectionTimeoutSeconds(1);
        c.addListenerConfig(new ListenerConfig(new com.hazelcast.cluster.MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
                // ranks are given once the member has proved it knows the secret (JOIN, CHALLENGE, PROOF)
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                memberGone(event.getMember().getUuid());
            }
        }));
        c.addListenerConfig(new ListenerConfig((com.hazelcast.core.LifecycleListener) this::lifecycle));
        return c;
    }

    private static String iface(VmConfig config) {
        return HazelcastProperties.get(config, HazelcastProperties.INTERFACE_PROP_NAME)
                .orElse(HazelcastProperties.INTERFACE_DEFAULT);
    }

    private static HazelcastInstance newInstance(Config c, String what) {
        try {
            return Hazelcast.newHazelcastInstance(c);
        } catch (RuntimeException e) {
            throw new VmException(what + ": " + e.getMessage(), e);
        }
    }

    /** Listens on this member's topic; returns once every member has the registration. */
    private void subscribe(UUID me) {
        hz.<byte[]>getTopic(TOPIC_PREFIX + me).addMessageListener(this::onMessage);
    }

    // ---------------------------------------------------------------- membership

    /** Spawner: gives a member that has proved it knows the secret the next rank, once. */
    private void assignRank(UUID member, Address address) {
        int r;
        lock.lock();
        try {
            if (rankOf.containsKey(member) || closed) return;
            r = size;
            record(member, r);
            if (address != null) memberAt.put(address, member);
        } finally {
            lock.unlock();
        }
        ranks.set(member.toString(), secret.signedRank(member, r));
        LOG.debug("member {} at {} is rank {}", member, address, r);
        if (started) joined(r);
    }

    /** Learns a member's rank from the spawner's map, if the spawner signed it. */
    private void learnRank(String member, String signed) {
        UUID uuid;
        try {
            uuid = UUID.fromString(member);
        } catch (IllegalArgumentException e) {
            LOG.warn("ignored an entry of {} for '{}', which is no member id", RANKS_MAP, printable(member));
            return;
        }
        OptionalInt r = secret.verifiedRank(uuid, signed);
        if (r.isEmpty()) {
            LOG.warn("ignored the rank {} claims in {}: it is not signed with this cluster's secret", uuid, RANKS_MAP);
            return;
        }
        Address address = null;
        for (Member m : hz.getCluster().getMembers()) if (m.getUuid().equals(uuid)) address = m.getAddress();
        lock.lock();
        try {
            if (rankOf.containsKey(uuid)) return;
            record(uuid, r.getAsInt());
            if (address != null) memberAt.put(address, uuid);
        } finally {
            lock.unlock();
        }
        if (started) joined(r.getAsInt());
    }

    private static String printable(String s) {
        String t = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return t.codePoints().map(ch -> Character.isISOControl(ch) ? '?' : ch)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }

    /** Lock held. */
    private void record(UUID member, int r) {
        rankOf.put(member, r);
        memberOf.put(r, member);
        size = Math.max(size, r + 1);
        changed.signalAll();
    }

    private void joined(int r) {
        MembershipListener l;
        lock.lock();
        try {
            l = listener;
        } finally {
            lock.unlock();
        }
        if (l != null) l.rankJoined(r);
    }

    private void memberGone(UUID member) {
        Integer r;
        lock.lock();
        try {
            r = rankOf.get(member);
            if (r == null) {
                LOG.debug("member {} left before it had a rank here", member);
                return;
            }
            if (!lost.add(r)) return;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        LOG.debug("rank {} (member {}) left the cluster", r, member);
        lost(r);
    }

    private void lost(int r) {
        MembershipListener l;
        lock.lock();
        try {
            l = closed ? null : listener;
        } finally {
            lock.unlock();
        }
        if (l != null) l.rankLost(r);
    }

    /** This member itself leaving (not by close()) loses the spawner for a worker, everything for the spawner. */
    private void lifecycle(LifecycleEvent event) {
        LifecycleEvent.LifecycleState s = event.getState();
        if (s != LifecycleEvent.LifecycleState.SHUTTING_DOWN && s != LifecycleEvent.LifecycleState.MERGING) return;
        List<Integer> gone = new ArrayList<>();
        lock.lock();
        try {
            if (closed) return;
            for (int r = 0; r < size; r++) if (r != rank && lost.add(r)) gone.add(r);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (!gone.isEmpty()) LOG.warn("rank {}: this Hazelcast member is {}; ranks {} are out of reach", rank, s, gone);
        for (int r : gone) lost(r);
    }

    @Override
    public void setMembershipListener(MembershipListener l) {
        List<Integer> already;
        lock.lock();
        try {
            listener = l;
            already = new ArrayList<>(lost);
        } finally {
            lock.unlock();
        }
        for (int r : already) l.rankLost(r);
    }

    // ---------------------------------------------------------------- frames

    /** Every frame from another member: handshake frames, else frames only from the member holding their rank. */
    private void onMessage(Message<byte[]> message) {
        byte[] b = message.getMessageObject();
        Member from = message.getPublishingMember();
        UUID publisher = publisherOf(from);
        if (b == null || b.length < HEADER) {
            dropped(publisher, from, "a frame shorter than its header");
            return;
        }
        switch (b[4]) {
            case JOIN -> {
                if (spawner && publisher != null) challenge(publisher, from);
                else dropped(publisher, from, "a JOIN, which only the spawner takes");
            }
            case PROOF -> {
                if (spawner && publisher != null) checkProof(publisher, from, Arrays.copyOfRange(b, HEADER, b.length));
                else dropped(publisher, from, "a join proof, which only the spawner takes");
            }
            case CHALLENGE, REFUSED -> {
                if (!spawner && publisher != null && publisher.equals(memberOfRank(0))) answer(b);
                else dropped(publisher, from, "a handshake frame that is not from the spawner");
            }
            default -> {
                Integer r = rankOfPublisher(publisher);
                int claimed = intAt(b, 0);
                if (r == null) dropped(publisher, from, "a frame from a member without a rank");
                else if (r != claimed) dropped(publisher, from, "a frame claiming rank " + claimed + " from rank " + r);
                else handle(b);
            }
        }
    }

    /** The publishing member's id; Hazelcast gives only its address once it has left. */
    private UUID publisherOf(Member from) {
        if (from == null) return null;
        if (from.getUuid() != null) return from.getUuid();
        lock.lock();
        try {
            return memberAt.get(from.getAddress());
        } finally {
            lock.unlock();
        }
    }

    private UUID memberOfRank(int r) {
        lock.lock();
        try {
            return memberOf.get(r);
        } finally {
            lock.unlock();
        }
    }

    /** The rank of a member, learning it from the map if its entry has not reached this member's listener yet. */
    private Integer rankOfPublisher(UUID publisher) {
        if (publisher == null) return null;
        lock.lock();
        try {
            Integer r = rankOf.get(publisher);
            if (r != null || ranks == null) return r;
        } finally {
            lock.unlock();
        }
        String signed = ranks.get(publisher.toString());
        if (signed == null) return null;
        learnRank(publisher.toString(), signed);
        lock.lock();
        try {
            return rankOf.get(publisher);
        } finally {
            lock.unlock();
        }
    }

    /** Logs a dropped frame: the first from each member as a warning, the rest at debug. */
    private void dropped(UUID publisher, Member from, String what) {
        boolean first;
        lock.lock();
        try {
            first = dropsLogged.size() < MAX_MEMBERS_WARNED && dropsLogged.add(publisher == null ? String.valueOf(from) : publisher);
        } finally {
            lock.unlock();
        }
        String address = from == null ? "?" : String.valueOf(from.getAddress());
        if (first) {
            LOG.warn("rank {} dropped {} from member {} at {}: frames are taken only from members that proved they know "
                    + "the cluster's secret, under their own rank (further drops from it are logged at debug)",
                    rank, what, publisher, address);
        } else {
            LOG.debug("rank {} dropped {} from member {} at {}", rank, what, publisher, address);
        }
    }

    /** Spawner: answers a JOIN with a fresh nonce. */
    private void challenge(UUID member, Member from) {
        byte[] nonce = HazelcastSecret.newNonce();
        lock.lock();
        try {
            if (rankOf.containsKey(member) || closed) return;
            challenges.remove(member);
            challenges.put(member, nonce);
            if (challenges.size() > MAX_OPEN_CHALLENGES) challenges.remove(challenges.keySet().iterator().next());
        } finally {
            lock.unlock();
        }
        LOG.debug("member {} at {} asks to join; challenging it", member, from.getAddress());
        publishTo(member, CHALLENGE, nonce);
    }

    /** Spawner: gives a rank for a right proof; refuses (and logs) a wrong one. */
    private void checkProof(UUID member, Member from, byte[] proof) {
        byte[] nonce;
        lock.lock();
        try {
            nonce = challenges.remove(member);
        } finally {
            lock.unlock();
        }
        if (nonce == null) {
            dropped(member, from, "a join proof it was not asked for");
        } else if (secret.isJoinProof(proof, nonce, member, self)) {
            assignRank(member, from.getAddress());
        } else {
            LOG.warn("refused member {} at {}: it does not know cluster '{}''s secret, so it gets no rank and its frames "
                    + "are dropped", member, from.getAddress(), clusterName);
            publishTo(member, REFUSED, new byte[0]);
        }
    }

    /** Worker: proves the secret to the spawner's challenge, or notes its refusal. */
    private void answer(byte[] b) {
        UUID spawnerMember = memberOfRank(0);
        lock.lock();
        try {
            if (rankOf.containsKey(self)) return;
            if (b[4] == REFUSED) {
                refused = true;
                changed.signalAll();
                return;
            }
        } finally {
            lock.unlock();
        }
        byte[] nonce = Arrays.copyOfRange(b, HEADER, b.length);
        publishTo(spawnerMember, PROOF, secret.joinProof(nonce, self, spawnerMember));
    }

    /** Publishes a handshake frame to a member's topic (it may have no rank yet). */
    private void publishTo(UUID member, byte kind, byte[] payload) {
        byte[] b = new byte[HEADER + payload.length];
        putInt(b, 0, rank);
        b[4] = kind;
        System.arraycopy(payload, 0, b, HEADER, payload.length);
        try {
            hz.<byte[]>getTopic(TOPIC_PREFIX + member).publish(b);
        } catch (RuntimeException e) {
            LOG.debug("could not send a handshake frame to member {}: {}", member, e.toString());
        }
    }

    private void handle(byte[] b) {
        if (b == null || b.length < HEADER) return;
        int source = (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
        switch (b[4]) {
            case DATA -> {
                Frame f = new Frame(source, ByteBuffer.wrap(b, HEADER, b.length - HEADER).slice().order(ByteOrder.LITTLE_ENDIAN));
                lock.lock();
                try {
                    inbox.add(f);
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
                if (source == rank) return; // a frame to itself took no credit
                int n = unacknowledged.computeIfAbsent(source, k -> new AtomicInteger()).incrementAndGet();
                if (n >= window / 4) {
                    unacknowledged.get(source).addAndGet(-n);
                    control(source, CREDIT, n);
                }
            }
            case CREDIT -> {
                if (b.length >= HEADER + 4) creditsFor(source).release(Math.max(0, intAt(b, HEADER)));
            }
            case FLUSH -> control(source, FLUSH_ACK, 0);
            case FLUSH_ACK -> {
                lock.lock();
                try {
                    flushed.add(source);
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
            default -> LOG.warn("dropped a frame of unknown kind {} from rank {}", b[4], source);
        }
    }

    private static int intAt(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | (b[i + 3] & 0xff) << 24;
    }

    private static void putInt(byte[] b, int i, int v) {
        b[i] = (byte) v;
        b[i + 1] = (byte) (v >>> 8);
        b[i + 2] = (byte) (v >>> 16);
        b[i + 3] = (byte) (v >>> 24);
    }

    private Semaphore creditsFor(int r) {
        return credits.computeIfAbsent(r, k -> new Semaphore(window));
    }

    private ITopic<byte[]> topic(int r) {
        ITopic<byte[]> t = topics.get(r);
        if (t != null) return t;
        UUID member;
        lock.lock();
        try {
            member = memberOf.get(r);
        } finally {
            lock.unlock();
        }
        if (member == null) throw new VmException("rank " + r + " is not (yet) known on rank " + rank);
        return topics.computeIfAbsent(r, k -> hz.getTopic(TOPIC_PREFIX + member));
    }

    private void control(int destination, byte kind, int value) {
        byte[] b = new byte[HEADER + 4];
        putInt(b, 0, rank);
        b[4] = kind;
        putInt(b, HEADER, value);
        try {
            topic(destination).publish(b);
        } catch (RuntimeException e) {
            LOG.debug("could not send a control frame to rank {}: {}", destination, e.toString());
        }
    }

    @Override
    public void send(int destination, ByteBuffer frame) {
        lock.lock();
        try {
            checkOpen();
            long left = KNOWN_WAIT_NANOS;
            while (destination > 0 && !memberOf.containsKey(destination) && left > 0 && !closed) {
                // a rank someone else already knows of may reach this member's map a moment later
                left = changed.awaitNanos(left);
            }
            checkOpen();
            if (destination < 0 || destination >= size || !memberOf.containsKey(destination)) {
                throw new VmException("rank " + destination + " outside [0, " + size + ") of Hazelcast cluster '"
                        + clusterName + "'");
            }
            if (lost.contains(destination)) {
                throw new VmException("rank " + destination + " has left Hazelcast cluster '"
                        + clusterName + "'; nothing more can be sent to it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VmException("interrupted while sending to rank " + destination, e);
        } finally {
            lock.unlock();
        }
        int n = frame.remaining();
        byte[] b = new byte[HEADER + n];
        putInt(b, 0, rank);
        b[4] = DATA;
        frame.duplicate().get(b, HEADER, n);
        if (destination == rank) {
            handle(b);
            return;
        }
        acquireCredit(destination);
        sentTo.add(destination);
        try {
            topic(destination).publish(b);
        } catch (RuntimeException e) {
            throw new VmException("Hazelcast could not send " + n + " bytes to rank " + destination + ": " + e.getMessage(), e);
        }
    }

    /** Waits while {@code window} frames to {@code destination} are in flight; fails if it leaves. */
    private void acquireCredit(int destination) {
        Semaphore s = creditsFor(destination);
        if (s.tryAcquire()) return;
        try {
            while (!s.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                lock.lock();
                try {
                    checkOpen();
                    if (lost.contains(destination)) {
                        throw new VmException("rank " + destination + " left while " + window
                                + " frames to it were in flight; this frame was not sent");
                    }
                } finally {
                    lock.unlock();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VmException("interrupted while waiting to send to rank " + destination, e);
        }
    }

    @Override
    public Frame receive(int source, long timeoutNanos) {
        lock.lock();
        try {
            long left = timeoutNanos;
            while (true) {
                checkOpen();
                Frame f = inbox.poll(source);
                if (f != null) return f;
                if (wakeup) {
                    wakeup = false;
                    return null;
                }
                if (timeoutNanos == 0) return null;
                if (timeoutNanos < 0) {
                    changed.await();
                } else {
                    if (left <= 0) return null;
                    left = changed.awaitNanos(left);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean probe(int source) {
        lock.lock();
        try {
            checkOpen();
            return inbox.contains(source);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void wakeup() {
        lock.lock();
        try {
            wakeup = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- identity

    /** This rank's member (for measurements beside the engine's own mechanisms). */
    HazelcastInstance instance() {
        return hz;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String hostName() {
        return host;
    }

    @Override
    public String[] userArgs() {
        return userArgs.clone();
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    // ---------------------------------------------------------------- close

    private void checkOpen() {
        if (closed) {
            throw new VmException("the Hazelcast transport of rank " + rank + " is closed (its member left the cluster)");
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) return;
        } finally {
            lock.unlock();
        }
        flush();
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        terminate();
        LOG.debug("rank {} left the cluster", rank);
    }

    /** Asks every rank this one sent to to confirm it has every frame; bounded by the flush timeout. */
    private void flush() {
        List<Integer> targets = new ArrayList<>();
        lock.lock();
        try {
            for (int r : sentTo) if (!lost.contains(r)) targets.add(r);
            flushed.clear();
        } finally {
            lock.unlock();
        }
        if (targets.isEmpty() || hz == null) return;
        for (int r : targets) control(r, FLUSH, 0);
        lock.lock();
        try {
            long left = TimeUnit.MILLISECONDS.toNanos(flushMillis);
            while (true) {
                targets.removeIf(r -> flushed.contains(r) || lost.contains(r));
                if (targets.isEmpty()) return;
                if (left <= 0) {
                    LOG.debug("rank {}: ranks {} did not confirm the last frames within {} ms", rank, targets, flushMillis);
                    return;
                }
                left = changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    private void terminate() {
        HazelcastInstance h = hz;
        if (h == null) return;
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
        try {
            h.getLifecycleService().shutdown();
        } catch (RuntimeException e) {
            LOG.debug("terminating the Hazelcast member failed: {}", e.toString());
        }
    }
}
