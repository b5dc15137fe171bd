package io.paravm.core;

import io.paravm.MessageDecodingException;
import io.paravm.Received;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.VmClosedException;
import io.paravm.VmException;
import io.paravm.spi.Transport;
import io.paravm.spi.Transport.Frame;
import io.paravm.spi.VmEventListener;
import io.paravm.spi.VmEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntConsumer;

/**
 * <p>Why one class of ~620 lines: sending, the credit wait and the receive loop share one
 * receive lock and its wait/notify protocol; split apart, each half would reach into the
 * other's guarded state. The credit bookkeeping itself is {@link FlowControl}; moving the
 * credit wait out (a {@code CreditedSender}) is the next split worth making.
 *
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
    /** The VM's listeners, told of every frame sent and received. */
    private final VmEvents events;

    private final ReentrantLock sendLock = new ReentrantLock();
    private final FrameWriter writer = new FrameWriter();

    /** How long a rank waits with nothing arriving before it gives back a frame buffer grown for a large frame. */
    static final long SHRINK_AFTER_NANOS = 1_000_000_000L;
    /** When the pumping thread began waiting with a grown buffer, or 0; touched by the pumping thread only. */
    private long idleSinceNanos;

    /** Guards who pumps and who waits, and the roles' queues of frames handed over. */
    private final Object receiveLock = new Object();
    private boolean pumping;
    private int waiters;

    /** Ranks reported lost by the transport, not yet handled by the role. */
    private final ConcurrentLinkedQueue<Integer> lostRanks = new ConcurrentLinkedQueue<>();
    private volatile IntConsumer lostRankHandler = lost -> { };
    private final AtomicBoolean closed = new AtomicBoolean();
    private final OwnFrames ownFrames;
    /** Counts {@link #wakePump()} calls: the pump compares it across its poll. */
    private final AtomicLong pumpWakeups = new AtomicLong();
    /** Credits for user messages; guarded by {@link #receiveLock}. */
    private final FlowControl flow;
    /** Set (under the receive lock) when credit frames wait to be sent: a plain read on the hot path. */
    private volatile boolean creditsDue;
    /** Where a thread that pumps for credit puts the frames it takes: the role's routing for no receiver in particular. */
    private volatile Consumer<Frame> unclaimed = f -> { };

    /** Where a frame a rank sends to itself goes: its role's queue, with {@link #receiveLock()} held. */
    @FunctionalInterface
    interface OwnFrames {
        void keep(Frame own);
    }

    /**
     * @param unreadBound the unread bytes of user messages a task may hold from one rank (see {@link FlowControl})
     */
    FrameChannel(Transport transport, Codec codec, OwnFrames ownFrames, long unreadBound, VmEvents events) {
        this.transport = transport;
        this.codec = codec;
        this.events = events;
        this.rank = transport.rank();
        this.ownFrames = ownFrames;
        this.flow = new FlowControl(receiveLock, rank, unreadBound);
    }

    /** Sets where frames go that a thread takes while it waits for credit (the role's routing for nobody). */
    void routeUnclaimed(Consumer<Frame> routing) {
        this.unclaimed = routing;
    }

    long unreadBound() {
        return flow.bound();
    }

    /** Whether the frame buffer is grown past its usual size; for tests. */
    boolean frameBufferGrown() {
        sendLock.lock();
        try {
            return writer.grown();
        } finally {
            sendLock.unlock();
        }
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
                wakePump();
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
            synchronized (receiveLock) {
                flow.rankLost(lost); // no credit comes from it: senders waiting on it go on (and fail there)
                handedOver();
            }
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
            deliver(destRank, writer.finish());
        } finally {
            sendLock.unlock();
        }
    }

    /** Hands a written frame to the engine, or keeps it when it is for this rank itself; send lock held. */
    private void deliver(int destRank, ByteBuffer frame) {
        if (destRank == rank) {
            Frame own = FrameBacklog.copyOf(rank, frame);
            handOver(() -> ownFrames.keep(own));
            wakePump(); // a thread pumping the transport looks again
        } else {
            transmit(destRank, frame);
        }
    }

    /** Hands a frame to the engine, and tells the listeners if there are any; send lock held. */
    void transmit(int destRank, ByteBuffer frame) {
        VmEventListener l = events.listener();
        if (l == null) {
            transport.send(destRank, frame);
            return;
        }
        int bytes = frame.remaining(); // before the engine may consume it
        transport.send(destRank, frame);
        l.frameSent(destRank, bytes);
    }

    /**
     * Sends a user message to task {@code destTask} of rank {@code destRank} once there is
     * credit for it ({@link FlowControl}): at once if there is, else it waits, taking frames
     * from the transport (so credit can come in), at most {@code timeoutNanos}.
     *
     * @param timeoutNanos negative waits without a deadline, zero does not wait
     * @return whether the message was sent; if not, nothing was
     * @throws io.paravm.MessageEncodingException if the message cannot be encoded (nothing sent)
     */
    boolean sendMessage(int destRank, int sourceTask, int destTask, Object payload, long timeoutNanos, String call) {
        Frame held;
        sendLock.lock();
        try {
            Envelope.writeHeader(writer.start(), FrameKind.MESSAGE, sourceTask, destTask);
            codec.encode(payload, writer); // on failure nothing has been sent
            ByteBuffer frame = writer.finish();
            boolean credit;
            synchronized (receiveLock) {
                credit = flow.tryTake(destRank, destTask, frame.remaining());
            }
            if (credit) {
                deliver(destRank, frame);
                return true;
            }
            held = FrameBacklog.copyOf(rank, frame); // the writer is reused by the next sender
        } finally {
            sendLock.unlock();
        }
        return sendWhenCredited(destRank, sourceTask, destTask, held, timeoutNanos, call);
    }

    /** Waits for credit for {@code held}, then sends it; false (nothing sent) if none came in time. */
    private boolean sendWhenCredited(int destRank, int sourceTask, int destTask, Frame held, long timeoutNanos,
                                     String call) {
        int bytes = held.payload().remaining();
        long deadline = System.nanoTime() + Math.max(timeoutNanos, 0);
        // Ready when the credit is taken, or when credit came but not enough (then ask again).
        Inbox<Boolean> credit = new Inbox<>() {
            @Override
            public Boolean waiting() {
                return flow.tryTake(destRank, destTask, bytes) ? Boolean.TRUE
                        : flow.asked(destRank, destTask) ? null : Boolean.FALSE;
            }

            @Override
            public Boolean arrived(Frame frame) {
                unclaimed.accept(frame);
                return null;
            }
        };
        while (true) {
            boolean ask;
            synchronized (receiveLock) {
                if (flow.tryTake(destRank, destTask, bytes)) break;
                ask = flow.shouldAsk(destRank, destTask);
            }
            if (ask && destRank != rank) sendHeader(destRank, FrameKind.CREDIT_WANTED, sourceTask, destTask);
            long wait = timeoutNanos < 0 ? -1 : Math.max(0, deadline - System.nanoTime());
            if (wait == 0) return false;
            Optional<Boolean> r = receive(wait, Transport.ANY_SOURCE, credit, call);
            if (r.isEmpty()) return false;
            if (r.get()) break;
        }
        sendLock.lock();
        try {
            deliver(destRank, held.payload());
            return true;
        } finally {
            sendLock.unlock();
        }
    }

    /** The unread bytes of the messages this rank sent task {@code destTask} of rank {@code destRank}. */
    long unreadAt(int destRank, int destTask) {
        synchronized (receiveLock) {
            return flow.outstanding(destRank, destTask);
        }
    }

    /** The spawner learnt that task {@code destTask} of rank {@code destRank} ended: no credit will come from it. */
    void destinationEnded(int destRank, int destTask) {
        synchronized (receiveLock) {
            flow.forgetDestination(destRank, destTask);
            handedOver();
        }
    }

    /** Task {@code task} of this rank ended: the ranks that sent it messages are told to forget it. */
    void readerEnded(int task) {
        synchronized (receiveLock) {
            flow.readerEnded(task);
            if (flow.hasDue()) creditsDue = true;
        }
        sendDueCredits();
    }

    /** Sends the credit frames {@link FlowControl} queued; never with the receive lock held. */
    private void sendDueCredits() {
        if (!creditsDue) return;
        List<FlowControl.Credit> due;
        synchronized (receiveLock) {
            due = flow.drainDue();
            creditsDue = false;
        }
        for (FlowControl.Credit c : due) {
            sendLock.lock();
            try {
                ByteBuffer buf = writer.start();
                Envelope.writeHeader(buf, FrameKind.CREDIT, c.readerTask(), 0);
                buf.putLong(c.bytes());
                transmit(c.rank(), writer.finish());
            } catch (VmException e) {
                // the rank is gone or the transport closed: its credit no longer matters
                LOG.debug("credit for rank {} not sent: {}", c.rank(), e.getMessage());
            } finally {
                sendLock.unlock();
            }
        }
    }

    /** Takes a credit frame (either kind) the transport delivered: it is for no receiver in particular. */
    private void creditFrame(Frame f, FrameKind kind) {
        ByteBuffer frame = f.payload();
        synchronized (receiveLock) {
            if (kind == FrameKind.CREDIT) {
                ByteBuffer p = Envelope.payload(frame);
                if (p.remaining() >= Long.BYTES) {
                    flow.credited(f.source(), Envelope.sourceTask(frame), p.getLong(p.position()));
                    handedOver(); // a sender may wait for it
                }
            } else {
                flow.wanted(f.source(), Envelope.destinationTask(frame));
            }
            if (flow.hasDue()) creditsDue = true;
        }
        sendDueCredits();
    }

    /** Sends a frame of a header alone (EXIT, CLEAR_STORAGE). */
    void sendHeader(int destRank, FrameKind kind, int sourceTask, int destTask) {
        sendLock.lock();
        try {
            Envelope.writeHeader(writer.start(), kind, sourceTask, destTask);
            transmit(destRank, writer.finish());
        } finally {
            sendLock.unlock();
        }
    }

    /**
     * Worker: tells the spawner task {@code number} ended. Without a result, a
     * {@link FrameKind#TASK_EXIT} whose payload's one byte is the reason; with one, a
     * {@link FrameKind#TASK_END}: the reason's byte, then the encoded result (result and exit in
     * one frame).
     *
     * @param result the task's result, or null to send the exit alone
     * @throws io.paravm.MessageEncodingException if the result cannot be encoded (nothing sent)
     */
    void sendEnd(int number, TaskExit.Reason reason, Object result) {
        sendLock.lock();
        try {
            ByteBuffer buf = writer.start();
            Envelope.writeHeader(buf, result == null ? FrameKind.TASK_EXIT : FrameKind.TASK_END, number, 0);
            buf.put((byte) reason.ordinal());
            if (result != null) codec.encode(result, writer); // on failure nothing has been sent
            transmit(0, writer.finish());
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

    /**
     * Makes the thread pumping the transport, if any, stop waiting on it and look at what waits
     * for it again: a frame handed over by this rank itself, a free slot, a lost rank. Counted
     * as well as passed on to {@link Transport#wakeup()}: a transport's zero-timeout poll may
     * take the wakeup and return null for it, and the pump must not read that null as "nothing
     * here" and then wait (see {@link #receive}).
     */
    void wakePump() {
        pumpWakeups.incrementAndGet();
        transport.wakeup();
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
            T ready;
            synchronized (receiveLock) {
                ready = inbox.waiting();
                if (ready == null) {
                    wait = timeoutNanos < 0 ? -1 : timeoutNanos == 0 ? 0 : Math.max(0, deadline - System.nanoTime());
                    if (pumping) {
                        if (wait == 0) return Optional.empty();
                        awaitHandOver(wait);
                        continue;
                    }
                    pumping = true;
                } else {
                    wait = 0;
                }
            }
            if (ready != null) {
                if (creditsDue) sendDueCredits(); // reading it may have made credit due
                return Optional.of(ready);
            }
            T r = null;
            boolean nothing = false;
            try {
                long wakeups = pumpWakeups.get();
                Frame f = transport.receive(source, 0);
                if (f == null) {
                    // A lost rank may change what the caller gets (its tasks' exits, the spawner's loss):
                    // then look again before waiting. So may a wakeup since the poll began, which the
                    // poll may have taken (returning null for it): a frame handed over meanwhile would
                    // otherwise wait out the whole receive.
                    boolean lost = drainLostRanks();
                    r = inbox.nothingArrived();
                    if (r == null && wait != 0 && !lost && pumpWakeups.get() == wakeups) {
                        f = transport.receive(source, idleSlice(wait));
                    }
                }
                if (f != null) {
                    idleSinceNanos = 0;
                    VmEventListener l = events.listener();
                    if (l != null) l.frameReceived(f.source(), f.payload().remaining());
                    FrameKind kind = Envelope.kind(f.payload());
                    if (kind == FrameKind.CREDIT || kind == FrameKind.CREDIT_WANTED) creditFrame(f, kind);
                    else r = inbox.arrived(f);
                } else {
                    nothing = r == null;
                }
            } finally {
                releasePump();
            }
            if (creditsDue) sendDueCredits(); // a message read may have made credit due
            if (r != null) return Optional.of(r);
            if (nothing && wait == 0) {
                T last;
                synchronized (receiveLock) {
                    last = inbox.waiting();
                }
                if (creditsDue) sendDueCredits();
                return Optional.ofNullable(last);
            }
        }
    }

    /**
     * How long to wait in one go: {@code wait}, but at most {@link #SHRINK_AFTER_NANOS} while the
     * frame buffer is grown, so that a wait which then finds nothing gives it back.
     */
    private long idleSlice(long wait) {
        if (!writer.grown()) return wait;
        long now = System.nanoTime();
        if (idleSinceNanos == 0) {
            idleSinceNanos = now;
        } else if (now - idleSinceNanos >= SHRINK_AFTER_NANOS && writer.nanosSinceLarge(now) >= SHRINK_AFTER_NANOS
                && sendLock.tryLock()) {
            try {
                writer.shrink(); // idle this long: the large frame was a one-off
            } finally {
                sendLock.unlock();
            }
            idleSinceNanos = 0;
            return wait;
        }
        return wait < 0 || wait > SHRINK_AFTER_NANOS ? SHRINK_AFTER_NANOS : wait;
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
        synchronized (receiveLock) {
            flow.read(source, Envelope.destinationTask(frame), frame.remaining());
            if (source == rank) handedOver(); // credit to this rank itself: a sender here may wait for it
            if (flow.hasDue()) creditsDue = true;
        }
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
