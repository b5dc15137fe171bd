package io.paravm.core;

/**
 * What every worker tells the spawner when it starts (PyOPUS's NCPU reply).
 *
 * @param host the worker's host name
 * @param cpus processors its JVM sees
 * @param pid  its process id
 */
record Hello(String host, int cpus, long pid) {
}
