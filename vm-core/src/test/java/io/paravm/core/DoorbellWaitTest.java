package io.paravm.core;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When a receive waiting on a polled engine stops polling and sleeps on its doorbell: the
 * decision alone, on a clock the test gives (no doorbell, no engine).
 */
class DoorbellWaitTest {

    private static final long MS = 1_000_000L;

    private static DoorbellWait spawnerWait() {
        return new DoorbellWait(null, true, true, source -> null, new AtomicBoolean());
    }

    /** A frame sent or received, then a wait begun at {@code now}: since when that wait counts as quiet. */
    private static long trafficThenWait(DoorbellWait w, long now) {
        w.traffic();
        return w.quietSince(now);
    }

    @Test
    @DisplayName("in a busy exchange the spawner sleeps once it has heard nothing for 50 µs")
    void busySpawnerSleepsSoon() {
        DoorbellWait w = spawnerWait();
        long t = 1_000 * MS;
        long quiet = trafficThenWait(w, t);
        for (int i = 0; i < 100; i++) { // frames every 100 µs
            t += MS / 10;
            quiet = trafficThenWait(w, t);
        }
        assertFalse(w.due(t + Doorbell.SPAWNER_SLEEPS_AFTER_NANOS - 1, quiet));
        assertTrue(w.due(t + Doorbell.SPAWNER_SLEEPS_AFTER_NANOS, quiet));
    }

    @Test
    @DisplayName("the first wait after a quiet second polls 2 ms, then sleeps")
    void firstWaitAfterQuietPollsLonger() {
        DoorbellWait w = spawnerWait();
        long t = 1_000 * MS;
        long quiet = trafficThenWait(w, t);
        assertTrue(w.due(t + MS, quiet), "an idle spawner sleeps");
        long later = t + 1_500 * MS; // nothing for 1.5 s, then a send and a wait for its answer
        assertTrue(w.due(later, w.quietSince(later)), "still quiet: no traffic yet");
        long first = trafficThenWait(w, later);
        assertFalse(w.due(later + Doorbell.AFTER_QUIET_POLL_NANOS - 1, first));
        assertTrue(w.due(later + Doorbell.AFTER_QUIET_POLL_NANOS, first));
        // The exchange goes on: the next wait is a busy one again.
        long next = later + 3 * MS;
        long busy = trafficThenWait(w, next);
        assertTrue(w.due(next + Doorbell.SPAWNER_SLEEPS_AFTER_NANOS, busy));
    }

    @Test
    @DisplayName("a spawner sharing the cores, rung but finding nothing, polls 20 µs, not milliseconds, before it sleeps again")
    void anEmptyRingIsFollowedBySleepSoon() {
        long t = 1_000 * MS;
        long rung = t + 5 * MS; // slept, rung, and the polls after the ring found nothing
        DoorbellWait spawner = spawnerWait();
        trafficThenWait(spawner, t);
        long quiet = spawner.quietAfterRing(rung);
        assertFalse(spawner.due(rung + Doorbell.EMPTY_RING_POLL_NANOS - 1, quiet));
        assertTrue(spawner.due(rung + Doorbell.EMPTY_RING_POLL_NANOS, quiet));
        assertTrue(Doorbell.EMPTY_RING_POLL_NANOS <= 20_000L, "polls microseconds, not milliseconds");
        assertEquals(Doorbell.EMPTY_RING_SLEEP_NANOS, spawner.emptyRingSleepCap(), "and the sleep after it is short");
        assertTrue(Doorbell.EMPTY_RING_SLEEP_NANOS < Doorbell.LONG_SLEEP_NANOS);
    }

    @Test
    @DisplayName("a spawner on a core of its own, and every worker, rung but finding nothing, poll 2 ms before they sleep again")
    void anEmptyRingElsewherePollsAsAfterQuiet() {
        long t = 1_000 * MS;
        long rung = t + 5 * MS;
        for (boolean[] who : new boolean[][] {{true, false}, {false, true}, {false, false}}) {
            DoorbellWait w = new DoorbellWait(null, who[0], who[1], source -> null, new AtomicBoolean());
            trafficThenWait(w, t);
            long quiet = w.quietAfterRing(rung);
            String what = (who[0] ? "spawner" : "worker") + (who[1] ? ", cores shared" : ", a core each");
            assertFalse(w.due(rung + Doorbell.AFTER_QUIET_POLL_NANOS - 1, quiet), what);
            assertTrue(w.due(rung + Doorbell.AFTER_QUIET_POLL_NANOS, quiet), what);
            assertEquals(Long.MAX_VALUE, w.emptyRingSleepCap(), what + ": its sleep after polling is not capped");
        }
    }

    @Test
    @DisplayName("traffic after less than a quiet second does not lengthen the spawner's polling")
    void shortPauseKeepsTheBusyRule() {
        DoorbellWait w = spawnerWait();
        long t = 1_000 * MS;
        trafficThenWait(w, t);
        long later = t + 900 * MS;
        long quiet = trafficThenWait(w, later);
        assertTrue(w.due(later + Doorbell.SPAWNER_SLEEPS_AFTER_NANOS, quiet));
    }
}
