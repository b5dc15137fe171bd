package io.paravm.core;

/**
 * What every worker tells the spawner when it starts (PyOPUS's NCPU reply).
 *
 * @param host  the worker's host name
 * @param cpus  processors its JVM sees
 * @param pid   its process id
 * @param slots tasks it runs at once ({@code paravm.worker.slots})
 */
record Hello(String host, int cpus, long pid, int slots) {
}
