package io.paravm.transport.hazelcast;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.LifecycleEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.UUID;

/**
 * Turns Hazelcast's membership and lifecycle events into lost ranks.
 *
 * <p>A member that leaves or dies loses its rank, on every other member; this member itself
 * leaving (not by {@code close()}) loses the spawner for a worker, and everyone for the
 * spawner. Members are given ranks by the join handshake, not when Hazelcast adds them.
 *
 * <pre>{@code
 * config.addListenerConfig(new ListenerConfig(watch));
 * config.addListenerConfig(new ListenerConfig((LifecycleListener) watch::lifecycle));
 * }</pre>
 */
final class MemberWatch implements MembershipListener {

    private static final Logger LOG = LoggerFactory.getLogger(MemberWatch.class);

    private final LocalMember member;
    private final RankDirectory directory;
    private final MembershipEvents events;
    private final FrameReceiver receiver;

    MemberWatch(LocalMember member, RankDirectory directory, MembershipEvents events, FrameReceiver receiver) {
        this.member = member;
        this.directory = directory;
        this.events = events;
        this.receiver = receiver;
    }

    @Override
    public void memberAdded(MembershipEvent event) {
        // ranks are given once the member has proved it knows the secret (JOIN, CHALLENGE, PROOF)
    }

    @Override
    public void memberRemoved(MembershipEvent event) {
        UUID gone = event.getMember().getUuid();
        Integer r;
        member.lock();
        try {
            r = directory.rankOf(gone);
            if (r == null) {
                LOG.debug("member {} left before it had a rank here", gone);
                return;
            }
            if (!directory.markLost(r)) return;
        } finally {
            member.unlock();
        }
        LOG.debug("rank {} (member {}) left the cluster", r, gone);
        receiver.rankLost(r); // what it sent, before its loss
        events.lost(r);
    }

    /** This member itself shutting down or merging, not by {@code close()}: every other rank is out of reach. */
    void lifecycle(LifecycleEvent event) {
        LifecycleEvent.LifecycleState s = event.getState();
        if (s != LifecycleEvent.LifecycleState.SHUTTING_DOWN && s != LifecycleEvent.LifecycleState.MERGING) return;
        List<Integer> gone;
        member.lock();
        try {
            if (member.isClosed()) return;
            gone = directory.markOthersLost(member.rank());
        } finally {
            member.unlock();
        }
        if (!gone.isEmpty()) {
            // The JVM ending (System.exit, SIGTERM) ends its member by Hazelcast's shutdown hook: nothing to warn of.
            if (jvmEnding()) LOG.debug("rank {}: this JVM ends; ranks {} are out of reach", member.rank(), gone);
            else LOG.warn("rank {}: this Hazelcast member is {}; ranks {} are out of reach", member.rank(), s, gone);
        }
        for (int r : gone) events.lost(r);
    }

    /** Whether this JVM is shutting down: a shutdown hook can no longer be added. */
    private static boolean jvmEnding() {
        Thread probe = new Thread(() -> { });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }
}
