package io.paravm;

/**
 * Thrown by {@link VirtualMachine#receiveMessage(java.time.Duration)} when a message arrived
 * but could not be decoded (a class missing on this rank or at another version, a class
 * outside the deserialization allow-list, or a corrupt frame). That message was dropped; the
 * VM stays usable, and the next receive returns the next message.
 *
 * <pre>{@code
 * while (running) {
 *     try {
 *         vm.receiveMessage(Duration.ofSeconds(1)).ifPresent(this::handle);
 *     } catch (MessageDecodingException e) {
 *         log.warn("skipped a message: {}", e.getMessage());
 *     }
 * }
 * }</pre>
 */
public class MessageDecodingException extends VmException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message who sent the message, why it could not be decoded, and what to check
     * @param cause   the decoder's failure, or {@code null}
     */
    public MessageDecodingException(String message, Throwable cause) {
        super(message, cause);
    }
}
