package io.paravm.farm;

import io.paravm.Received;

import java.util.function.Consumer;

/**
 * How a farm runs its items: on resident worker tasks ({@link ResidentWorkers}) or as one
 * spawned task per item ({@link SpawnPerTask}). Every method is called with the farm's
 * lock held; outcomes go back through the {@link FarmLedger}'s {@code succeeded},
 * {@code threw}, {@code lost}, {@code requeue} and {@code timedOut}.
 */
interface Placement {

    /** "No running item has a deadline"; compared with ==, never subtracted (nanoTime may be negative). */
    long NO_DEADLINE = Long.MAX_VALUE;

    /** Starts whatever the farm runs on; called once, when the farm is built. */
    void start();

    /**
     * Starts {@code item} now if there is room.
     *
     * @return false if there is no room (the item is untouched); true if it was sent, or
     *         resolved because it could not be sent
     */
    boolean place(Item item);

    /**
     * Takes a message the dispatcher received.
     *
     * @return whether it was the farm's own (consumed); membership events return false so
     *         that the user's handler sees them too
     */
    boolean onMessage(Received received);

    /**
     * Returns whether a worker had no room for its next job (its unread bound was full while
     * it worked on others) and was passed over; see {@link #forgetFull()}.
     */
    default boolean anyFull() {
        return false;
    }

    /** Lets the workers passed over for want of room be tried again: some may have read since. */
    default void forgetFull() {
    }

    /** {@code item}, already sent, was cancelled: keep its worker from starting it if possible. */
    void cancel(Item item);

    /**
     * Resolves the items whose timeout has passed.
     *
     * @param now {@link System#nanoTime()}
     * @return the next deadline of a running item, or {@link #NO_DEADLINE}
     */
    long checkTimeouts(long now);

    /** Calls {@code action} for every item sent and not yet reported back (tombstones excluded). */
    void forEachInFlight(Consumer<Item> action);

    /** The {@code map} call {@code run} has ended: its function may be dropped. */
    void forget(MapRun run);

    /** Asks every farm task to end (on close). */
    void stop();

    /** Returns whether every task this farm started has ended. */
    boolean ended();

    /** Returns how many workers the farm can use now. */
    int workers();

    /** Returns how many items are on workers now (including resolved ones still running). */
    int inFlight();
}
