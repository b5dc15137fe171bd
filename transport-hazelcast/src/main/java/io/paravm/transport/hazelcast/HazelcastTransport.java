package io.paravm.transport.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import io.paravm.VmConfig;
import io.paravm.VmException;
import io.paravm.spi.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Moves frames between embedded Hazelcast members, one member (one rank) per JVM.
 *
 * <p>It plays the {@link Transport} role, over the parts that do the work.
 *
 * <p>Frames: each member listens on its own topic ({@link MemberTopics}); a frame is published
 * there as one {@code byte[]}, a {@link WireHeader} then vm-core's bytes (Hazelcast writes a
 * {@code byte[]} as it is, nothing is serialized twice), and taken by the
 * {@link FrameReceiver} into the {@link Inbox}, in the order they were sent
 * ({@link ArrivalOrder}). A sender has a bounded number of frames in
 * flight to each rank ({@link CreditWindow}), and {@link #close()} first has the last frames
 * confirmed ({@link CloseFlush}), so the spawner's EXIT arrives before its member leaves.
 *
 * <p>Leaving: members leave workers first, the spawner last, so that none sees another vanish
 * and suspects it. A worker's member leaves gracefully (on {@code close()}, and by Hazelcast's
 * shutdown hook when its JVM is told to end); the spawner's {@code close()} waits, at most
 * {@link HazelcastProperties#CLOSE_LEAVE_MILLIS_PROP_NAME}, for the workers it asked to exit to
 * have left before its own member leaves, alone.
 *
 * <p>Ranks: the spawner (rank 0, no join address) starts the cluster
 * ({@link HazelcastMemberConfig}). A worker joins, listens on its topic, then earns a rank by
 * proving it knows the cluster's secret ({@link JoinHandshake}); the spawner publishes each
 * rank, signed, in the {@link RankDirectory}, which every member follows. A member that leaves
 * or dies is reported to vm-core as {@code rankLost} on every other member
 * ({@link MemberWatch}, {@link MembershipEvents}); a receive waiting for it is woken.
 *
 * <p>Security: the Hazelcast cluster name is derived from the secret, so a member without it
 * cannot join Hazelcast; one that joins anyway (it learnt the name) gets no rank, and every
 * member drops frames that do not come from the member holding the rank they claim, logging
 * the first from each member ({@link DropLog}). Hazelcast's own Java deserialization is
 * limited to JDK and Hazelcast classes.
 *
 * <pre>{@code
 * Transport t = HazelcastTransport.start(VmConfig.builder().build()); // rank 0 unless paravm.hazelcast.join is set
 * }</pre>
 */
final class HazelcastTransport implements Transport {

    static final String NAME = "hazelcast";

    private static final Logger LOG = LoggerFactory.getLogger(HazelcastTransport.class);
    /** How long a send waits for a rank it has not heard of yet to be announced here. */
    private static final long KNOWN_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final boolean spawner;
    /** ParaVM's name for the cluster; Hazelcast's is derived from it and the secret. */
    private final String clusterName;
    private final String[] userArgs;
    private final String host;
    private final long flushMillis;
    private final long leaveMillis;

    private final LocalMember member = new LocalMember();
    private final MembershipEvents events = new MembershipEvents(member);
    private final RankDirectory directory;
    private final MemberTopics topics;
    private final Inbox inbox = new Inbox(member);
    private final CreditWindow credits;
    private final CloseFlush flush;
    private final JoinHandshake handshake;
    private final FrameReceiver receiver;
    private final HazelcastMemberConfig members;

    private HazelcastTransport(VmConfig config) {
        this.spawner = HazelcastProperties.get(config, HazelcastProperties.JOIN_PROP_NAME).isEmpty();
        HazelcastSecret secret = HazelcastSecret.of(config, spawner);
        this.clusterName = HazelcastProperties.get(config, HazelcastProperties.CLUSTER_PROP_NAME)
                .orElse(HazelcastProperties.CLUSTER_DEFAULT);
        this.userArgs = config.args();
        int window = (int) HazelcastProperties.number(config, HazelcastProperties.WINDOW_FRAMES_PROP_NAME,
                HazelcastProperties.WINDOW_FRAMES_DEFAULT, 4);
        this.flushMillis = HazelcastProperties.number(config, HazelcastProperties.CLOSE_FLUSH_MILLIS_PROP_NAME,
                HazelcastProperties.CLOSE_FLUSH_MILLIS_DEFAULT, 0);
        this.leaveMillis = HazelcastProperties.number(config, HazelcastProperties.CLOSE_LEAVE_MILLIS_PROP_NAME,
                HazelcastProperties.CLOSE_LEAVE_MILLIS_DEFAULT, 0);
        this.host = localHostName();
        this.directory = new RankDirectory(member, secret, events);
        this.topics = new MemberTopics(member, directory);
        this.credits = new CreditWindow(member, directory, window);
        this.flush = new CloseFlush(member, directory);
        DropLog drops = new DropLog(member);
        this.handshake = new JoinHandshake(member, directory, topics, secret, drops, clusterName);
        this.receiver = new FrameReceiver(spawner, member, directory, handshake, topics, inbox, credits, flush, drops);
        this.members = new HazelcastMemberConfig(config, secret, clusterName, new MemberWatch(member, directory, events, receiver));
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
        member.started(members.startSpawner(port));
        // A worker sends JOIN once it listens for frames; it gets the next rank once it has
        // proved it knows the secret, so a rank is known only once it can receive.
        topics.subscribe(receiver);
        member.rank(0);
        directory.takeSpawnerRank(member.hazelcast().getMap(RankDirectory.RANKS_MAP));
        events.started();
        LOG.debug("spawner member {} of cluster '{}' listens on {}; waiting for {} rank(s)",
                member.hazelcast().getCluster().getLocalMember().getAddress(), clusterName, port, np);
        directory.awaitRanks(np, config.startupTimeout().toNanos(), clusterName);
    }

    private void startWorker(VmConfig config) {
        String join = HazelcastProperties.get(config, HazelcastProperties.JOIN_PROP_NAME).orElseThrow();
        long timeoutSeconds = HazelcastProperties.number(config, HazelcastProperties.JOIN_TIMEOUT_SECONDS_PROP_NAME,
                HazelcastProperties.JOIN_TIMEOUT_SECONDS_DEFAULT, 1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        // A member that finds nobody at the address would start a cluster of its own: wait for
        // the spawner to listen first, so a worker may start before it.
        SpawnerProbe.awaitListening(join, timeoutSeconds, deadline);
        member.started(members.startWorker(join));
        members.requireSpawner(member.hazelcast(), join);
        topics.subscribe(receiver);
        directory.follow(member.hazelcast().getMap(RankDirectory.RANKS_MAP));
        member.rank(handshake.join(join, deadline));
        events.started();
        LOG.debug("worker rank {} joined cluster '{}' via {}", member.rank(), clusterName, join);
    }

    @Override
    public void setMembershipListener(MembershipListener l) {
        events.listen(l, directory::lostRanks);
    }

    // ---------------------------------------------------------------- frames

    @Override
    public void send(int destination, ByteBuffer frame) {
        member.lock();
        try {
            member.checkOpen();
            long left = KNOWN_WAIT_NANOS;
            while (destination > 0 && !directory.isKnown(destination) && left > 0 && !member.isClosed()) {
                // a rank someone else already knows of may reach this member's map a moment later
                left = member.awaitNanos(left);
            }
            member.checkOpen();
            if (destination < 0 || destination >= directory.size() || !directory.isKnown(destination)) {
                throw new VmException("rank " + destination + " outside [0, " + directory.size()
                        + ") of Hazelcast cluster '" + clusterName + "'");
            }
            if (directory.isLost(destination)) {
                throw new VmException("rank " + destination + " has left Hazelcast cluster '"
                        + clusterName + "'; nothing more can be sent to it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VmException("interrupted while sending to rank " + destination, e);
        } finally {
            member.unlock();
        }
        int n = frame.remaining();
        byte[] b = WireHeader.frame(member.rank(), WireHeader.DATA, frame);
        if (destination == member.rank()) {
            receiver.handle(b);
            return;
        }
        credits.acquire(destination);
        flush.sentTo(destination);
        try {
            topics.publishInOrder(destination, b);
        } catch (RuntimeException e) {
            throw new VmException("Hazelcast could not send " + n + " bytes to rank " + destination + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Frame receive(int source, long timeoutNanos) {
        return inbox.receive(source, timeoutNanos);
    }

    @Override
    public boolean probe(int source) {
        return inbox.probe(source);
    }

    @Override
    public void wakeup() {
        inbox.wakeup();
    }

    // ---------------------------------------------------------------- identity

    /** This rank's member (for measurements beside the engine's own mechanisms). */
    HazelcastInstance instance() {
        return member.hazelcast();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int rank() {
        return member.rank();
    }

    @Override
    public int size() {
        return member.locked(directory::size);
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

    @Override
    public void close() {
        if (member.locked(member::isClosed)) return;
        flush.await(topics, flushMillis);
        member.lock();
        try {
            if (member.isClosed()) return;
            member.markClosed();
            member.signalAll();
        } finally {
            member.unlock();
        }
        if (spawner) awaitWorkersLeft();
        terminate();
        LOG.debug("rank {} left the cluster", member.rank());
    }

    /**
     * Spawner: waits at most {@link #leaveMillis} for every worker's member to leave the
     * cluster (vm-core has asked them to exit), so that the spawner's member leaves last, alone:
     * no worker sees it vanish, suspects it, or takes over as master.
     */
    private void awaitWorkersLeft() {
        long left = TimeUnit.MILLISECONDS.toNanos(leaveMillis);
        member.lock();
        try {
            List<Integer> staying;
            while (!(staying = directory.liveRanksBut(0)).isEmpty()) {
                if (left <= 0) {
                    LOG.debug("ranks {} were still in the cluster {} ms after close(); the spawner leaves first ({})",
                            staying, leaveMillis, HazelcastProperties.CLOSE_LEAVE_MILLIS_PROP_NAME);
                    return;
                }
                left = member.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            member.unlock();
        }
    }

    private void terminate() {
        HazelcastInstance h = member.hazelcast();
        if (h == null) return;
        member.lock();
        try {
            member.markClosed();
        } finally {
            member.unlock();
        }
        try {
            h.getLifecycleService().shutdown();
        } catch (RuntimeException e) {
            LOG.debug("terminating the Hazelcast member failed: {}", e.toString());
        }
    }
}
