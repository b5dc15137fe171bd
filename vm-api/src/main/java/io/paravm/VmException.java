package io.paravm;

/**
 * Thrown for every misuse or failure of the virtual machine. Its message says what was
 * wrong, the valid range or state, and what to do. The VM stays usable after a
 * {@code VmException} unless the message says it was closed.
 *
 * <pre>{@code
 * try {
 *     vm.sendMessage(staleId, "late");
 * } catch (VmException e) {
 *     log.warn(e.getMessage()); // "task 1:3 has ended; rank 1 now runs 1:5 ..."
 * }
 * }</pre>
 */
public class VmException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what was wrong and what to do */
    public VmException(String message) {
        super(message);
    }

    /**
     * @param message what was wrong and what to do
     * @param cause   the underlying failure
     */
    public VmException(String message, Throwable cause) {
        super(message, cause);
    }
}
