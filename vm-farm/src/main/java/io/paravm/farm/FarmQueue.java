package io.paravm.farm;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.locks.Condition;

/**
 * The farm's bounded input queue: the items waiting for a worker, oldest first, and the
 * wait for room in it ({@link TaskFarm.Builder#maxQueued(int)}). Guarded by the farm's
 * lock; {@code notFull} is a condition of that lock.
 */
final class FarmQueue {

    private final ArrayDeque<Item> items = new ArrayDeque<>();
    private final int maxQueued;
    private final Condition notFull;
    private final Condition refill;
    /**
     * The size at which a {@code map} call's feeder is woken: an eighth of the queue below full.
     * Woken at each result instead, a map of more inputs than the queue holds ran its thread
     * once per task (a futex wake, a context switch and the farm's lock each), which at -np 3 on
     * 2 cores took a share of the cores from the workers (docs/waiting.md).
     */
    private final int refillAt;

    /**
     * @param maxQueued the most items waiting
     * @param notFull   a condition of the farm's lock: signalled whenever room appears
     * @param refill    a condition of the farm's lock: signalled when the queue has drained to
     *                  {@link #refillAt}, or stops
     */
    FarmQueue(int maxQueued, Condition notFull, Condition refill) {
        this.maxQueued = maxQueued;
        this.notFull = notFull;
        this.refill = refill;
        this.refillAt = maxQueued - Math.max(1, maxQueued / 8);
    }

    int size() {
        return items.size();
    }

    boolean isEmpty() {
        return items.isEmpty();
    }

    boolean isFull() {
        return items.size() >= maxQueued;
    }

    int maxQueued() {
        return maxQueued;
    }

    /** Waits for room at most {@code nanos}; returns what is left of them (see {@link Condition#awaitNanos}). */
    long awaitRoom(long nanos) throws InterruptedException {
        return notFull.awaitNanos(nanos);
    }

    /**
     * Waits until the queue has drained an eighth below full (room for a batch of inputs), or
     * for a signal that the farm or a map call stopped: a map's feeder, whose inputs are all at
     * hand, waits so. A submitter waits with {@link #awaitRoom(long)}, for the first room.
     */
    void awaitRefill() throws InterruptedException {
        refill.await();
    }

    /** Hands {@code item} straight to {@code placement} if nothing waits before it and there is room; else queues it last. */
    void offer(Item item, Placement placement) {
        if (!items.isEmpty() || !placement.place(item)) items.addLast(item);
    }

    /** Puts an item that must run again first in line. */
    void pushFront(Item item) {
        items.addFirst(item);
    }

    /** Room appeared on the workers: hands queued items to {@code placement}, oldest first, while it takes them. */
    void pump(Placement placement) {
        boolean removed = false;
        while (!items.isEmpty()) {
            if (!placement.place(items.peekFirst())) break;
            items.pollFirst();
            removed = true;
        }
        if (removed) {
            notFull.signalAll();
            if (items.size() <= refillAt) refill.signalAll();
        }
    }

    /** Takes {@code item} out if it waits here; returns whether it did. */
    boolean remove(Item item) {
        if (!items.removeFirstOccurrence(item)) return false;
        signalAllWaiting();
        return true;
    }

    /** Takes out the items of the map call {@code run}, in queue order. */
    List<Item> removeRun(MapRun run) {
        List<Item> removed = new ArrayList<>();
        for (Iterator<Item> it = items.iterator(); it.hasNext(); ) {
            Item item = it.next();
            if (item.run == run) {
                it.remove();
                removed.add(item);
            }
        }
        if (!removed.isEmpty()) signalAllWaiting();
        return removed;
    }

    /**
     * Takes out every item, in queue order, and wakes every caller waiting for room (they
     * find the farm stopped). The caller resolves them afterwards, since resolving one may
     * stop its map call, which takes that call's items out of this queue.
     */
    List<Item> drain() {
        List<Item> all = new ArrayList<>(items);
        items.clear();
        signalAllWaiting();
        return all;
    }

    private void signalAllWaiting() {
        notFull.signalAll();
        refill.signalAll();
    }
}
