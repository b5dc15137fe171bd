package io.paravm;

/**
 * Thrown by {@link VirtualMachine#sendMessage} when the destination task already holds as
 * many unread bytes from this rank as its bound allows ({@link VmConfig.Builder#unreadBound})
 * and did not read enough of them within the send timeout
 * ({@link VmConfig.Builder#sendTimeout}): the message was not sent. The VM stays usable, and
 * what was sent before stays queued for the task.
 *
 * <pre>{@code
 * try {
 *     vm.sendMessage(consumer, chunk);
 * } catch (SendTimeoutException e) {
 *     log.warn("{} is not reading: {}", consumer, e.getMessage());   // back off, or give up on it
 * }
 * }</pre>
 */
public class SendTimeoutException extends VmException {
    private static final long serialVersionUID = 1L;

    /** @param message which task, its bound and the setting, the time waited, and that nothing was sent */
    public SendTimeoutException(String message) {
        super(message);
    }
}
