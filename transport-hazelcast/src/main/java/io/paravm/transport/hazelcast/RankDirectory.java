package io.paravm.transport.hazelcast;

import com.hazelcast.cluster.Address;
import com.hazelcast.cluster.Member;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import io.paravm.VmException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Knows which member holds which rank, and which ranks are gone.
 *
 * <p>The spawner gives the ranks out and writes each, signed with the secret, into the map
 * {@value #RANKS_MAP} ({@code member id -> rank:signature}); every member follows that map and
 * takes only entries signed with the cluster's secret. Ranks are never reused. Ranks that are
 * new after the start are reported to {@link MembershipEvents}.
 *
 * <pre>{@code
 * directory.follow(hazelcast.getMap(RankDirectory.RANKS_MAP)); // a worker
 * Integer r = directory.rankOfPublisher(message.getPublishingMember().getUuid());
 * }</pre>
 */
final class RankDirectory {

    static final String RANKS_MAP = "paravm.ranks";

    private static final Logger LOG = LoggerFactory.getLogger(RankDirectory.class);

    private final LocalMember member;
    private final HazelcastSecret secret;
    private final MembershipEvents events;
    private final Map<UUID, Integer> rankOf = new HashMap<>();           // guarded by member's lock
    private final Map<Integer, UUID> memberOf = new HashMap<>();         // guarded by member's lock
    private final Map<Address, UUID> memberAt = new HashMap<>();         // ranked members by address; guarded by lock
    private final Set<Integer> lost = new HashSet<>();                   // guarded by member's lock
    private int size;                                                    // guarded by member's lock
    private volatile IMap<String, String> ranks;

    RankDirectory(LocalMember member, HazelcastSecret secret, MembershipEvents events) {
        this.member = member;
        this.secret = secret;
        this.events = events;
    }

    /** Spawner: takes rank 0 and publishes it, so workers can find the spawner. */
    void takeSpawnerRank(IMap<String, String> map) {
        UUID me = member.id();
        member.lock();
        try {
            record(me, 0);
        } finally {
            member.unlock();
        }
        ranks = map;
        map.set(me.toString(), secret.signedRank(me, 0));
    }

    /**
     * Spawner: waits until {@code np} ranks, itself included, have joined.
     *
     * @param np           the ranks to wait for ({@link HazelcastProperties#NP_PROP_NAME})
     * @param timeoutNanos how long to wait
     * @param clusterName  ParaVM's name of the cluster, for the message
     * @throws VmException naming what workers need to join, if too few joined in time
     */
    void awaitRanks(int np, long timeoutNanos, String clusterName) {
        member.lock();
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
                left = member.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VmException("interrupted while waiting for " + np + " ranks to join", e);
        } finally {
            member.unlock();
        }
    }

    /** Worker: learns every rank in the spawner's map, now and as the spawner adds them. */
    void follow(IMap<String, String> map) {
        map.addEntryListener((EntryAddedListener<String, String>) e -> learn(e.getKey(), e.getValue()), true);
        for (Map.Entry<String, String> e : map.entrySet()) learn(e.getKey(), e.getValue());
        ranks = map;
    }

    /** Spawner: gives a member that has proved it knows the secret the next rank, once. */
    void assignNext(UUID m, Address address) {
        int r;
        member.lock();
        try {
            if (rankOf.containsKey(m) || member.isClosed()) return;
            r = size;
            record(m, r);
            if (address != null) memberAt.put(address, m);
        } finally {
            member.unlock();
        }
        ranks.set(m.toString(), secret.signedRank(m, r));
        LOG.debug("member {} at {} is rank {}", m, address, r);
        events.joined(r);
    }

    /** Learns a member's rank from the spawner's map, if the spawner signed it. */
    private void learn(String m, String signed) {
        UUID uuid;
        try {
            uuid = UUID.fromString(m);
        } catch (IllegalArgumentException e) {
            LOG.warn("ignored an entry of {} for '{}', which is no member id", RANKS_MAP, printable(m));
            return;
        }
        OptionalInt r = secret.verifiedRank(uuid, signed);
        if (r.isEmpty()) {
            LOG.warn("ignored the rank {} claims in {}: it is not signed with this cluster's secret", uuid, RANKS_MAP);
            return;
        }
        Address address = null;
        for (Member each : member.hazelcast().getCluster().getMembers()) {
            if (each.getUuid().equals(uuid)) address = each.getAddress();
        }
        member.lock();
        try {
            if (rankOf.containsKey(uuid)) return;
            record(uuid, r.getAsInt());
            if (address != null) memberAt.put(address, uuid);
        } finally {
            member.unlock();
        }
        events.joined(r.getAsInt());
    }

    private static String printable(String s) {
        String t = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return t.codePoints().map(ch -> Character.isISOControl(ch) ? '?' : ch)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }

    /** Lock held. */
    private void record(UUID m, int r) {
        rankOf.put(m, r);
        memberOf.put(r, m);
        size = Math.max(size, r + 1);
        member.signalAll();
    }

    /** The publishing member's id; Hazelcast gives only its address once it has left. */
    UUID publisherOf(Member from) {
        if (from == null) return null;
        if (from.getUuid() != null) return from.getUuid();
        return member.locked(() -> memberAt.get(from.getAddress()));
    }

    /** The rank of a member, learning it from the map if its entry has not reached this member's listener yet. */
    Integer rankOfPublisher(UUID publisher) {
        if (publisher == null) return null;
        member.lock();
        try {
            Integer r = rankOf.get(publisher);
            if (r != null || ranks == null) return r;
        } finally {
            member.unlock();
        }
        String signed = ranks.get(publisher.toString());
        if (signed == null) return null;
        learn(publisher.toString(), signed);
        return member.locked(() -> rankOf.get(publisher));
    }

    /** Returns the member holding rank {@code r}, or {@code null}. */
    UUID memberOfRank(int r) {
        return member.locked(() -> memberOf.get(r));
    }

    /** Returns the rank of member {@code m}, or {@code null}; lock held. */
    Integer rankOf(UUID m) {
        return rankOf.get(m);
    }

    /** Returns whether rank {@code r} is known here; lock held. */
    boolean isKnown(int r) {
        return memberOf.containsKey(r);
    }

    /** Returns the number of ranks ever known; lock held. */
    int size() {
        return size;
    }

    /** Returns whether rank {@code r} is gone; lock held. */
    boolean isLost(int r) {
        return lost.contains(r);
    }

    /** Returns the ranks known and not gone, but {@code self}; lock held. */
    List<Integer> liveRanksBut(int self) {
        List<Integer> live = new ArrayList<>();
        for (int r : memberOf.keySet()) if (r != self && !lost.contains(r)) live.add(r);
        return live;
    }

    /** Returns the ranks gone so far; lock held. */
    List<Integer> lostRanks() {
        return new ArrayList<>(lost);
    }

    /** Notes rank {@code r} gone and wakes the waiters; lock held. Returns whether it was not gone before. */
    boolean markLost(int r) {
        if (!lost.add(r)) return false;
        member.signalAll();
        return true;
    }

    /** Notes every rank but {@code self} gone and wakes the waiters; lock held. Returns the ranks newly gone. */
    List<Integer> markOthersLost(int self) {
        List<Integer> gone = new ArrayList<>();
        for (int r = 0; r < size; r++) if (r != self && lost.add(r)) gone.add(r);
        member.signalAll();
        return gone;
    }
}
