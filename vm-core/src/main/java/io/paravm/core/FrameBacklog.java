package io.paravm.core;

import io.paravm.spi.Transport.Frame;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.function.Predicate;

/**
 * Frames waiting on this rank, in arrival order, taken by sender: the first frame from a
 * given rank, or from anyone. Transports keep frames here that the engine delivered before
 * they were asked for, and vm-core keeps frames a rank sent itself. Not thread-safe: the
 * owner guards it with its own lock.
 *
 * <pre>{@code
 * backlog.add(FrameBacklog.copyOf(source, bytes));
 * Frame next = backlog.poll(Transport.ANY_SOURCE);
 * }</pre>
 */
public final class FrameBacklog {

    private final ArrayDeque<Frame> frames = new ArrayDeque<>();

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
        frames.add(frame);
    }

    /**
     * Takes the first frame from {@code source}.
     *
     * @param source a rank, or a negative number for any rank
     * @return the frame, or {@code null} if none waits
     */
    public Frame poll(int source) {
        if (source < 0) return frames.poll();
        for (Iterator<Frame> it = frames.iterator(); it.hasNext(); ) {
            Frame f = it.next();
            if (f.source() == source) {
                it.remove();
                return f;
            }
        }
        return null;
    }

    /**
     * Takes the first frame from {@code source} that {@code accept} takes.
     *
     * @param source a rank, or a negative number for any rank
     * @param accept which frames qualify
     * @return the frame, or {@code null} if none waits
     */
    public Frame poll(int source, Predicate<Frame> accept) {
        for (Iterator<Frame> it = frames.iterator(); it.hasNext(); ) {
            Frame f = it.next();
            if ((source < 0 || f.source() == source) && accept.test(f)) {
                it.remove();
                return f;
            }
        }
        return null;
    }

    /**
     * @param source a rank, or a negative number for any rank
     * @return whether a frame from {@code source} waits
     */
    public boolean contains(int source) {
        if (source < 0) return !frames.isEmpty();
        for (Frame f : frames) if (f.source() == source) return true;
        return false;
    }
}
