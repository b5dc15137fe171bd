package io.paravm.transport.hazelcast;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Delivers the last frames before this member leaves.
 *
 * <p>On close, a flush marker goes to every rank this one sent to, and close waits (bounded)
 * for each to confirm it has every frame, so the spawner's EXIT reaches the workers before its
 * member leaves.
 *
 * <pre>{@code
 * flush.sentTo(destination);                    // on every send
 * flush.confirmed(source);                      // on FLUSH_ACK
 * flush.await(topics, 5_000);                   // in close()
 * }</pre>
 */
final class CloseFlush {

    private static final Logger LOG = LoggerFactory.getLogger(CloseFlush.class);

    private final LocalMember member;
    private final RankDirectory directory;
    private final Set<Integer> sentTo = ConcurrentHashMap.newKeySet();
    private final Set<Integer> confirmed = new HashSet<>();          // guarded by member's lock

    CloseFlush(LocalMember member, RankDirectory directory) {
        this.member = member;
        this.directory = directory;
    }

    /** Notes that a frame went to {@code destination}. */
    void sentTo(int destination) {
        sentTo.add(destination);
    }

    /** Notes that {@code source} has every frame this member sent it. */
    void confirmed(int source) {
        member.change(() -> confirmed.add(source));
    }

    /**
     * Asks every rank this one sent to, and that is still there, to confirm it has every frame.
     *
     * @param topics      where to send the markers
     * @param flushMillis how long to wait for the answers in all
     */
    void await(MemberTopics topics, long flushMillis) {
        List<Integer> targets = new ArrayList<>();
        member.lock();
        try {
            for (int r : sentTo) if (!directory.isLost(r)) targets.add(r);
            confirmed.clear();
        } finally {
            member.unlock();
        }
        if (targets.isEmpty() || member.hazelcast() == null) return;
        for (int r : targets) topics.control(r, WireHeader.FLUSH, 0);
        member.lock();
        try {
            long left = TimeUnit.MILLISECONDS.toNanos(flushMillis);
            while (true) {
                targets.removeIf(r -> confirmed.contains(r) || directory.isLost(r));
                if (targets.isEmpty()) return;
                if (left <= 0) {
                    LOG.debug("rank {}: ranks {} did not confirm the last frames within {} ms", member.rank(), targets,
                            flushMillis);
                    return;
                }
                left = member.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            member.unlock();
        }
    }
}
