package io.paravm.farm;

/**
 * Spawner to itself, only after a send to a worker failed: whether this message can be
 * sent tells a payload that cannot be serialized from a worker that is gone. (The VM's
 * serializer is reachable only through {@code sendMessage}.) The dispatcher drops it.
 *
 * @param payload what failed to reach the worker
 */
record SendProbe(Object payload) {
}
