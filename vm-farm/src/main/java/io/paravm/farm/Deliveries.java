package io.paravm.farm;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands resolved items to their futures, {@code map} calls and progress listeners, outside
 * the farm's lock: items are chained under the lock ({@link #add}), and whoever releases
 * the lock takes the chain ({@link #take}) and delivers it ({@link #deliver}).
 */
final class Deliveries {

    private static final Logger LOG = LoggerFactory.getLogger(Deliveries.class);

    /** The farm-wide progress listener, or null. */
    private final ProgressListener progress;
    // Guarded by the farm's lock.
    private Item head, tail;

    Deliveries(ProgressListener progress) {
        this.progress = progress;
    }

    /** Chains a resolved item for delivery (lock held); a tombstone has no one to tell. */
    void add(Item item) {
        if (item.future == null && item.run == null) return;
        if (tail == null) head = item;
        else tail.nextDelivery = item;
        tail = item;
    }

    /** Takes the chain of items waiting for delivery (lock held). */
    Item take() {
        Item chain = head;
        head = tail = null;
        return chain;
    }

    /** Hands every item of {@code chain} to its future or map call, and tells the listeners; called without the lock. */
    void deliver(Item chain) {
        while (chain != null) {
            Item item = chain;
            chain = item.nextDelivery;
            item.nextDelivery = null;
            if (item.farmProgress != null) tell(progress, item.farmProgress);
            MapRun run = item.run;
            if (run != null) {
                if (item.runProgress != null) tell(run.listener, item.runProgress);
                run.done.countDown();
            } else if (item.ok) {
                item.future.complete(item.value);
            } else {
                item.future.completeExceptionally(item.error);
            }
            item.value = null;
        }
    }

    private static void tell(ProgressListener listener, FarmProgress p) {
        try {
            listener.progress(p);
        } catch (RuntimeException | AssertionError e) {
            LOG.warn("a task farm progress listener threw", e);
        }
    }
}
