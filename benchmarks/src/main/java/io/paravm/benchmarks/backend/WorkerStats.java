package io.paravm.benchmarks.backend;

import java.io.Serializable;

/**
 * What an echo task measured on its worker: how many messages it received and how many
 * bytes its thread allocated meanwhile ({@code com.sun.management.ThreadMXBean}).
 *
 * @param messages        messages received by the echo
 * @param allocatedBytes  bytes allocated by the echo's thread while it ran, or -1 if unknown
 */
public record WorkerStats(long messages, long allocatedBytes) implements Serializable {

    /** Bytes allocated per received message on the worker, or -1 if unknown. */
    public double bytesPerMessage() {
        return allocatedBytes < 0 || messages == 0 ? -1 : (double) allocatedBytes / messages;
    }

    /** Bytes allocated so far by the calling thread, or -1 where the JVM cannot tell. */
    public static long threadAllocatedBytes() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        if (mx instanceof com.sun.management.ThreadMXBean sun && sun.isThreadAllocatedMemorySupported()) {
            return sun.getCurrentThreadAllocatedBytes();
        }
        return -1;
    }
}
