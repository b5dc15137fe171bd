package io.paravm.core;

/**
 * What every worker tells the spawner when it starts (PyOPUS's NCPU reply).
 *
 * @param host          the worker's host name
 * @param cpus          processors its JVM sees
 * @param pid           its process id
 * @param slots         tasks it runs at once ({@code paravm.worker.slots})
 * @param typeTableHash {@link Codec#typeTableHash()}: a rank whose wire types (or their
 *                      layouts) differ cannot read the spawner's frames, nor the spawner its
 * @param typeTable     {@link Codec#describeTypeTable()}, for the message when the hashes differ
 */
record Hello(String host, int cpus, long pid, int slots, long typeTableHash, String typeTable) {
}
