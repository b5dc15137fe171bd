package io.paravm.farm;

import io.paravm.VmException;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;

/**
 * One {@code map} call: feeds its inputs to the farm, collects its results and counts, and
 * turns its first failure into what {@code map} throws. {@code results}, the counts and
 * {@code failure} are written under the farm's lock; the caller reads them after
 * {@link #done} has counted down, once per input (every input is delivered once, fed or not).
 */
final class MapRun {
    final int fnId;
    final TaskFunction<Object, Object> function;
    final Object[] results;
    final ProgressListener listener;
    final long startNanos = System.nanoTime();
    final CountDownLatch done;

    long completed;
    long failed;
    /** The first input that failed, and how; null while none has. */
    Item failure;
    /** Set once an input failed or the call was abandoned: the rest is cancelled, no more is fed. */
    boolean stopping;

    MapRun(int fnId, TaskFunction<Object, Object> function, int size, ProgressListener listener) {
        this.fnId = fnId;
        this.function = function;
        this.results = new Object[size];
        this.listener = listener;
        this.done = new CountDownLatch(size);
    }

    int size() {
        return results.length;
    }

    /**
     * Feeds {@code inputs} to the farm as room appears, waits until each has been delivered,
     * and returns the results in input order.
     *
     * @param timeoutNanos each input's timeout, 0 for none
     * @throws RuntimeException the first failure, naming its input; or why feeding stopped
     */
    List<Object> feedAndAwait(FarmLedger ledger, List<?> inputs, long timeoutNanos) {
        int n = size();
        int fed = 0;
        VmException feedError = null;
        boolean interrupted = false;
        try {
            while (fed < n && ledger.admit(new Item(inputs.get(fed), fnId, this, fed, null, timeoutNanos), false, true)) {
                fed++;
            }
        } catch (VmException e) {
            feedError = e;
            interrupted = Thread.interrupted();
        } finally {
            if (fed < n) {
                ledger.stopRun(this, "map stopped feeding inputs");
                for (int i = fed; i < n; i++) done.countDown();
            }
        }
        while (true) {
            try {
                done.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
                ledger.stopRun(this, "the thread running map was interrupted");
            }
        }
        ledger.closeMap(this);
        if (interrupted) Thread.currentThread().interrupt();
        if (failure != null) throw failureToThrow();
        if (feedError != null) throw feedError;
        if (interrupted) {
            throw new VmException("map: interrupted; the inputs not finished were cancelled");
        }
        return Collections.unmodifiableList(Arrays.asList(results));
    }

    private RuntimeException failureToThrow() {
        String where = "map: input " + failure.index + " of " + size();
        Throwable e = failure.error;
        if (e instanceof RemoteTaskException r) {
            return new RemoteTaskException(where + " threw on a worker:\n" + r.remoteTrace(), r.remoteTrace(), failure.index);
        }
        if (e instanceof TaskLostException) {
            return new TaskLostException(where + ": " + e.getMessage(), failure.index);
        }
        if (e instanceof TimeoutException) {
            return new VmException(where + " timed out: " + e.getMessage(), e);
        }
        if (e instanceof CancellationException) {
            return new VmException(where + " was cancelled, so map cannot return: " + e.getMessage(), e);
        }
        return new VmException(where + " failed: " + e.getMessage(), e);
    }
}
