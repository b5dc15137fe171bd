package io.paravm.transport.hazelcast;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** One rank's numbered frames taken in the order it sent them, whatever order they came in. */
class ArrivalOrderTest {

    private final LinkedBlockingQueue<Integer> delivered = new LinkedBlockingQueue<>();

    private static byte[] frame(int rank, int sequence) {
        byte[] b = WireHeader.frame(rank, WireHeader.DATA, WireHeader.value(sequence));
        WireHeader.sequence(b, sequence);
        return b;
    }

    private void take(byte[] b) {
        delivered.add(WireHeader.value(b));
    }

    private List<Integer> deliveredSoFar() {
        List<Integer> l = new java.util.ArrayList<>();
        delivered.drainTo(l);
        return l;
    }

    @Test
    void framesThatOvertookOthersWaitForThemAndEachRankIsOrderedApart() {
        ArrivalOrder order = new ArrivalOrder(ArrivalOrder.GAP_BOUND_MILLIS, this::take);
        order.arrived(1, frame(1, 0));
        order.arrived(1, frame(1, 2));
        order.arrived(1, frame(1, 3));
        order.arrived(2, frame(2, 0)); // another rank's frames do not wait for rank 1's gap
        assertEquals(List.of(0, 0), deliveredSoFar());
        assertEquals(2, order.held());
        order.arrived(1, frame(1, 1));
        assertEquals(List.of(1, 2, 3), deliveredSoFar());
        assertEquals(0, order.held());
        order.arrived(1, frame(1, 4));
        assertEquals(List.of(4), deliveredSoFar());
    }

    @Test
    void numbersWrapFromTheLargestBackToZero() {
        ArrivalOrder order = new ArrivalOrder(ArrivalOrder.GAP_BOUND_MILLIS, this::take);
        order.expect(1, -2); // as after 2^32 - 2 frames
        order.arrived(1, frame(1, 1));
        order.arrived(1, frame(1, 0));
        order.arrived(1, frame(1, -1));
        assertEquals(List.of(), deliveredSoFar());
        order.arrived(1, frame(1, -2));
        assertEquals(List.of(-2, -1, 0, 1), deliveredSoFar());
    }

    @Test
    void aGapThatNeverClosesIsGivenUpAfterItsBoundAndTheLateFrameStillArrives() throws InterruptedException {
        ArrivalOrder order = new ArrivalOrder(100, this::take);
        order.arrived(1, frame(1, 0));
        order.arrived(1, frame(1, 2));
        assertEquals(0, delivered.take());
        assertNull(delivered.poll(), "frame 2 waits for frame 1");
        Integer next = delivered.poll(30, TimeUnit.SECONDS);
        assertNotNull(next, "frame 2 is delivered once the gap outlasted its bound");
        assertEquals(2, next);
        order.arrived(1, frame(1, 1));
        assertEquals(List.of(1), deliveredSoFar(), "frame 1, late, is still delivered");
        order.arrived(1, frame(1, 3));
        assertEquals(List.of(3), deliveredSoFar());
    }

    @Test
    void theFramesHeldFromALostRankAreDeliveredAtOnce() {
        ArrivalOrder order = new ArrivalOrder(ArrivalOrder.GAP_BOUND_MILLIS, this::take);
        order.arrived(3, frame(3, 1));
        order.arrived(3, frame(3, 2));
        assertEquals(List.of(), deliveredSoFar());
        order.rankLost(3);
        assertEquals(List.of(1, 2), deliveredSoFar());
        order.rankLost(4); // never heard of: nothing to do
        assertEquals(0, order.held());
    }
}
