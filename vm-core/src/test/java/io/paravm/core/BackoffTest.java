package io.paravm.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** How {@link Backoff} learns from the waits before: the properties its wait strategy rests on. */
class BackoffTest {

    private static final long MICROS = 1_000L;
    private static final long MILLIS = 1_000_000L;

    @Test
    void oneStallDoesNotMakeABusyExchangePark() {
        long expected = 0;
        for (int i = 0; i < 1000; i++) expected = Backoff.recordWait(expected, 5 * MICROS); // a ping-pong
        expected = Backoff.recordWait(expected, 10 * MILLIS); // one GC pause at the peer
        assertTrue(expected < 2 * MILLIS, "expected " + expected);
        // it parks from an eighth of that at most once, and the fast answers bring it back down at once
        for (int i = 0; i < 8; i++) expected = Backoff.recordWait(expected, 5 * MICROS);
        assertTrue(expected < Backoff.LONG_WAIT_NS, "after 8 fast answers the wait is short again: " + expected);
    }

    @Test
    void aRankThatWasIdleForLongAnswersABusyExchangeAgainWithinAFewMessages() {
        long expected = 0;
        for (int i = 0; i < 100; i++) expected = Backoff.recordWait(expected, 1000 * MILLIS); // idle, 1 s timeouts
        int messages = 0;
        while (expected >= Backoff.LONG_WAIT_NS) {
            // While it still expects long waits it parks from an eighth of them (at least 50 µs), capped at 1 ms:
            // so that is about how long it waits for a peer that answers at once.
            long waited = Math.min(Backoff.MAX_PARK_NS_DEFAULT, Math.max(50 * MICROS, expected / 8));
            expected = Backoff.recordWait(expected, waited);
            messages++;
            assertTrue(messages < 40, "still expecting a long wait after " + messages + " messages: " + expected);
        }
    }

    @Test
    void steadyResultsAMillisecondApartAreALongWait() {
        long expected = 0;
        for (int i = 0; i < 100; i++) expected = Backoff.recordWait(expected, 1 * MILLIS);
        assertTrue(expected >= Backoff.LONG_WAIT_NS, "a spawner hearing from a worker every ms parks at once: " + expected);
    }
}
