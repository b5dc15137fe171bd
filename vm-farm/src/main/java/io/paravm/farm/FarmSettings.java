package io.paravm.farm;

import io.paravm.Received;
import io.paravm.VmException;

import java.time.Duration;

import java.util.function.Consumer;

/**
 * The settings of one farm as {@link TaskFarm.Builder} checked them, handed to the parts
 * that use them.
 *
 * @param maxQueued         how many items may wait for a worker
 * @param inFlightPerSlot   how many items each resident worker gets at once
 * @param taskTimeoutNanos  the timeout of {@code submit(task)} and {@code map} items, 0 for none
 * @param lostHostRetries   how often an item whose worker was lost runs again
 * @param failureRetries    how often an item that threw runs again
 * @param progress          the farm-wide progress listener, or null
 * @param otherMessages     the handler of messages that are not the farm's, or null for the default
 * @param spawnPerTask      whether every item is its own spawned task
 * @param queueWaitNanos    how long {@code submit} waits for room in a full queue
 * @param closeTimeoutNanos how long {@code close} waits for the farm's tasks to exit
 */
record FarmSettings(int maxQueued, int inFlightPerSlot, long taskTimeoutNanos, int lostHostRetries,
                    int failureRetries, ProgressListener progress, Consumer<Received> otherMessages,
                    boolean spawnPerTask, long queueWaitNanos, long closeTimeoutNanos) {

    /**
     * Returns {@code d} in nanoseconds (capped where it overflows).
     *
     * @param call names the setting or call in the error
     * @throws VmException if {@code d} is null, zero or negative
     */
    static long positiveNanos(Duration d, String call) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new VmException(call + ": timeout " + d + " is not positive; pass e.g. Duration.ofMinutes(5)");
        }
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4;
        }
    }
}
