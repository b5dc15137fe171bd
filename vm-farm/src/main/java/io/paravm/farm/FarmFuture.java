package io.paravm.farm;

import java.util.concurrent.CompletableFuture;

/**
 * The future {@link TaskFarm#submit} returns: cancelling it also withdraws the task from
 * the farm (from the queue, or from its worker if it has not started there).
 */
final class FarmFuture<R> extends CompletableFuture<R> {
    private final FarmLedger ledger;
    Item item;

    FarmFuture(FarmLedger ledger) {
        this.ledger = ledger;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled && item != null) ledger.cancelled(item);
        return cancelled;
    }
}
