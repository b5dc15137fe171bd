package io.paravm.farm;

import io.paravm.Received;
import io.paravm.VirtualMachine;
import io.paravm.VmClosedException;
import io.paravm.VmException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The farm's dispatcher thread ({@code paravm-farm-dispatcher}), the only caller of
 * {@code vm.receiveMessage} while the farm is open: it hands the farm's messages to the
 * {@link FarmLedger}, the others to the user's {@code otherMessages} handler, and wakes for
 * task deadlines and for the end of a close.
 */
final class Dispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    /** The longest the dispatcher waits in one receive, so it notices a close or a deadline. */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final VirtualMachine vm;
    private final FarmLedger ledger;
    private final Consumer<Received> otherMessages;
    private final Thread thread;

    /**
     * @param otherMessages the user's handler of messages that are not the farm's, or null to
     *                      log and drop them
     */
    Dispatcher(VirtualMachine vm, FarmLedger ledger, Consumer<Received> otherMessages) {
        this.vm = vm;
        this.ledger = ledger;
        this.otherMessages = otherMessages != null ? otherMessages
                : r -> LOG.info("the task farm dropped a message that is not its own, from {}: {}", r.sender(), r.message());
        this.thread = new Thread(this::run, "paravm-farm-dispatcher");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Returns whether the caller runs on the dispatcher thread (in a listener, handler or future callback). */
    boolean isCurrentThread() {
        return Thread.currentThread() == thread;
    }

    /** Waits for the thread to end, at most {@code closeTimeoutNanos} and a second. */
    void awaitEnd(long closeTimeoutNanos) {
        try {
            thread.join(TimeUnit.NANOSECONDS.toMillis(closeTimeoutNanos) + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("the task farm's dispatcher did not end within {}; its worker tasks may still run",
                    Duration.ofNanos(closeTimeoutNanos));
        }
    }

    private void run() {
        try {
            while (true) {
                long wait = ledger.beforeReceive(POLL_NANOS);
                if (wait < 0) break;
                Received r;
                try {
                    r = vm.receiveMessage(Duration.ofNanos(wait)).orElse(null);
                } catch (VmClosedException e) {
                    ledger.vmClosed(e);
                    return;
                } catch (VmException e) {
                    LOG.warn("the task farm's dispatcher dropped a message: {}", e.getMessage());
                    continue;
                }
                if (r == null || r.message() instanceof SendProbe) continue;
                if (!ledger.onMessage(r)) handOver(r);
            }
        } catch (RuntimeException | Error e) {
            LOG.error("the task farm's dispatcher failed; the farm is closed", e);
            ledger.vmClosed(e);
        }
    }

    private void handOver(Received r) {
        try {
            otherMessages.accept(r);
        } catch (RuntimeException | AssertionError e) {
            LOG.warn("the task farm's otherMessages handler threw on a message from {}", r.sender(), e);
        }
    }
}
