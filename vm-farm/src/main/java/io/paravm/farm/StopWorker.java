package io.paravm.farm;

/** Spawner to resident worker: drop the jobs not started and end the worker task. */
record StopWorker() {
}
