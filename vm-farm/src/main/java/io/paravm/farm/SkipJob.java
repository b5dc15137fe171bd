package io.paravm.farm;

/**
 * Spawner to resident worker: do not start job {@code id} if it has not started; answer
 * with {@link Outcome#SKIPPED}. A job already run is reported as usual.
 *
 * @param id the job's id
 */
record SkipJob(long id) {
}
