package io.paravm.farm;

import io.paravm.VmException;

/**
 * A farm task threw on its worker. The message carries the remote exception's class,
 * message and stack trace as text; {@link #remoteTrace()} gives that text alone.
 *
 * <pre>{@code
 * try {
 *     farm.submit(w -> riskyComputation()).join();
 * } catch (CompletionException e) {
 *     if (e.getCause() instanceof RemoteTaskException r) log.warn("remote failure:\n{}", r.remoteTrace());
 * }
 * }</pre>
 */
public class RemoteTaskException extends VmException {
    private static final long serialVersionUID = 1L;

    private final String remoteTrace;
    private final int inputIndex;

    /**
     * @param message     what failed, followed by the remote trace
     * @param remoteTrace the remote exception's class, message and stack trace
     * @param inputIndex  the index of the failed input in a {@code map} call, or -1
     */
    public RemoteTaskException(String message, String remoteTrace, int inputIndex) {
        super(message);
        this.remoteTrace = remoteTrace;
        this.inputIndex = inputIndex;
    }

    /**
     * Returns the remote exception's class, message and stack trace.
     *
     * @return the trace as the worker printed it
     */
    public String remoteTrace() {
        return remoteTrace;
    }

    /**
     * Returns which input failed.
     *
     * @return the index of the failed input when thrown by {@code map}, or -1
     */
    public int inputIndex() {
        return inputIndex;
    }
}
