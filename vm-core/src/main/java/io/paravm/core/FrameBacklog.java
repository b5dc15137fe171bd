package io.paravm.core;

import io.paravm.spi.Transport.Frame;

import java.nio.ByteBuffer;

/**
 * Frames waiting on this rank, in arrival order, taken by sender: the first frame from a
 * given rank, or from anyone, each in O(1) amortized however many frames from other ranks
 * wait. Transports keep frames here that the engine delivered before they were asked for,
 * and vm-core keeps frames a rank sent itself. Not thread-safe: the owner guards it with its
 * own lock.
 *
 * <pre>{@code
 * backlog.add(FrameBacklog.copyOf(source, bytes));
 * Frame next = backlog.poll(Transport.ANY_SOURCE);
 * }</pre>
 */
public final class FrameBacklog {

    private final SenderQueues<Frame> frames = new SenderQueues<>();

    /**
     * A frame whose bytes are a heap copy of {@code bytes} (position to limit), for keeping
     * past the next receive.
     *
     * @param source the sending rank
     * @param bytes  the frame's bytes; not changed
     * @return the copy
     */
    public static Frame copyOf(int source, ByteBuffer bytes) {
        ByteBuffer copy = ByteBuffer.allocate(bytes.remaining()).order(bytes.order());
        copy.put(bytes.duplicate()).flip();
        return new Frame(source, copy);
    }

    /** @param frame a frame that stays valid while it waits here */
    public void add(Frame frame) {
        frames.add(frame.source(), frame);
    }

    /**
     * Takes the first frame from {@code source}.
     *
     * @param source a rank, or a negative number for any rank
     * @return the frame, or {@code null} if none waits
     */
    public Frame poll(int source) {
        return source < 0 ? frames.pollAny() : frames.poll(source);
    }

    /**
     * @param source a rank, or a negative number for any rank
     * @return whether a frame from {@code source} waits
     */
    public boolean contains(int source) {
        return source < 0 ? !frames.isEmpty() : frames.contains(source);
    }
}
