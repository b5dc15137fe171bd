package io.paravm.core;

import java.nio.ByteBuffer;

/**
 * A frame kept on this rank: sent to itself, or held for a task that has not started yet.
 * A heap copy, because a transport's frame is valid only until its next receive.
 */
record LocalFrame(int source, ByteBuffer frame) {
    static LocalFrame copyOf(int source, ByteBuffer frame) {
        ByteBuffer copy = ByteBuffer.allocate(frame.remaining()).order(frame.order());
        copy.put(frame.duplicate()).flip();
        return new LocalFrame(source, copy);
    }
}
