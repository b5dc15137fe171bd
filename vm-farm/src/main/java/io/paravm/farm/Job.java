package io.paravm.farm;

/**
 * Spawner to resident worker: run one item. Sent for every task, so it is kept small: on
 * the wire a type id ({@link FarmCodecTypes}), two numbers and the argument.
 *
 * @param id  the dispatch's id; the {@link Outcome} names it
 * @param fn  0: {@code arg} is an {@link io.paravm.Task}; otherwise the id of a function
 *            installed with {@link InstallFunction} and {@code arg} is its input
 * @param arg the task, or the function's input
 */
record Job(long id, int fn, Object arg) {
}
