package io.paravm.transport.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import io.paravm.VmException;

import java.util.UUID;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Holds this JVM's member and the one lock over the transport's state.
 *
 * <p>The member: its Hazelcast instance, member id and rank once it has them, whether it has
 * left, and the one lock over the transport's state with the condition every waiter waits on
 * (a frame, a rank, a loss, a wakeup, a flush answer each signal it).
 *
 * <pre>{@code
 * member.lock();
 * try {
 *     while (!ready()) member.awaitNanos(left);
 * } finally {
 *     member.unlock();
 * }
 * }</pre>
 */
final class LocalMember {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private boolean closed;                     // guarded by lock
    private volatile HazelcastInstance hazelcast;
    private volatile UUID id;
    private volatile int rank = -1;

    void lock() {
        lock.lock();
    }

    void unlock() {
        lock.unlock();
    }

    /** Wakes every waiter; lock held. */
    void signalAll() {
        changed.signalAll();
    }

    /** Waits for a change at most {@code nanos}; lock held. */
    long awaitNanos(long nanos) throws InterruptedException {
        return changed.awaitNanos(nanos);
    }

    /** Waits for a change; lock held. */
    void await() throws InterruptedException {
        changed.await();
    }

    /** Returns {@code value}, read under the lock. */
    <T> T locked(Supplier<T> value) {
        lock.lock();
        try {
            return value.get();
        } finally {
            lock.unlock();
        }
    }

    /** Makes {@code change} under the lock, then wakes every waiter. */
    void change(Runnable change) {
        lock.lock();
        try {
            change.run();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Returns whether the member has left; lock held. */
    boolean isClosed() {
        return closed;
    }

    /** Notes that the member leaves; lock held. */
    void markClosed() {
        closed = true;
    }

    /** Throws if the member has left; lock held. */
    void checkOpen() {
        if (closed) {
            throw new VmException("the Hazelcast transport of rank " + rank + " is closed (its member left the cluster)");
        }
    }

    /** Returns the Hazelcast member, or {@code null} before it started. */
    HazelcastInstance hazelcast() {
        return hazelcast;
    }

    /** Notes the started Hazelcast member and its id. */
    void started(HazelcastInstance instance) {
        this.hazelcast = instance;
        this.id = instance.getCluster().getLocalMember().getUuid();
    }

    /** Returns this member's id, or {@code null} before it started. */
    UUID id() {
        return id;
    }

    /** Returns this member's rank, -1 until it has one. */
    int rank() {
        return rank;
    }

    void rank(int r) {
        this.rank = r;
    }
}
