package io.paravm;

/**
 * Thrown by a call on a virtual machine that has been closed, and to a task blocked in
 * a receive when the spawner closes the VM.
 *
 * <pre>{@code
 * vm.close();
 * vm.sendMessage(id, "x"); // throws VmClosedException
 * }</pre>
 */
public class VmClosedException extends VmException {
    private static final long serialVersionUID = 1L;

    /** @param message what was called and why it cannot proceed */
    public VmClosedException(String message) {
        super(message);
    }
}
