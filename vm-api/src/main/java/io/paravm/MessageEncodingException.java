package io.paravm;

/**
 * Thrown by {@link VirtualMachine#sendMessage} when the message cannot be serialized: its
 * type (or something it holds) is not serializable, is outside the deserialization
 * allow-list ({@code paravm.codec.allow}), or the frame would pass the 2 GiB limit. Nothing
 * was sent and the VM stays usable; the message names the type and the fix.
 *
 * <pre>{@code
 * try {
 *     vm.sendMessage(id, result);
 * } catch (MessageEncodingException e) {
 *     vm.sendMessage(id, result.toString());   // send what can travel instead
 * }
 * }</pre>
 */
public class MessageEncodingException extends VmException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message which type could not be serialized, and how to make it travel
     * @param cause   the serializer's failure, or {@code null}
     */
    public MessageEncodingException(String message, Throwable cause) {
        super(message, cause);
    }
}
