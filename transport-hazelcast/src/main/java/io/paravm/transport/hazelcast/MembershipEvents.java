package io.paravm.transport.hazelcast;

import io.paravm.spi.Transport.MembershipListener;

import java.util.List;
import java.util.function.Supplier;

/**
 * Tells vm-core's membership listener of ranks that joined or were lost.
 *
 * <p>Joins are told once the transport has started (the ranks it started with are its size);
 * losses until it closes.
 *
 * <pre>{@code
 * events.listen(vmCore, directory::lostRanks); // told at once of the ranks already lost
 * events.joined(3);
 * }</pre>
 */
final class MembershipEvents {

    private final LocalMember member;
    private MembershipListener listener;        // guarded by member's lock
    private volatile boolean started;

    MembershipEvents(LocalMember member) {
        this.member = member;
    }

    /** From now on, ranks that join are reported. */
    void started() {
        started = true;
    }

    /**
     * Registers the listener and tells it of the ranks already lost.
     *
     * @param l          vm-core's listener
     * @param alreadyLost the ranks lost so far, read under the lock
     */
    void listen(MembershipListener l, Supplier<List<Integer>> alreadyLost) {
        List<Integer> already;
        member.lock();
        try {
            listener = l;
            already = alreadyLost.get();
        } finally {
            member.unlock();
        }
        for (int r : already) l.rankLost(r);
    }

    /** Reports a rank that joined after the start. */
    void joined(int r) {
        if (!started) return;
        MembershipListener l = member.locked(() -> listener);
        if (l != null) l.rankJoined(r);
    }

    /** Reports a rank that is gone, unless this member has left itself. */
    void lost(int r) {
        MembershipListener l = member.locked(() -> member.isClosed() ? null : listener);
        if (l != null) l.rankLost(r);
    }
}
