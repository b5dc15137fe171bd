package io.paravm.farm;

import java.util.concurrent.CountDownLatch;

/**
 * One {@code map} call: its function, results and counts. {@code results}, the counts
 * and {@code failure} are written under the farm's lock; the caller reads them after
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
}
