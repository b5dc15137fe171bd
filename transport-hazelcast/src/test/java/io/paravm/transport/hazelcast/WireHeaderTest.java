package io.paravm.transport.hazelcast;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The frame header on the wire: what members of other ParaVM builds read. */
class WireHeaderTest {

    @Test
    void headerIsTheSendersRankLittleEndianThenTheKindThenTheSequenceNumber() {
        byte[] b = WireHeader.frame(258, WireHeader.DATA, ByteBuffer.wrap(new byte[] {9, 8, 7}));
        WireHeader.sequence(b, 0x01020304);
        assertArrayEquals(new byte[] {2, 1, 0, 0, 0, 4, 3, 2, 1, 9, 8, 7}, b);
        assertEquals(258, WireHeader.rank(b));
        assertEquals(0x01020304, WireHeader.sequence(b));
        assertEquals(ByteBuffer.wrap(new byte[] {9, 8, 7}), WireHeader.payloadView(b));
        assertEquals(ByteOrder.LITTLE_ENDIAN, WireHeader.payloadView(b).order());
    }

    @Test
    void aWorkerWithoutRankSendsMinusOneAndControlFramesCarryOneNumber() {
        assertArrayEquals(new byte[] {-1, -1, -1, -1, 4, 0, 0, 0, 0}, WireHeader.frame(-1, WireHeader.JOIN, new byte[0]));
        byte[] credit = WireHeader.frame(1, WireHeader.CREDIT, WireHeader.value(256));
        assertArrayEquals(new byte[] {1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0}, credit);
        assertEquals(256, WireHeader.value(credit));
    }

    @Test
    void onlyDataAndTheFlushMarkerBehindItAreTakenInOrder() {
        assertTrue(WireHeader.isSequenced(WireHeader.DATA));
        assertTrue(WireHeader.isSequenced(WireHeader.FLUSH));
        for (byte kind : new byte[] {WireHeader.CREDIT, WireHeader.FLUSH_ACK, WireHeader.JOIN, WireHeader.CHALLENGE,
                WireHeader.PROOF, WireHeader.REFUSED}) {
            assertFalse(WireHeader.isSequenced(kind), "kind " + kind);
        }
    }
}
