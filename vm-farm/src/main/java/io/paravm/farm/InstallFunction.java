package io.paravm.farm;

/**
 * Spawner to resident worker: keep {@code function} under {@code id} for the {@link Job}s
 * of one {@code map} call (sent once per worker and call), or forget it when
 * {@code function} is null.
 *
 * @param id       the function's id, never 0
 * @param function the function, or null to forget it
 */
record InstallFunction(int id, TaskFunction<?, ?> function) {
}
