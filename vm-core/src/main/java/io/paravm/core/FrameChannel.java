package io.paravm.core;

import io.paravm.MessageDecodingException;
import io.paravm.Received;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.VmClosedException;
import io.paravm.VmException;
import io.paravm.spi.Transport;
import io.paravm.spi.Transport.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.IntConsumer;

/**
 * What both roles share to move frames over the transport: sending (one reusable direct
 * buffer, one sender at a time), the one receive loop ({@link #receive}), the ranks the
 * transport reported lost, and whether this rank's VM is open.
 *
 * <p>Receiving: one thread at a time takes frames from the transport (it "pumps"); a frame
 * it takes for another waiting thread is handed over through the role's queues and that
 * thread woken ({@link #handedOver()}), so waiting threads wait on {@link #receiveLock()},
 * never on the transport. What a thread wants, and where other frames go, is its role's
 * {@link Inbox}. Ranks reported lost are queued by the transport's callback and turned into
 * what the role makes of them by whichever thread pumps next.
 *
 * <pre>{@code
 * FrameChannel channel = new FrameChannel(transport, codec, own -> myQueue.add(own));
 * channel.watchMembership(lost -> {}, lost -> log.warn("rank {} lost", lost));
 * channel.send(0, FrameKind.LOG, task, 0, "hello");
 * Optional<Received> r = channel.receive(timeoutNanos, Transport.ANY_SOURCE, inbox, "receiveMessage(timeout)");
 * }</pre>
 */
final class FrameChannel {

    private static final Logger LOG = LoggerFactory.getLogger(FrameChannel.class);

    /**
     * What one receiving thread takes from the frames that arrive: its role's view.
     *
     * @param <T> what the receiver gets
     */
    interface Inbox<T> {
        /**
         * Called with {@link #receiveLock()} held, before the transport is asked: what already
         * waits for the receiver, or null. May throw when the receiver can no longer receive.
         */
        T waiting();

        /**
         * Called without the lock: a frame the transport delivered. Returns what the receiver
         * gets, or null once the frame is kept for another thread, routed or dropped.
         */
        T arrived(Frame frame);

        /** Called without the lock when the transport had nothing: what else waits (the VM's own events), or null. */
        default T nothingArrived() {
            return null;
        }
    }

    private final Transport transport;
    private final Codec codec;
    private final int rank;

    private final ReentrantLock sendLock = new ReentrantLock();
    private final FrameWriter writer = new FrameWriter();

    /** Guards who pumps and who waits, and the roles' queues of frames handed over. */
    private final Object receiveLock = new Object();
    private boolean pumping;
    private int waiters;

    /** Ranks reported lost by the transport, not yet handled by the role. */
    private final ConcurrentLinkedQueue<Integer> lostRanks = new ConcurrentLinkedQueue<>();
    private volatile IntConsumer lostRankHandler = lost -> { };
    private final AtomicBoolean closed = new AtomicBoolean();
    private final OwnFrames ownFrames;

    /** Where a frame a rank sends to itself goes: its role's queue, with {@link #receiveLock()} held. */
    @FunctionalInterface
    interface OwnFrames {
        void keep(Frame own);
    }

    FrameChannel(Transport transport, Codec codec, OwnFrames ownFrames) {
        this.transport = transport;
        this.codec = codec;
        this.rank = transport.rank();
        this.ownFrames = ownFrames;
    }

    Transport transport() {
        return transport;
    }

    Codec codec() {
        return codec;
    }

    /**
     * Listens to the transport's membership events.
     *
     * @param atOnce  called on the transport's thread as soon as a rank is lost
     * @param handler called by the next thread that pumps, for each lost rank in turn
     */
    void watchMembership(IntConsumer atOnce, IntConsumer handler) {
        this.lostRankHandler = handler;
        transport.setMembershipListener(new Transport.MembershipListener() {
            @Override
            public void rankJoined(int joined) {
                // The new rank's HELLO frame carries what the spawner needs; nothing to do yet.
            }

            @Override
            public void rankLost(int lost) {
                lostRanks.add(lost);
                transport.wakeup();
                atOnce.accept(lost);
            }
        });
    }

    /** Whether a lost rank waits to be handled. */
    boolean hasLostRanks() {
        return !lostRanks.isEmpty();
    }

    /** Hands every lost rank to the role; returns whether there was one. */
    boolean drainLostRanks() {
        boolean any = false;
        for (Integer lost; (lost = lostRanks.poll()) != null; ) {
            lostRankHandler.accept(lost);
            any = true;
        }
        return any;
    }

    // ---------------------------------------------------------------- sending

    /** Encodes {@code payload} into a frame and sends it; a frame to this rank itself is kept for it. */
    void send(int destRank, FrameKind kind, int sourceTask, int destTask, Object payload) {
        sendLock.lock();
        try {
            ByteBuffer buf = writer.start();
            Envelope.writeHeader(buf, kind, sourceTask, destTask);
            codec.encode(payload, writer); // on failure nothing has been sent
            ByteBuffer frame = writer.finish();
            if (destRank == rank) {
                Frame own = FrameBacklog.copyOf(rank, frame);
                handOver(() -> ownFrames.keep(own));
                transport.wakeup(); // a thread pumping the transport looks again
            } else {
                transport.send(destRank, frame);
            }
        } finally {
            sendLock.unlock();
        }
    }

    /** Sends a frame of a header alone (EXIT, CLEAR_STORAGE). */
    void sendHeader(int destRank, FrameKind kind, int sourceTask, int destTask) {
        sendLock.lock();
        try {
            Envelope.writeHeader(writer.start(), kind, sourceTask, destTask);
            transport.send(destRank, writer.finish());
        } finally {
            sendLock.unlock();
        }
    }

    /** Worker: tells the spawner task {@code number} ended; the payload's one byte is the reason. */
    void sendExit(int number, TaskExit.Reason reason) {
        sendLock.lock();
        try {
            ByteBuffer buf = writer.start();
            Envelope.writeHeader(buf, FrameKind.TASK_EXIT, number, 0);
            buf.put((byte) reason.ordinal());
            transport.send(0, writer.finish());
        } finally {
            sendLock.unlock();
        }
    }

    /**
     * Runs {@code build} with the send lock held, for a role that writes a frame once and sends
     * it to several ranks (a spawn, mirrored files).
     */
    <T> T whileSending(Function<FrameWriter, T> build) {
        sendLock.lock();
        try {
            return build.apply(writer);
        } finally {
            sendLock.unlock();
        }
    }

    // ---------------------------------------------------------------- receiving

    /** The lock that guards the pump and every role's queue of frames handed over. */
    Object receiveLock() {
        return receiveLock;
    }

    /** Wakes the threads waiting for a frame to be handed over; {@link #receiveLock()} held. */
    void handedOver() {
        if (waiters > 0) receiveLock.notifyAll();
    }

    /**
     * Keeps a frame for another thread of this rank, then wakes the waiting threads.
     *
     * @param keep adds the frame to the role's queue; runs with {@link #receiveLock()} held
     */
    void handOver(Runnable keep) {
        synchronized (receiveLock) {
            keep.run();
            handedOver();
        }
    }

    /**
     * The one receive loop: waits for what {@code inbox} says the caller wants.
     *
     * @param timeoutNanos negative blocks, zero polls, positive waits at most that long
     * @param source       the rank the transport is asked for, or {@link Transport#ANY_SOURCE}
     * @param inbox        the caller's view of the frames
     * @param call         the API call, for the message when the VM is closed
     * @return what the caller gets, or empty if nothing came in time
     */
    <T> Optional<T> receive(long timeoutNanos, int source, Inbox<T> inbox, String call) {
        long deadline = System.nanoTime() + Math.max(timeoutNanos, 0);
        while (true) {
            ensureOpen(call);
            long wait;
            synchronized (receiveLock) {
                T r = inbox.waiting();
                if (r != null) return Optional.of(r);
                wait = timeoutNanos < 0 ? -1 : timeoutNanos == 0 ? 0 : Math.max(0, deadline - System.nanoTime());
                if (pumping) {
                    if (wait == 0) return Optional.empty();
                    awaitHandOver(wait);
                    continue;
                }
                pumping = true;
            }
            T r = null;
            boolean nothing = false;
            try {
                Frame f = transport.receive(source, 0);
                if (f == null) {
                    // A lost rank may change what the caller gets (its tasks' exits, the spawner's loss):
                    // then look again before waiting.
                    boolean lost = drainLostRanks();
                    r = inbox.nothingArrived();
                    if (r == null && wait != 0 && !lost) f = transport.receive(source, wait);
                }
                if (f != null) r = inbox.arrived(f);
                else nothing = r == null;
            } finally {
                releasePump();
            }
            if (r != null) return Optional.of(r);
            if (nothing && wait == 0) {
                synchronized (receiveLock) {
                    return Optional.ofNullable(inbox.waiting());
                }
            }
        }
    }

    private void awaitHandOver(long waitNanos) {
        waiters++;
        try {
            if (waitNanos < 0) receiveLock.wait();
            else TimeUnit.NANOSECONDS.timedWait(receiveLock, waitNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VmException("interrupted while waiting for a message on rank " + rank, e);
        } finally {
            waiters--;
        }
    }

    private void releasePump() {
        synchronized (receiveLock) {
            pumping = false;
            handedOver();
        }
    }

    /** The frame's kind, or null (logged) for a malformed frame, which is dropped. */
    static FrameKind kindOrWarn(int source, ByteBuffer frame) {
        FrameKind kind = Envelope.kind(frame);
        if (kind == null) LOG.warn("dropped a malformed frame of {} bytes from rank {}", frame.remaining(), source);
        return kind;
    }

    /**
     * Decodes a user message.
     *
     * @throws MessageDecodingException naming the sender, if it cannot be decoded; it is dropped
     */
    Received decodeMessage(int source, ByteBuffer frame) {
        TaskId sender = new TaskId(source, Envelope.sourceTask(frame));
        try {
            return new Received(sender, codec.decode(Envelope.payload(frame)));
        } catch (VmException e) {
            throw new MessageDecodingException("a message from " + sender + " could not be decoded and was dropped: "
                    + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- open and closed

    void ensureOpen(String call) {
        if (closed.get()) {
            throw new VmClosedException(call + " on a closed virtual machine (rank " + rank + "); open a new one "
                    + "with VirtualMachines.open()");
        }
    }

    /** Marks the VM closed; returns false if it already was. */
    boolean markClosed() {
        return closed.compareAndSet(false, true);
    }

    boolean isClosed() {
        return closed.get();
    }
}
