package io.paravm.transport.hazelcast;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Writes and reads the 9-byte header in front of every frame on a member's topic.
 *
 * <p>The header is the sender's rank (4 bytes, little-endian; -1 from a worker that has no
 * rank yet), the frame's kind, and its sequence number (4 bytes, little-endian); the payload
 * follows (vm-core's bytes, a credit count, a nonce or a proof). Frames whose order matters
 * ({@link #isSequenced}: data, and the flush marker that must follow it) are numbered 0, 1,
 * 2, ... per sender and receiver, so the receiver can put them back in the order they were
 * sent ({@link ArrivalOrder}); the others carry 0.
 *
 * <pre>{@code
 * byte[] b = WireHeader.frame(rank, WireHeader.CREDIT, WireHeader.value(256));
 * if (WireHeader.kind(b) == WireHeader.CREDIT) credits.release(WireHeader.rank(b), WireHeader.value(b));
 * }</pre>
 */
final class WireHeader {

    /** Bytes of the header; the payload starts here. */
    static final int LENGTH = 9;
    /** Where the kind byte is, after the rank. */
    static final int KIND_OFFSET = 4;
    /** Where the sequence number is, after the kind. */
    static final int SEQUENCE_OFFSET = 5;

    /** vm-core's bytes. */
    static final byte DATA = 0;
    /** Receiver to sender: this many more frames may be in flight (a 4-byte count). */
    static final byte CREDIT = 1;
    /** Closing sender to receiver: confirm every frame so far has arrived. */
    static final byte FLUSH = 2;
    /** Receiver to closing sender: they have. */
    static final byte FLUSH_ACK = 3;
    /** Worker to spawner, before it has a rank: "I want one". */
    static final byte JOIN = 4;
    /** Spawner to worker: a nonce to prove the secret with. */
    static final byte CHALLENGE = 5;
    /** Worker to spawner: the HMAC of the nonce and both members' ids. */
    static final byte PROOF = 6;
    /** Spawner to worker: the proof was wrong; no rank. */
    static final byte REFUSED = 7;

    private WireHeader() {
    }

    /** Returns a frame of {@code kind} from {@code rank} carrying {@code payload}. */
    static byte[] frame(int rank, byte kind, byte[] payload) {
        byte[] b = header(rank, kind, payload.length);
        System.arraycopy(payload, 0, b, LENGTH, payload.length);
        return b;
    }

    /** Returns a frame of {@code kind} from {@code rank} carrying {@code payload}'s remaining bytes (not consumed). */
    static byte[] frame(int rank, byte kind, ByteBuffer payload) {
        byte[] b = header(rank, kind, payload.remaining());
        payload.duplicate().get(b, LENGTH, payload.remaining());
        return b;
    }

    private static byte[] header(int rank, byte kind, int payloadLength) {
        byte[] b = new byte[LENGTH + payloadLength];
        putInt(b, 0, rank);
        b[KIND_OFFSET] = kind;
        return b;
    }

    /** Returns the payload of a control frame: one number. */
    static byte[] value(int value) {
        byte[] b = new byte[4];
        putInt(b, 0, value);
        return b;
    }

    /** Returns whether {@code b} is long enough to hold a header. */
    static boolean isFrame(byte[] b) {
        return b != null && b.length >= LENGTH;
    }

    /** Returns the rank the sender claims. */
    static int rank(byte[] b) {
        return intAt(b, 0);
    }

    /** Returns the frame's kind. */
    static byte kind(byte[] b) {
        return b[KIND_OFFSET];
    }

    /** Returns whether a control frame carries its number. */
    static boolean hasValue(byte[] b) {
        return b.length >= LENGTH + 4;
    }

    /** Returns whether frames of {@code kind} are numbered and taken in the order they were sent. */
    static boolean isSequenced(byte kind) {
        return kind == DATA || kind == FLUSH;
    }

    /** Returns the frame's sequence number. */
    static int sequence(byte[] b) {
        return intAt(b, SEQUENCE_OFFSET);
    }

    /** Writes the frame's sequence number, in place. */
    static void sequence(byte[] b, int sequence) {
        putInt(b, SEQUENCE_OFFSET, sequence);
    }

    /** Returns the number a control frame carries. */
    static int value(byte[] b) {
        return intAt(b, LENGTH);
    }

    /** Returns a copy of the payload. */
    static byte[] payload(byte[] b) {
        return Arrays.copyOfRange(b, LENGTH, b.length);
    }

    /** Returns the payload in place, as vm-core reads it (little-endian, position 0). */
    static ByteBuffer payloadView(byte[] b) {
        return ByteBuffer.wrap(b, LENGTH, b.length - LENGTH).slice().order(ByteOrder.LITTLE_ENDIAN);
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
}
