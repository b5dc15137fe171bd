package io.paravm.transport.hazelcast;

import io.paravm.core.FrameBacklog;
import io.paravm.spi.Transport.Frame;

/**
 * Holds the frames that reached this member until vm-core takes them.
 *
 * <p>A receive waits here for a frame, a wakeup, or the member leaving, without burning a
 * core.
 *
 * <pre>{@code
 * inbox.add(new Frame(source, WireHeader.payloadView(bytes)));  // on the topic's event thread
 * Frame f = inbox.receive(Transport.ANY_SOURCE, 1_000_000_000L); // in vm-core
 * }</pre>
 */
final class Inbox {

    private final LocalMember member;
    private final FrameBacklog frames = new FrameBacklog();  // guarded by member's lock
    private boolean wakeup;                                  // guarded by member's lock

    Inbox(LocalMember member) {
        this.member = member;
    }

    /** Takes a frame in and wakes the receivers. */
    void add(Frame f) {
        member.lock();
        try {
            frames.add(f);
            member.signalAll();
        } finally {
            member.unlock();
        }
    }

    /** As {@link io.paravm.spi.Transport#receive}. */
    Frame receive(int source, long timeoutNanos) {
        member.lock();
        try {
            long left = timeoutNanos;
            while (true) {
                member.checkOpen();
                Frame f = frames.poll(source);
                if (f != null) return f;
                if (wakeup) {
                    wakeup = false;
                    return null;
                }
                if (timeoutNanos == 0) return null;
                if (timeoutNanos < 0) {
                    member.await();
                } else {
                    if (left <= 0) return null;
                    left = member.awaitNanos(left);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            member.unlock();
        }
    }

    /** As {@link io.paravm.spi.Transport#probe}. */
    boolean probe(int source) {
        member.lock();
        try {
            member.checkOpen();
            return frames.contains(source);
        } finally {
            member.unlock();
        }
    }

    /** As {@link io.paravm.spi.Transport#wakeup}. */
    void wakeup() {
        member.change(() -> wakeup = true);
    }
}
