package io.paravm.transport.hazelcast;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Puts each rank's numbered frames back in the order it sent them ({@link WireHeader#isSequenced}).
 *
 * <p>Why: Hazelcast keeps a topic's events in order, except one in every
 * {@code hazelcast.event.sync.frequency} (100,000) a member publishes, which goes as an
 * operation the sender waits for at most {@code hazelcast.event.sync.timeout.millis} (5 s).
 * The receiver runs that operation on another thread before it queues the event, so when the
 * wait times out (a large frame on a busy machine), the frames sent after it overtake it. A
 * frame that comes early is held until the ones before it have come.
 *
 * <p>A gap that stays open {@code gapBoundMillis} is a frame Hazelcast lost (it drops events
 * when a member's event queue stays full): the frames held behind it are then delivered, with an
 * error that names what is missing, rather than held for ever; one that comes after all is
 * delivered late, with a warning. Frames held do not give credit back ({@link CreditWindow})
 * until they are delivered, so a sender has at most its window of frames held here.
 *
 * <pre>{@code
 * ArrivalOrder order = new ArrivalOrder(GAP_BOUND_MILLIS, receiver::handle);
 * order.arrived(WireHeader.rank(b), b);   // each numbered frame from another member
 * order.rankLost(3);                      // delivers what was held behind a gap from rank 3
 * }</pre>
 */
final class ArrivalOrder {

    /** How long a gap in a rank's frames may stay open before the frames behind it go on without it. */
    static final long GAP_BOUND_MILLIS = 60_000;

    private static final Logger LOG = LoggerFactory.getLogger(ArrivalOrder.class);

    /** One sending rank's frames: the number it sends next, and those that came before their turn. */
    private static final class FromRank {
        final int rank;
        int expected;
        final TreeMap<Integer, byte[]> early = new TreeMap<>(ArrivalOrder::compareSequence);
        /** When the oldest open gap opened (nanoTime), while {@link #early} is not empty. */
        long gapSince;
        boolean expiryScheduled;

        FromRank(int rank) {
            this.rank = rank;
        }
    }

    private final long gapBoundNanos;
    private final Consumer<byte[]> deliver;
    private final Executor expiry;
    private final Map<Integer, FromRank> ranks = new ConcurrentHashMap<>();

    /**
     * @param gapBoundMillis how long a gap may stay open
     * @param deliver        takes each frame, in order; called with that rank's state locked, so
     *                       one rank's frames are taken one at a time
     */
    ArrivalOrder(long gapBoundMillis, Consumer<byte[]> deliver) {
        this.gapBoundNanos = TimeUnit.MILLISECONDS.toNanos(gapBoundMillis);
        this.deliver = deliver;
        this.expiry = CompletableFuture.delayedExecutor(gapBoundMillis, TimeUnit.MILLISECONDS);
    }

    /** Takes a numbered frame from {@code rank}: delivers it and any held behind it now in turn, or holds it. */
    void arrived(int rank, byte[] frame) {
        FromRank from = ranks.computeIfAbsent(rank, FromRank::new);
        int sequence = WireHeader.sequence(frame);
        synchronized (from) {
            int ahead = sequence - from.expected; // wraps as the numbers do
            if (ahead == 0) {
                from.expected++;
                deliver.accept(frame);
                deliverInTurn(from);
            } else if (ahead > 0) {
                if (from.early.isEmpty()) from.gapSince = System.nanoTime();
                from.early.put(sequence, frame);
                scheduleExpiry(from);
            } else {
                LOG.warn("frame {} from rank {} came after the frames it sent later had been delivered without it; "
                        + "delivered late", Integer.toUnsignedString(sequence), rank);
                deliver.accept(frame);
            }
        }
    }

    /** Rank {@code rank} is gone: what it sent is all there will be, so the frames held are delivered. */
    void rankLost(int rank) {
        FromRank from = ranks.get(rank);
        if (from == null) return;
        synchronized (from) {
            if (!from.early.isEmpty()) skipGap(from, true, "rank " + rank + " was lost");
        }
    }

    /** Sets the number the next frame from {@code rank} has; for tests (numbers wrapping). */
    void expect(int rank, int sequence) {
        FromRank from = ranks.computeIfAbsent(rank, FromRank::new);
        synchronized (from) {
            from.expected = sequence;
        }
    }

    /** How many frames are held behind a gap; for tests. */
    int held() {
        int n = 0;
        for (FromRank from : ranks.values()) {
            synchronized (from) {
                n += from.early.size();
            }
        }
        return n;
    }

    /** Delivers the held frames whose turn has come; rank's state locked. */
    private void deliverInTurn(FromRank from) {
        byte[] next;
        while ((next = from.early.remove(from.expected)) != null) {
            from.expected++;
            deliver.accept(next);
        }
        if (!from.early.isEmpty()) from.gapSince = System.nanoTime(); // the next gap opens now
    }

    /** Gives up on the frames missing before the first held one, and delivers from there; rank's state locked. */
    private void skipGap(FromRank from, boolean lost, String why) {
        int first = from.early.firstKey();
        String missing = first - from.expected == 1 ? "frame " + Integer.toUnsignedString(from.expected)
                : "frames " + Integer.toUnsignedString(from.expected) + " to " + Integer.toUnsignedString(first - 1);
        String text = missing + " from rank " + from.rank + " never arrived (" + why + "); the " + from.early.size()
                + " frame(s) it sent after them are delivered without them";
        if (lost) LOG.warn(text);  // the rank's loss is reported anyway: what it had in flight is gone with it
        else LOG.error(text);      // a frame Hazelcast dropped
        from.expected = first;
        deliverInTurn(from);
    }

    private void scheduleExpiry(FromRank from) {
        if (from.expiryScheduled) return;
        from.expiryScheduled = true;
        expiry.execute(() -> expire(from));
    }

    /** Runs a bound after a gap was noticed: skips it if it is still open, else looks again later. */
    private void expire(FromRank from) {
        synchronized (from) {
            from.expiryScheduled = false;
            if (from.early.isEmpty()) return;
            if (System.nanoTime() - from.gapSince >= gapBoundNanos) {
                skipGap(from, false, "the gap stayed open " + TimeUnit.NANOSECONDS.toMillis(gapBoundNanos) + " ms");
            }
            if (!from.early.isEmpty()) scheduleExpiry(from);
        }
    }

    private static int compareSequence(Integer a, Integer b) {
        return Integer.compare(a - b, 0); // in the order sent, across the wrap from 2^32 - 1 to 0
    }
}
