package io.paravm;

/**
 * A message together with the task that sent it, as returned by
 * {@link VirtualMachine#receiveMessage(java.time.Duration)}.
 *
 * <pre>{@code
 * vm.receiveMessage(Duration.ofSeconds(5)).ifPresent(r ->
 *     log.info("{} sent {}", r.sender(), r.message()));
 * }</pre>
 *
 * @param sender  the sending task (for a {@link TaskExit} of a lost task: that task)
 * @param message the message: a user object, or a {@link TaskResult}, {@link TaskExit},
 *                {@link HostAdded} or {@link HostRemoved}
 */
public record Received(TaskId sender, Object message) {

    /**
     * Returns the message cast to {@code type}.
     *
     * @param type the expected class
     * @param <T>  the expected type
     * @return the message
     * @throws VmException if the message is of another type; the message names both
     */
    public <T> T messageAs(Class<T> type) {
        if (!type.isInstance(message)) {
            throw new VmException("message from " + sender + " is "
                    + (message == null ? "null" : message.getClass().getName())
                    + ", not " + type.getName());
        }
        return type.cast(message);
    }
}
