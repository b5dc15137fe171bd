package io.paravm.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Credits for user messages, MPI's way, so that a task that does not read holds a bounded
 * number of unread bytes whatever the engine: a rank hands the engine a message for a task
 * only with credit for it, and the task's rank returns the credit once the task has read.
 *
 * <p>Sender side: per destination task, the bytes this rank sent that the task has not read
 * yet ("outstanding"). A message may go when nothing is outstanding (so one message larger
 * than the bound still goes, alone) or when it fits in the bound with what is. Receiver side:
 * per reading task and sending rank, the bytes read and not yet returned; they go back in one
 * {@link FrameKind#CREDIT} frame once they reach half the bound, or at once when a blocked
 * sender asks ({@link FrameKind#CREDIT_WANTED}), so a flow that never fills the window costs no
 * frame at all. A message costs its frame's bytes plus {@link #FRAME_OVERHEAD_BYTES}, so a
 * million empty messages are bounded too.
 *
 * <p>State is guarded by the channel's receive lock (a blocked sender waits on it while it
 * pumps); credit frames to send are queued here and sent by {@link FrameChannel} once that
 * lock is released, since sending takes the send lock.
 *
 * <pre>{@code
 * FlowControl flow = new FlowControl(lock, rank, 64 << 20);
 * if (!flow.tryTake(1, 7, frameBytes)) { ... wait, pumping, until tryTake succeeds ... }
 * flow.read(1, 0, frameBytes);              // the spawner read a message from rank 1
 * for (FlowControl.Credit c : flow.drainDue()) channel.sendCredit(c);
 * }</pre>
 */
final class FlowControl {

    /** What a message costs beyond its frame's bytes: the objects that keep it while it waits. */
    static final int FRAME_OVERHEAD_BYTES = 128;
    /** A {@link FrameKind#CREDIT} frame's amount saying "the task ended: forget it". */
    static final long FORGET = -1;

    /** A credit frame to send: to {@code rank}, from reading task {@code readerTask}, returning {@code bytes} (or {@link #FORGET}). */
    record Credit(int rank, int readerTask, long bytes) {
    }

    /** A destination task's window on this rank. */
    private static final class Window {
        final int rank;
        long outstanding;
        /** Whether a {@link FrameKind#CREDIT_WANTED} went since the last credit arrived. */
        boolean asked;

        Window(int rank) {
            this.rank = rank;
        }
    }

    /** What a reading task owes one sending rank. */
    private static final class Owed {
        final int rank;
        final int readerTask;
        long bytes;
        /** Whether that rank waits for credit: return the next read at once. */
        boolean wanted;

        Owed(int rank, int readerTask) {
            this.rank = rank;
            this.readerTask = readerTask;
        }
    }

    private final Object lock;
    private final int rank;
    private final long bound;
    /** By destination (rank, task). */
    private final LongTable<Window> windows = new LongTable<>();
    /** By (sending rank, reading task). */
    private final LongTable<Owed> owed = new LongTable<>();
    private final ArrayDeque<Credit> due = new ArrayDeque<>();

    /**
     * @param lock  the channel's receive lock, which guards this
     * @param rank  this rank
     * @param bound the unread bytes a task may hold from one sending rank
     */
    FlowControl(Object lock, int rank, long bound) {
        this.lock = lock;
        this.rank = rank;
        this.bound = bound;
    }

    long bound() {
        return bound;
    }

    static long cost(int frameBytes) {
        return (long) frameBytes + FRAME_OVERHEAD_BYTES;
    }

    // ---------------------------------------------------------------- sending

    /**
     * Takes credit for a frame of {@code frameBytes} to task {@code destTask} of rank
     * {@code destRank}, if there is room; lock held.
     */
    boolean tryTake(int destRank, int destTask, int frameBytes) {
        long key = SenderQueues.key(destRank, destTask);
        Window w = windows.get(key);
        long cost = cost(frameBytes);
        if (w == null) {
            w = new Window(destRank);
            windows.put(key, w);
        } else if (w.outstanding > 0 && w.outstanding + cost > bound) {
            return false;
        }
        w.outstanding += cost;
        return true;
    }

    /**
     * Whether a blocked sender should ask task {@code destTask} of rank {@code destRank} for its
     * credit: true once per wait (until credit arrives); lock held.
     */
    boolean shouldAsk(int destRank, int destTask) {
        Window w = windows.get(SenderQueues.key(destRank, destTask));
        if (w == null || w.asked) return false;
        w.asked = true;
        return true;
    }

    /** Whether this rank asked task {@code destTask} of rank {@code destRank} for credit and none came since; lock held. */
    boolean asked(int destRank, int destTask) {
        Window w = windows.get(SenderQueues.key(destRank, destTask));
        return w != null && w.asked;
    }

    /** The unread bytes this rank has sent task {@code destTask} of rank {@code destRank}; lock held. */
    long outstanding(int destRank, int destTask) {
        Window w = windows.get(SenderQueues.key(destRank, destTask));
        return w == null ? 0 : w.outstanding;
    }

    /** Credit from task {@code readerTask} of rank {@code fromRank}: {@code bytes} read, or {@link #FORGET}; lock held. */
    void credited(int fromRank, int readerTask, long bytes) {
        long key = SenderQueues.key(fromRank, readerTask);
        Window w = windows.get(key);
        if (w == null) return;
        if (bytes == FORGET || w.outstanding <= bytes) {
            windows.remove(key); // nothing outstanding: an idle destination costs no memory
        } else {
            w.outstanding -= bytes;
            w.asked = false;
        }
    }

    /** The destination task ended (its exit reached the spawner): forget its window; lock held. */
    void forgetDestination(int destRank, int destTask) {
        windows.remove(SenderQueues.key(destRank, destTask));
    }

    /** A rank was lost: no credit will come from it, and messages to it go nowhere; lock held. */
    void rankLost(int lost) {
        windows.removeIf(w -> w.rank == lost);
        owed.removeIf(o -> o.rank == lost);
    }

    // ---------------------------------------------------------------- receiving

    /**
     * Task {@code readerTask} of this rank read a message of {@code frameBytes} from rank
     * {@code sourceRank}: counts it, and queues its credit when due; lock held.
     */
    void read(int sourceRank, int readerTask, int frameBytes) {
        long cost = cost(frameBytes);
        if (sourceRank == rank) {
            credited(rank, readerTask, cost); // from this rank itself: no frame needed
            return;
        }
        long key = SenderQueues.key(sourceRank, readerTask);
        Owed o = owed.get(key);
        if (o == null) {
            o = new Owed(sourceRank, readerTask);
            owed.put(key, o);
        }
        o.bytes += cost;
        if (o.wanted || o.bytes >= bound / 2) returnCredit(o);
    }

    /** Rank {@code fromRank} waits for credit to task {@code readerTask} of this rank; lock held. */
    void wanted(int fromRank, int readerTask) {
        long key = SenderQueues.key(fromRank, readerTask);
        Owed o = owed.get(key);
        if (o == null) {
            o = new Owed(fromRank, readerTask);
            owed.put(key, o);
        }
        if (o.bytes > 0) returnCredit(o);
        else o.wanted = true;
    }

    /**
     * Task {@code readerTask} of this rank ended: what it did not read is discarded, so every
     * rank but the spawner (which learns of the exit) is told to forget it; lock held.
     */
    void readerEnded(int readerTask) {
        owed.removeIf(o -> {
            if (o.readerTask != readerTask) return false;
            if (o.rank != 0) due.add(new Credit(o.rank, readerTask, FORGET));
            return true;
        });
    }

    private void returnCredit(Owed o) {
        due.add(new Credit(o.rank, o.readerTask, o.bytes));
        o.bytes = 0;
        o.wanted = false;
    }

    /** Whether credit frames wait to be sent; lock held. */
    boolean hasDue() {
        return !due.isEmpty();
    }

    /** Takes the credit frames to send; lock held. */
    List<Credit> drainDue() {
        List<Credit> out = new ArrayList<>(due);
        due.clear();
        return out;
    }
}
