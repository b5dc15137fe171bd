package io.paravm.transport.hazelcast;

import com.hazelcast.cluster.Member;
import com.hazelcast.topic.Message;
import com.hazelcast.topic.MessageListener;
import io.paravm.spi.Transport.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * Takes in every frame published to this member's topic.
 *
 * <p>Handshake frames go to the {@link JoinHandshake} (JOIN and PROOF on the spawner,
 * CHALLENGE and REFUSED from the spawner on a worker). Any other frame is taken only from the
 * member holding the rank it claims: data goes to the inbox (giving credits back), credits to
 * the window, and flush markers are answered. Data and flush markers are taken in the order
 * their sender numbered them ({@link ArrivalOrder}). Everything else is dropped and logged.
 *
 * <pre>{@code
 * topics.subscribe(receiver);
 * receiver.handle(WireHeader.frame(rank, WireHeader.DATA, bytes)); // a frame to itself
 * }</pre>
 */
final class FrameReceiver implements MessageListener<byte[]> {

    private static final Logger LOG = LoggerFactory.getLogger(FrameReceiver.class);

    private final boolean spawner;
    private final LocalMember member;
    private final RankDirectory directory;
    private final JoinHandshake handshake;
    private final MemberTopics topics;
    private final Inbox inbox;
    private final CreditWindow credits;
    private final CloseFlush flush;
    private final DropLog drops;
    private final ArrivalOrder order = new ArrivalOrder(ArrivalOrder.GAP_BOUND_MILLIS, this::handle);

    FrameReceiver(boolean spawner, LocalMember member, RankDirectory directory, JoinHandshake handshake,
                  MemberTopics topics, Inbox inbox, CreditWindow credits, CloseFlush flush, DropLog drops) {
        this.spawner = spawner;
        this.member = member;
        this.directory = directory;
        this.handshake = handshake;
        this.topics = topics;
        this.inbox = inbox;
        this.credits = credits;
        this.flush = flush;
        this.drops = drops;
    }

    /** Every frame from another member: handshake frames, else frames only from the member holding their rank. */
    @Override
    public void onMessage(Message<byte[]> message) {
        byte[] b = message.getMessageObject();
        Member from = message.getPublishingMember();
        UUID publisher = directory.publisherOf(from);
        if (!WireHeader.isFrame(b)) {
            drops.dropped(publisher, from, "a frame shorter than its header");
            return;
        }
        switch (WireHeader.kind(b)) {
            case WireHeader.JOIN -> {
                if (spawner && publisher != null) handshake.challenge(publisher, from);
                else drops.dropped(publisher, from, "a JOIN, which only the spawner takes");
            }
            case WireHeader.PROOF -> {
                if (spawner && publisher != null) handshake.checkProof(publisher, from, WireHeader.payload(b));
                else drops.dropped(publisher, from, "a join proof, which only the spawner takes");
            }
            case WireHeader.CHALLENGE, WireHeader.REFUSED -> {
                if (!spawner && publisher != null && publisher.equals(directory.memberOfRank(0))) handshake.answer(b);
                else drops.dropped(publisher, from, "a handshake frame that is not from the spawner");
            }
            default -> {
                Integer r = directory.rankOfPublisher(publisher);
                int claimed = WireHeader.rank(b);
                if (r == null) drops.dropped(publisher, from, "a frame from a member without a rank");
                else if (r != claimed) drops.dropped(publisher, from, "a frame claiming rank " + claimed + " from rank " + r);
                else if (WireHeader.isSequenced(WireHeader.kind(b))) order.arrived(r, b);
                else handle(b);
            }
        }
    }

    /** Rank {@code r} is gone: the frames held behind a gap in its frames are taken now. */
    void rankLost(int r) {
        order.rankLost(r);
    }

    /** A frame from a ranked member, in its turn, or from this one to itself. */
    void handle(byte[] b) {
        if (!WireHeader.isFrame(b)) return;
        int source = WireHeader.rank(b);
        switch (WireHeader.kind(b)) {
            case WireHeader.DATA -> {
                inbox.add(new Frame(source, WireHeader.payloadView(b)));
                if (source == member.rank()) return; // a frame to itself took no credit
                int back = credits.received(source);
                if (back > 0) topics.control(source, WireHeader.CREDIT, back);
            }
            case WireHeader.CREDIT -> {
                if (WireHeader.hasValue(b)) credits.release(source, WireHeader.value(b));
            }
            case WireHeader.FLUSH -> topics.control(source, WireHeader.FLUSH_ACK, 0);
            case WireHeader.FLUSH_ACK -> flush.confirmed(source);
            default -> LOG.warn("dropped a frame of unknown kind {} from rank {}", WireHeader.kind(b), source);
        }
    }
}
