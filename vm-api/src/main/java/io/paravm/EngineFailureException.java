package io.paravm;

/**
 * Thrown when the message-passing engine under the VM failed (an MPI call returned an
 * error, a connection broke): the call could not be completed, and the engine may not
 * recover. A caller usually closes the VM and reports the job as failed, rather than
 * retrying the call; the message names the engine, the operation and the ranks involved.
 *
 * <pre>{@code
 * try {
 *     vm.sendMessage(id, input);
 * } catch (EngineFailureException e) {
 *     vm.close();
 *     throw new IllegalStateException("the job's engine failed", e);
 * }
 * }</pre>
 */
public class EngineFailureException extends VmException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message the engine, the operation and the ranks involved
     * @param cause   the engine's failure
     */
    public EngineFailureException(String message, Throwable cause) {
        super(message, cause);
    }
}
