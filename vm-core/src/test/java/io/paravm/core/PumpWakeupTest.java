package io.paravm.core;

import io.paravm.spi.Transport;
import io.paravm.spi.VmEvents;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A frame handed over to the thread that pumps the transport, while that thread is in its
 * zero-timeout poll, is taken at once: the pump does not go on to wait on the transport. The
 * poll takes the transport's wakeup and returns null for it (as {@link PolledTransport} and
 * Hazelcast's inbox do); before the fix the pump read that null as "nothing here" and waited out
 * the caller's whole timeout with the frame in its queue. Seen as a task that never got the
 * "go" of a task on its own rank (the flow-control TCK's rule 9.1, once in six CI runs).
 */
class PumpWakeupTest {

    @Test
    @DisplayName("a frame for the pumping thread's own rank, sent during its poll, is received, not left waiting")
    void aFrameHandedOverDuringThePollIsNotLeftWaiting() {
        Queue<Transport.Frame> own = new ConcurrentLinkedQueue<>();
        OneRankTransport transport = new OneRankTransport(own);
        FrameChannel channel = new FrameChannel(transport, new Codec(getClass().getClassLoader()), own::add, 1 << 20,
                new VmEvents());
        // Another thread of the rank sends to a task of this rank just while the pump polls.
        transport.duringFirstPoll = () -> channel.send(0, FrameKind.MESSAGE, 1, 2, "go");

        Optional<Transport.Frame> got = channel.receive(TimeUnit.SECONDS.toNanos(30), Transport.ANY_SOURCE,
                new FrameChannel.Inbox<>() {
                    @Override
                    public Transport.Frame waiting() {
                        return own.poll();
                    }

                    @Override
                    public Transport.Frame arrived(Transport.Frame frame) {
                        return frame;
                    }
                }, "receiveMessage");

        assertFalse(transport.waitedWithAFrameQueued, "the pump waited on the transport while the frame sent to it was queued");
        assertTrue(got.isPresent(), "the frame sent during the poll was not received");
        assertEquals("go", channel.codec().decode(Envelope.payload(got.get().payload())));
    }

    /**
     * Rank 0 of 1. A zero-timeout receive runs the hook once, then takes the wakeup flag and
     * returns null, as a polled engine does. A waiting receive that begins while a frame is
     * queued for the pump records that (the bug) and returns at once, so the test never hangs;
     * otherwise it waits for a wakeup (at most its timeout).
     */
    private static final class OneRankTransport implements Transport {
        private final Queue<Frame> ownQueue;
        volatile Runnable duringFirstPoll;
        volatile boolean waitedWithAFrameQueued;
        private boolean wakeup; // guarded by this

        OneRankTransport(Queue<Frame> ownQueue) {
            this.ownQueue = ownQueue;
        }

        @Override
        public Frame receive(int source, long timeoutNanos) {
            if (timeoutNanos == 0) {
                Runnable hook = duringFirstPoll;
                duringFirstPoll = null;
                if (hook != null) hook.run();
                synchronized (this) {
                    wakeup = false; // taken by the poll, which returns null for it
                }
                return null;
            }
            if (!ownQueue.isEmpty()) {
                waitedWithAFrameQueued = true;
                return null;
            }
            long deadline = System.nanoTime() + (timeoutNanos < 0 ? TimeUnit.SECONDS.toNanos(30) : timeoutNanos);
            synchronized (this) {
                while (!wakeup) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) return null;
                    try {
                        TimeUnit.NANOSECONDS.timedWait(this, left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return null;
                    }
                }
                wakeup = false;
                return null;
            }
        }

        @Override
        public synchronized void wakeup() {
            wakeup = true;
            notifyAll();
        }

        @Override
        public String name() {
            return "one-rank";
        }

        @Override
        public int rank() {
            return 0;
        }

        @Override
        public int size() {
            return 1;
        }

        @Override
        public String hostName() {
            return "localhost";
        }

        @Override
        public String[] userArgs() {
            return new String[0];
        }

        @Override
        public void send(int destination, ByteBuffer frame) {
            throw new AssertionError("a frame to this rank itself must not go to the engine");
        }

        @Override
        public boolean probe(int source) {
            return false;
        }

        @Override
        public void close() {
        }
    }
}
