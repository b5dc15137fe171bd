package io.paravm.farm;

import io.paravm.VmException;

/**
 * A farm task's worker (or its whole host) went away more often than
 * {@link TaskFarm.Builder#lostHostRetries(int)} allows, or no worker was left to run it.
 *
 * <pre>{@code
 * try (TaskFarm farm = TaskFarm.builder(vm).lostHostRetries(5).build()) {
 *     farm.map(x -> simulate(x), inputs);
 * } catch (TaskLostException e) {
 *     log.error("hosts kept dropping out: {}", e.getMessage());
 * }
 * }</pre>
 */
public class TaskLostException extends VmException {
    private static final long serialVersionUID = 1L;

    private final int inputIndex;

    /**
     * @param message    which task, how often it was lost, and what to do
     * @param inputIndex the index of the lost input in a {@code map} call, or -1
     */
    public TaskLostException(String message, int inputIndex) {
        super(message);
        this.inputIndex = inputIndex;
    }

    /**
     * Returns which input was lost.
     *
     * @return the index of the lost input when thrown by {@code map}, or -1
     */
    public int inputIndex() {
        return inputIndex;
    }
}
