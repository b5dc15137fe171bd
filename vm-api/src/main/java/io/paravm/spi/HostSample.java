package io.paravm.spi;

import io.paravm.HostId;

/**
 * One sample of a worker JVM's load, as {@link VmEventListener#hostSampled} receives it.
 *
 * <pre>{@code
 * public void hostSampled(HostSample s) {
 *     log.info("{} rank {}: cpu {}%, heap {} of {} MiB", s.host(), s.rank(), Math.round(s.cpuLoad() * 100),
 *             s.heapUsedBytes() >> 20, s.heapMaxBytes() >> 20);
 * }
 * }</pre>
 *
 * @param host          the worker's host
 * @param rank          the worker's rank
 * @param cpuLoad       the JVM process's recent CPU load, 0 to 1 of all the host's processors,
 *                      or negative if the JVM cannot tell
 * @param heapUsedBytes heap in use
 * @param heapMaxBytes  the heap's maximum, or -1 if undefined
 * @param gcMillis      the time spent in garbage collection since the JVM started, in ms
 * @param gcCount       the collections since the JVM started
 */
public record HostSample(HostId host, int rank, double cpuLoad, long heapUsedBytes, long heapMaxBytes,
                         long gcMillis, long gcCount) {
}
