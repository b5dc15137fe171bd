package io.paravm.transport.hazelcast;

import com.hazelcast.topic.ITopic;
import com.hazelcast.topic.MessageListener;
import io.paravm.VmException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Publishes frames on the members' topics, and listens on this member's.
 *
 * <p>Each member listens on its own, {@value #TOPIC_PREFIX} and its member id. A topic's
 * events are handled on one event thread in the order they arrived on the connection, but
 * Hazelcast lets one event in many be overtaken ({@link ArrivalOrder}), so the frames whose
 * order matters are numbered here, per receiving rank, as they are published.
 *
 * <pre>{@code
 * topics.subscribe(receiver);                          // this member's topic
 * topics.publishInOrder(1, WireHeader.frame(0, WireHeader.DATA, bytes));
 * }</pre>
 */
final class MemberTopics {

    static final String TOPIC_PREFIX = "paravm.frames.";

    private static final Logger LOG = LoggerFactory.getLogger(MemberTopics.class);

    private final LocalMember member;
    private final RankDirectory directory;
    private final Map<Integer, ITopic<byte[]>> byRank = new ConcurrentHashMap<>();
    /** Per receiving rank, the number its next numbered frame gets; the array is the lock that numbers and publishes. */
    private final Map<Integer, int[]> nextSequence = new ConcurrentHashMap<>();

    MemberTopics(LocalMember member, RankDirectory directory) {
        this.member = member;
        this.directory = directory;
    }

    /** Listens on this member's topic; returns once every member has the registration. */
    void subscribe(MessageListener<byte[]> listener) {
        member.hazelcast().<byte[]>getTopic(TOPIC_PREFIX + member.id()).addMessageListener(listener);
    }

    /** Returns the topic of the member holding rank {@code r}. */
    ITopic<byte[]> ofRank(int r) {
        ITopic<byte[]> t = byRank.get(r);
        if (t != null) return t;
        UUID m = directory.memberOfRank(r);
        if (m == null) throw new VmException("rank " + r + " is not (yet) known on rank " + member.rank());
        return byRank.computeIfAbsent(r, k -> member.hazelcast().getTopic(TOPIC_PREFIX + m));
    }

    /**
     * Numbers a frame ({@link WireHeader#isSequenced}) for rank {@code r} and publishes it; the
     * numbers go in the order the frames do, and a frame that could not be published gives
     * its number back.
     *
     * @throws RuntimeException what Hazelcast threw; the frame was not sent
     */
    void publishInOrder(int r, byte[] frame) {
        ITopic<byte[]> topic = ofRank(r);
        int[] next = nextSequence.computeIfAbsent(r, k -> new int[1]);
        synchronized (next) {
            WireHeader.sequence(frame, next[0]);
            topic.publish(frame);
            next[0]++;
        }
    }

    /** Publishes a handshake frame to a member's topic (it may have no rank yet); a failure is logged. */
    void handshake(UUID to, byte kind, byte[] payload) {
        byte[] b = WireHeader.frame(member.rank(), kind, payload);
        try {
            member.hazelcast().<byte[]>getTopic(TOPIC_PREFIX + to).publish(b);
        } catch (RuntimeException e) {
            LOG.debug("could not send a handshake frame to member {}: {}", to, e.toString());
        }
    }

    /** Publishes a control frame (credit, flush) carrying {@code value} to rank {@code r}; a failure is logged. */
    void control(int r, byte kind, int value) {
        byte[] b = WireHeader.frame(member.rank(), kind, WireHeader.value(value));
        try {
            if (WireHeader.isSequenced(kind)) publishInOrder(r, b);
            else ofRank(r).publish(b);
        } catch (RuntimeException e) {
            LOG.debug("could not send a control frame to rank {}: {}", r, e.toString());
        }
    }
}
