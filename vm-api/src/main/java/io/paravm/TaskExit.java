package io.paravm;

import java.io.Serializable;

/**
 * Reports that a task ended; receiving it frees the task's slot in the spawner's
 * bookkeeping. Every spawned task ends with exactly one {@code TaskExit}.
 *
 * <pre>{@code
 * if (received.message() instanceof TaskExit exit && exit.reason() == TaskExit.Reason.LOST) {
 *     resubmit(exit.taskId());
 * }
 * }</pre>
 *
 * @param taskId the task that ended
 * @param reason how it ended
 */
public record TaskExit(TaskId taskId, Reason reason) implements Serializable {

    /** How a task ended. */
    public enum Reason {
        /** The task returned normally. */
        FINISHED,
        /** The task threw; its {@link TaskResult} (if sent back) carries the error. */
        FAILED,
        /** The task's host or process went away; no result will come. */
        LOST
    }
}
