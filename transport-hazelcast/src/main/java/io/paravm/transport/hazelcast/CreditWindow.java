package io.paravm.transport.hazelcast;

import io.paravm.VmException;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds the frames in flight from this rank to each other rank (flow control).
 *
 * <p>Hazelcast drops events when a member's event queue is full, so a sender may have at most
 * {@code window} frames in flight to a rank
 * ({@link HazelcastProperties#WINDOW_FRAMES_PROP_NAME}); the receiver gives credits back, a
 * quarter of the window at a time, as frames reach its inbox (not when vm-core takes them, so
 * two ranks sending to each other never deadlock).
 *
 * <pre>{@code
 * credits.acquire(destination);                 // before publishing a frame to it
 * int back = credits.received(source);          // on each frame from it
 * if (back > 0) topics.control(source, WireHeader.CREDIT, back);
 * }</pre>
 */
final class CreditWindow {

    /** How often a sender waiting for credits looks whether the receiver left or this member closed. */
    private static final long CHECK_MILLIS = 100;

    private final LocalMember member;
    private final RankDirectory directory;
    private final int window;
    private final Map<Integer, Semaphore> credits = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicInteger> unacknowledged = new ConcurrentHashMap<>();

    CreditWindow(LocalMember member, RankDirectory directory, int window) {
        this.member = member;
        this.directory = directory;
        this.window = window;
    }

    /** Waits while {@code window} frames to {@code destination} are in flight; fails if it leaves. */
    void acquire(int destination) {
        Semaphore s = creditsFor(destination);
        if (s.tryAcquire()) return;
        try {
            while (!s.tryAcquire(CHECK_MILLIS, TimeUnit.MILLISECONDS)) {
                member.lock();
                try {
                    member.checkOpen();
                    if (directory.isLost(destination)) {
                        throw new VmException("rank " + destination + " left while " + window
                                + " frames to it were in flight; this frame was not sent");
                    }
                } finally {
                    member.unlock();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VmException("interrupted while waiting to send to rank " + destination, e);
        }
    }

    /**
     * Counts a frame from {@code source} that reached the inbox.
     *
     * @return the credits to give back to it now, or 0 to wait for more frames
     */
    int received(int source) {
        AtomicInteger count = unacknowledged.computeIfAbsent(source, k -> new AtomicInteger());
        int n = count.incrementAndGet();
        if (n < window / 4) return 0;
        count.addAndGet(-n);
        return n;
    }

    /** Takes the credits {@code destination} gave back. */
    void release(int destination, int n) {
        creditsFor(destination).release(Math.max(0, n));
    }

    private Semaphore creditsFor(int r) {
        return credits.computeIfAbsent(r, k -> new Semaphore(window));
    }
}
