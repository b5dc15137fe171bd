package io.paravm.core;

import io.paravm.VmException;
import io.paravm.spi.Transport;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A test double: ranks as threads of this JVM exchanging heap copies of frames. It is
 * here to unit-test vm-core's semantics (and run the TCK's logic fast); it is not a
 * transport and never counts as one. Rank {@code r} is on host {@code host-(r % 2)}, so
 * the tests see two hosts. Deliveries to a rank can be paused to reorder arrivals.
 */
final class InMemoryCluster {

    private final List<Box> boxes = new ArrayList<>();
    private final List<Transport.MembershipListener> listeners = new ArrayList<>();

    InMemoryCluster(int size) {
        for (int r = 0; r < size; r++) addRank();
    }

    synchronized int addRank() {
        boxes.add(new Box());
        listeners.add(null);
        return boxes.size() - 1;
    }

    synchronized int size() {
        return boxes.size();
    }

    Transport transport(int rank) {
        return new Endpoint(rank);
    }

    /** The rank vanishes: its frames are dropped and every other rank is told. */
    void kill(int rank) {
        List<Transport.MembershipListener> toTell = new ArrayList<>();
        synchronized (this) {
            boxes.get(rank).dead = true;
            for (int r = 0; r < listeners.size(); r++) {
                if (r != rank && listeners.get(r) != null) toTell.add(listeners.get(r));
            }
        }
        for (Transport.MembershipListener l : toTell) l.rankLost(rank);
    }

    /** Tells every other rank that {@code rank} joined. */
    void announceJoin(int rank) {
        List<Transport.MembershipListener> toTell = new ArrayList<>();
        synchronized (this) {
            for (int r = 0; r < listeners.size(); r++) {
                if (r != rank && listeners.get(r) != null) toTell.add(listeners.get(r));
            }
        }
        for (Transport.MembershipListener l : toTell) l.rankJoined(rank);
    }

    /** Frames sent to {@code rank} from {@code source} queue up until {@link #resume}. */
    void pause(int source, int rank) {
        Box b = box(rank);
        b.lock.lock();
        try {
            b.pausedSource = source;
        } finally {
            b.lock.unlock();
        }
    }

    void resume(int rank) {
        Box b = box(rank);
        b.lock.lock();
        try {
            b.pausedSource = -2;
            b.parked.forEach(b.frames::add);
            b.parked.clear();
            b.arrived.signalAll();
        } finally {
            b.lock.unlock();
        }
    }

    private synchronized Box box(int rank) {
        if (rank < 0 || rank >= boxes.size()) throw new VmException("rank " + rank + " outside [0, " + boxes.size() + ")");
        return boxes.get(rank);
    }

    private static final class Box {
        final ReentrantLock lock = new ReentrantLock();
        final Condition arrived = lock.newCondition();
        final FrameBacklog frames = new FrameBacklog();
        final ArrayDeque<Transport.Frame> parked = new ArrayDeque<>();
        int pausedSource = -2;
        boolean wakeup;
        volatile boolean dead;
    }

    private final class Endpoint implements Transport {
        private final int rank;

        Endpoint(int rank) {
            this.rank = rank;
        }

        @Override
        public String name() {
            return "in-memory";
        }

        @Override
        public int rank() {
            return rank;
        }

        @Override
        public int size() {
            return InMemoryCluster.this.size();
        }

        @Override
        public String hostName() {
            return "host-" + (rank % 2);
        }

        @Override
        public String[] userArgs() {
            return new String[0];
        }

        @Override
        public void send(int destination, ByteBuffer frame) {
            Box b = box(destination);
            if (b.dead) throw new VmException("rank " + destination + " is gone");
            ByteBuffer copy = ByteBuffer.allocate(frame.remaining()).order(frame.order());
            copy.put(frame.duplicate()).flip();
            b.lock.lock();
            try {
                Frame f = new Frame(rank, copy);
                if (b.pausedSource == rank) b.parked.add(f);
                else b.frames.add(f);
                b.arrived.signalAll();
            } finally {
                b.lock.unlock();
            }
        }

        @Override
        public Frame receive(int source, long timeoutNanos) {
            Box b = box(rank);
            b.lock.lock();
            try {
                long left = timeoutNanos;
                while (true) {
                    Frame f = b.frames.poll(source);
                    if (f != null) return f;
                    if (b.wakeup) {
                        b.wakeup = false;
                        return null;
                    }
                    if (timeoutNanos == 0) return null;
                    if (timeoutNanos < 0) {
                        b.arrived.await();
                    } else {
                        if (left <= 0) return null;
                        left = b.arrived.awaitNanos(left);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VmException("interrupted while receiving", e);
            } finally {
                b.lock.unlock();
            }
        }

        @Override
        public boolean probe(int source) {
            Box b = box(rank);
            b.lock.lock();
            try {
                return b.frames.contains(source);
            } finally {
                b.lock.unlock();
            }
        }

        @Override
        public void wakeup() {
            Box b = box(rank);
            b.lock.lock();
            try {
                b.wakeup = true;
                b.arrived.signalAll();
            } finally {
                b.lock.unlock();
            }
        }

        @Override
        public void setMembershipListener(MembershipListener listener) {
            synchronized (InMemoryCluster.this) {
                listeners.set(rank, listener);
            }
        }

        @Override
        public boolean ranksShareProcess() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    static TimeUnit unit() {
        return TimeUnit.NANOSECONDS;
    }
}
