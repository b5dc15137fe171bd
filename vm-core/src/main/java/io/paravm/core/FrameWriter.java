package io.paravm.core;

import io.paravm.MessageEncodingException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A reusable, growable direct buffer that frames are written into. Direct, so engines
 * that can send from native memory (MPI) do so without another copy. Grown for a large
 * frame, it goes back to its usual size when its rank has been idle ({@link #shrink()}).
 */
final class FrameWriter {
    static final int INITIAL_BYTES = 64 * 1024;
    private ByteBuffer buffer = ByteBuffer.allocateDirect(INITIAL_BYTES).order(ByteOrder.LITTLE_ENDIAN);

    /** When a frame last needed more than the usual size; read by the pumping thread. */
    private volatile long lastLargeNanos;

    /** How long ago a frame last needed more than the usual size. */
    long nanosSinceLarge(long now) {
        return now - lastLargeNanos;
    }

    /** Whether the buffer has grown past its usual size. */
    boolean grown() {
        return buffer.capacity() > INITIAL_BYTES;
    }

    /** Gives a grown buffer back (its memory goes with the next GC); the next large frame grows it again. */
    void shrink() {
        if (grown()) buffer = ByteBuffer.allocateDirect(INITIAL_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Clears the buffer for a new frame and returns it. */
    ByteBuffer start() {
        buffer.clear();
        return buffer;
    }

    /** Makes room for {@code bytes} more bytes, keeping what was written; returns the buffer. */
    ByteBuffer ensure(int bytes) {
        if (buffer.remaining() < bytes) {
            long needed = (long) buffer.position() + bytes;
            if (needed > Integer.MAX_VALUE - 8) {
                throw new MessageEncodingException("message of " + needed + " bytes exceeds the 2 GiB frame limit; "
                        + "split it into several messages", null);
            }
            int capacity = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, 2L * buffer.capacity()));
            ByteBuffer bigger = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
            buffer.flip();
            bigger.put(buffer);
            buffer = bigger;
        }
        return buffer;
    }

    /** Flips the buffer for sending and returns it. */
    ByteBuffer finish() {
        if (buffer.position() > INITIAL_BYTES) lastLargeNanos = System.nanoTime();
        return buffer.flip();
    }
}
