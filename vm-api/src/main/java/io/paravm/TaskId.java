package io.paravm;

import java.io.Serializable;

/**
 * Identifies a task: the rank it runs on and the task number the spawner gave it.
 * Printed as {@code rank:number}. The spawner itself is task {@code 0:0}; tasks it
 * spawns are numbered from 1 upwards. An id with a negative rank is invalid.
 *
 * <pre>{@code
 * List<TaskId> ids = vm.spawnFunction(w -> 42, 1, null, true);
 * TaskId id = ids.get(0);           // e.g. 1:1
 * vm.sendMessage(id, "hello");
 * }</pre>
 *
 * @param rank   the engine rank the task runs on; negative means invalid
 * @param number the task number; negative on a worker that runs no task
 */
public record TaskId(int rank, int number) implements Serializable, Comparable<TaskId> {

    private static final TaskId BAD = new TaskId(-1, -1);

    /** Returns the invalid task id (PyOPUS's {@code TaskID.bad()}). */
    public static TaskId bad() {
        return BAD;
    }

    /** Returns whether this id can name a task (non-negative rank and number). */
    public boolean isValid() {
        return rank >= 0 && number >= 0;
    }

    @Override
    public int compareTo(TaskId other) {
        int c = Integer.compare(rank, other.rank);
        return c != 0 ? c : Integer.compare(number, other.number);
    }

    @Override
    public String toString() {
        return rank + ":" + number;
    }
}
