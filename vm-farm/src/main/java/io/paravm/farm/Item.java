package io.paravm.farm;

import io.paravm.TaskId;

/**
 * One unit of work in a farm: a submitted task or one input of a {@code map} call, with
 * its dispatch state. Every field after the constructor's is guarded by the farm's lock.
 * An item is <em>resolved</em> once its outcome is decided (value, error, timeout or
 * cancellation); it may still be running on a worker, whose late report is then dropped.
 */
final class Item {
    /** The task ({@code fn == 0}) or the input of map function {@code fn}. */
    final Object work;
    final int fn;
    /** The map call this input belongs to, or null for a submitted task. */
    final MapRun run;
    final int index;
    /** The submitted task's future, or null for a map input. */
    final FarmFuture<Object> future;
    /** Per-run timeout in nanoseconds, 0 for none. */
    final long timeoutNanos;

    /** The id of the current dispatch (what the worker's outcome names). */
    long wire;
    /** Where it was last sent, or null. */
    TaskId worker;
    /** When it started on its worker (System.nanoTime), 0 if not started. */
    long startedAt;
    /** When it was submitted (System.nanoTime), for the VM's listeners; 0 if none listened then. */
    long submittedAt;
    /** Spawn-per-task only: its {@code TaskResult} has arrived. */
    boolean reported;
    int lostCount;
    int failCount;
    boolean resolved;
    /** True for a placeholder left in a worker's list for a job withdrawn from it. */
    final boolean tombstone;

    // The decided outcome, handed over to the delivering thread.
    boolean ok;
    Object value;
    Throwable error;
    FarmProgress farmProgress;
    FarmProgress runProgress;
    /** Next in the farm's delivery chain. */
    Item nextDelivery;

    Item(Object work, int fn, MapRun run, int index, FarmFuture<Object> future, long timeoutNanos) {
        this.work = work;
        this.fn = fn;
        this.run = run;
        this.index = index;
        this.future = future;
        this.timeoutNanos = timeoutNanos;
        this.tombstone = false;
    }

    private Item(long wire) {
        this.work = null;
        this.fn = 0;
        this.run = null;
        this.index = -1;
        this.future = null;
        this.timeoutNanos = 0;
        this.wire = wire;
        this.resolved = true;
        this.tombstone = true;
    }

    /** A placeholder for dispatch {@code wire}, withdrawn from its worker and sent elsewhere. */
    static Item tombstone(long wire) {
        return new Item(wire);
    }

    /** Returns whether this is an input of a {@code map} call that has stopped (it is cancelled, not run). */
    boolean runStopping() {
        return run != null && run.stopping;
    }

    /** Names the item in messages: "input 17 of 100" (of a map call) or "farm task". */
    String describe() {
        return run != null ? "input " + index + " of " + run.size() : "farm task";
    }
}
