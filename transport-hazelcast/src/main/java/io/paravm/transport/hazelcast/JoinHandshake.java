package io.paravm.transport.hazelcast;

import com.hazelcast.cluster.Member;
import io.paravm.VirtualMachines;
import io.paravm.VmException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Gives a worker a rank once it proves it knows the cluster's secret.
 *
 * <p>Once a worker listens on its topic, it sends the spawner JOIN; the spawner answers with a
 * fresh nonce (CHALLENGE); the worker returns the HMAC of the nonce and both members' ids
 * (PROOF); the spawner then gives it the next rank in the {@link RankDirectory}, or answers
 * REFUSED and logs it. So a rank is known only once frames can reach it, and only members that
 * know the cluster's secret ({@link HazelcastSecret}) get one.
 *
 * <pre>{@code
 * int rank = handshake.join("10.0.0.5:5701", deadlineNanos);   // a worker, while it starts
 * handshake.challenge(publisher, from);                        // the spawner, on JOIN
 * }</pre>
 */
final class JoinHandshake {

    private static final Logger LOG = LoggerFactory.getLogger(JoinHandshake.class);
    /** Challenges the spawner keeps open at once; older ones are forgotten. */
    private static final int MAX_OPEN_CHALLENGES = 1024;

    private final LocalMember member;
    private final RankDirectory directory;
    private final MemberTopics topics;
    private final HazelcastSecret secret;
    private final DropLog drops;
    private final String clusterName;
    private final Map<UUID, byte[]> challenges = new LinkedHashMap<>();  // spawner: open JOINs; guarded by member's lock
    private boolean refused;                                             // worker: by the spawner; guarded by lock

    JoinHandshake(LocalMember member, RankDirectory directory, MemberTopics topics, HazelcastSecret secret, DropLog drops,
                  String clusterName) {
        this.member = member;
        this.directory = directory;
        this.topics = topics;
        this.secret = secret;
        this.drops = drops;
        this.clusterName = clusterName;
    }

    // ---------------------------------------------------------------- spawner

    /** Spawner: answers a JOIN with a fresh nonce. */
    void challenge(UUID worker, Member from) {
        byte[] nonce = HazelcastSecret.newNonce();
        member.lock();
        try {
            if (directory.rankOf(worker) != null || member.isClosed()) return;
            challenges.remove(worker);
            challenges.put(worker, nonce);
            if (challenges.size() > MAX_OPEN_CHALLENGES) challenges.remove(challenges.keySet().iterator().next());
        } finally {
            member.unlock();
        }
        LOG.debug("member {} at {} asks to join; challenging it", worker, from.getAddress());
        topics.handshake(worker, WireHeader.CHALLENGE, nonce);
    }

    /** Spawner: gives a rank for a right proof; refuses (and logs) a wrong one. */
    void checkProof(UUID worker, Member from, byte[] proof) {
        byte[] nonce = member.locked(() -> challenges.remove(worker));
        if (nonce == null) {
            drops.dropped(worker, from, "a join proof it was not asked for");
        } else if (secret.isJoinProof(proof, nonce, worker, member.id())) {
            directory.assignNext(worker, from.getAddress());
        } else {
            LOG.warn("refused member {} at {}: it does not know cluster '{}''s secret, so it gets no rank and its frames "
                    + "are dropped", worker, from.getAddress(), clusterName);
            topics.handshake(worker, WireHeader.REFUSED, new byte[0]);
        }
    }

    // ---------------------------------------------------------------- worker

    /**
     * Worker: finds the spawner in the rank directory, asks it for a rank and waits for it.
     *
     * @param join     the spawner's address, for messages
     * @param deadline {@link System#nanoTime()} by which the rank must be given
     * @return this member's rank
     * @throws VmException if the spawner refused this worker, or no rank came in time
     */
    int join(String join, long deadline) {
        UUID me = member.id();
        UUID spawner = awaitRank(deadline, () -> directory.memberOfRank(0), "found no spawner that signed its rank with "
                + "this worker's secret; is the member at " + join + " a ParaVM spawner?");
        topics.handshake(spawner, WireHeader.JOIN, new byte[0]); // the spawner challenges; the answer gives the rank
        return awaitRank(deadline, () -> directory.rankOf(me), "was given no rank; is the member at " + join
                + " a ParaVM spawner?");
    }

    /** Worker: proves the secret to the spawner's challenge, or notes its refusal. */
    void answer(byte[] b) {
        UUID spawner = directory.memberOfRank(0);
        member.lock();
        try {
            if (directory.rankOf(member.id()) != null) return;
            if (WireHeader.kind(b) == WireHeader.REFUSED) {
                refused = true;
                member.signalAll();
                return;
            }
        } finally {
            member.unlock();
        }
        topics.handshake(spawner, WireHeader.PROOF, secret.joinProof(WireHeader.payload(b), member.id(), spawner));
    }

    /** Worker: waits until {@code value} (read under the lock) is known, failing on refusal or at the deadline. */
    private <T> T awaitRank(long deadline, Supplier<T> value, String what) {
        member.lock();
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
                member.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VmException("interrupted while waiting for a rank", e);
        } finally {
            member.unlock();
        }
    }
}
