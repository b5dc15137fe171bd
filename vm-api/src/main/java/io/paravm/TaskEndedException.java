package io.paravm;

/**
 * Thrown by the spawner's {@link VirtualMachine#sendMessage} when the destination task has
 * ended, or its rank was lost: the message was not sent. Unlike a bad id, this is no
 * mistake of the caller's, only news that came late; a caller usually forgets the task (its
 * {@link TaskExit} is or will be in {@link VirtualMachine#receiveMessage(java.time.Duration)})
 * and goes on.
 *
 * <pre>{@code
 * try {
 *     vm.sendMessage(id, nextInput);
 * } catch (TaskEndedException e) {
 *     idle.remove(id);                 // it ended meanwhile; its TaskExit follows
 * }
 * }</pre>
 */
public class TaskEndedException extends VmException {
    private static final long serialVersionUID = 1L;

    /** @param message which task ended, what its rank runs now, and that nothing was sent */
    public TaskEndedException(String message) {
        super(message);
    }
}
