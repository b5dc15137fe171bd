package io.paravm.farm;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether an item runs again after it threw or after its worker was lost, and
 * words the error that fails it when it may not ({@link TaskFarm.Builder#failureRetries(int)},
 * {@link TaskFarm.Builder#lostHostRetries(int)}).
 */
final class RetryPolicy {

    private static final Logger LOG = LoggerFactory.getLogger(RetryPolicy.class);

    private final int lostHostRetries;
    private final int failureRetries;

    RetryPolicy(int lostHostRetries, int failureRetries) {
        this.lostHostRetries = lostHostRetries;
        this.failureRetries = failureRetries;
    }

    /**
     * {@code item} threw: returns whether it runs again (counting the retry), which it never
     * does once its {@code map} call has stopped.
     */
    boolean againAfterThrow(Item item) {
        if (item.failCount >= failureRetries || item.runStopping()) return false;
        item.failCount++;
        LOG.debug("{} threw; running it again ({} of {} retries)", item.describe(), item.failCount, failureRetries);
        return true;
    }

    /** The error of an item that threw and does not run again. */
    RemoteTaskException thrown(Item item, String remoteTrace) {
        String retries = item.failCount > 0 ? " (after " + item.failCount + " retries)" : "";
        return new RemoteTaskException(item.describe() + " threw on a worker" + retries + ":\n" + remoteTrace,
                remoteTrace, item.index);
    }

    /**
     * The worker of {@code item} was lost: returns whether it runs again.
     *
     * @param blame whether the item had started there (only then does it count as a lost run)
     */
    boolean againAfterLoss(Item item, boolean blame) {
        if (blame) item.lostCount++;
        return item.lostCount <= lostHostRetries;
    }

    /** The error of an item lost more often than allowed, last on {@code where}. */
    TaskLostException lostTooOften(Item item, String where, String lastWorkerError) {
        return new TaskLostException(item.describe() + " was lost " + item.lostCount
                + " times, last on " + where + " (lostHostRetries=" + lostHostRetries + ")"
                + (lastWorkerError != null ? "; the last worker error was:\n" + lastWorkerError : "")
                + "\nRaise TaskFarm.builder(vm).lostHostRetries(...) if hosts are expected to drop out", item.index);
    }
}
