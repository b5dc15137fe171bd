package io.paravm.spi;

import io.paravm.TaskId;

/**
 * What happened to one task of a task farm ({@code io.paravm.farm.TaskFarm}), as
 * {@link VmEventListener#farmTask} receives it.
 *
 * <pre>{@code
 * public void farmTask(FarmTaskEvent e) {
 *     if (e.kind() == FarmTaskEvent.Kind.FAILED) log.warn("{} failed on {}:\n{}", e.item(), e.worker(), e.error());
 * }
 * }</pre>
 *
 * @param kind            what happened
 * @param worker          the farm's worker task it ran (or was last sent) on, or {@link TaskId#bad()}
 *                        before it was sent anywhere
 * @param index           which input of its {@code map} call, from 0; -1 for a task of
 *                        {@code submit} (see {@link #item()})
 * @param inputs          how many inputs its {@code map} call has; 0 for a task of {@code submit}
 * @param runNanos        how long it ran on its worker, for {@code COMPLETED}, {@code FAILED},
 *                        {@code TIMED_OUT} and {@code RETRIED}; else 0. Its start is when the
 *                        spawner knew its worker took it up
 * @param sinceSubmitNanos how long since it was submitted, for an outcome; else 0
 * @param error           why, for {@code FAILED}, {@code RETRIED}, {@code TIMED_OUT} and
 *                        {@code CANCELLED} (the remote stack trace of a task that threw, where its
 *                        host was lost, ...); else null
 * @param atNanos         when it happened, as {@link System#nanoTime()} read it (the farm reads the
 *                        clock for the times above anyway: a listener need not read it again)
 */
public record FarmTaskEvent(Kind kind, TaskId worker, int index, int inputs, long runNanos, long sinceSubmitNanos,
                            String error, long atNanos) {

    /**
     * An event that happens now ({@code atNanos} is {@link System#nanoTime()}).
     *
     * @param kind             what happened
     * @param worker           the farm's worker task, or {@link TaskId#bad()}
     * @param index            which input of its {@code map} call, or -1
     * @param inputs           how many inputs its {@code map} call has, or 0
     * @param runNanos         how long it ran on its worker, or 0
     * @param sinceSubmitNanos how long since it was submitted, or 0
     * @param error            why, or null
     */
    public FarmTaskEvent(Kind kind, TaskId worker, int index, int inputs, long runNanos, long sinceSubmitNanos,
                         String error) {
        this(kind, worker, index, inputs, runNanos, sinceSubmitNanos, error, System.nanoTime());
    }

    /**
     * Names the task in words, as the farm's messages do (made on each call: the event itself
     * carries numbers only, so telling it costs no text).
     *
     * @return {@code "input 17 of 100"} for an input of a {@code map} call, {@code "farm task"}
     *         for a task of {@code submit}
     */
    public String item() {
        return index < 0 ? "farm task" : "input " + index + " of " + inputs;
    }

    /** What happened to a farm task. */
    public enum Kind {
        /** Taken by {@code submit} or {@code map}. */
        SUBMITTED,
        /** Its worker took it up. */
        STARTED,
        /** It returned a value. */
        COMPLETED,
        /** It threw (after any retries asked for), was lost too often, or could not be sent. */
        FAILED,
        /** It runs again: it threw and may be retried, or its host was lost while it ran. */
        RETRIED,
        /** Its timeout passed. */
        TIMED_OUT,
        /** It was cancelled (its future, a failed {@code map}, or the farm's close). */
        CANCELLED
    }
}
