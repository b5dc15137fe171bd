package io.paravm.benchmarks.efficiency;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The user's function of the efficiency benchmark: a pure CPU loop (xorshift64) whose
 * result depends on its input and on every iteration, so no iteration can be optimised
 * away; the caller checks every result against the serial run's. The anchor
 * ({@code benchmarks/anchor/efficiency_anchor.py}) runs the same loop in Python, which gives
 * the same values for the same seed and iteration count.
 *
 * <p>Every timed call returns {@code {value, cpuNanos, startNanos, endNanos}}: the task's
 * own CPU time ({@link ThreadMXBean#getCurrentThreadCpuTime()}) and its start and end on
 * {@link System#nanoTime()}, which on Linux is {@code CLOCK_MONOTONIC}, one clock for every
 * process of the machine (so a spawner can set tasks' intervals against each other).
 *
 * <pre>{@code
 * long perMs = CpuWork.calibrate(200).iterationsPerMilli();   // per millisecond of CPU
 * long[] r = CpuWork.timed(42, (int) perMs);                   // about 1 ms: {value, cpu ns, start, end}
 * }</pre>
 */
public final class CpuWork {

    /** Length of {@link #timed}'s answer. */
    public static final int TIMED_FIELDS = 4;

    /** CPU spent warming the loop up before {@link #calibrate} measures it, ns. */
    private static final long WARMUP_NANOS = 150_000_000L;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private CpuWork() {
    }

    /** {@code iterations} rounds of xorshift64 from {@code seed | 1}; the same values as the anchor's. */
    public static long spin(long seed, int iterations) {
        long x = seed | 1;
        for (int i = 0; i < iterations; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        return x;
    }

    /** The current thread's CPU time in ns, or -1 where the JVM cannot measure it. */
    public static long threadCpuNanos() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : -1;
    }

    /** One task: {@code {value, cpuNanos, startNanos, endNanos}}. */
    public static long[] timed(long seed, int iterations) {
        long start = System.nanoTime();
        long cpu0 = threadCpuNanos();
        long value = spin(seed, iterations);
        long cpu1 = threadCpuNanos();
        return new long[]{value, cpu0 < 0 ? -1 : cpu1 - cpu0, start, System.nanoTime()};
    }

    /** Several tasks in one call (a chunk): {@link #timed}'s four fields per seed, one after the other. */
    public static long[] timedChunk(long[] seeds, int iterations) {
        long[] out = new long[seeds.length * TIMED_FIELDS];
        for (int i = 0; i < seeds.length; i++) {
            System.arraycopy(timed(seeds[i], iterations), 0, out, i * TIMED_FIELDS, TIMED_FIELDS);
        }
        return out;
    }

    /**
     * The serial reference: every seed, one after the other, in one task. Returns the values
     * ({@code [0, n)}), each one's CPU ns ({@code [n, 2n)}), and the wall ns of the whole
     * loop ({@code [2n]}).
     */
    public static long[] serial(long[] seeds, int iterations) {
        int n = seeds.length;
        long[] out = new long[2 * n + 1];
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long[] r = timed(seeds[i], iterations);
            out[i] = r[0];
            out[n + i] = r[1];
        }
        out[2 * n] = System.nanoTime() - t0;
        return out;
    }

    /**
     * What {@link #calibrate} measured.
     *
     * @param iterationsPerMilli iterations of {@link #spin} per ms of a thread's CPU
     * @param checksum           the loop's last value (returned, so the loop cannot be dropped)
     */
    public record Calibration(long iterationsPerMilli, long checksum) {
    }

    /**
     * Iterations per millisecond of this thread's CPU, after a warm-up: the loop runs until
     * {@code millis} of CPU have passed, in growing batches, and the last batches count.
     *
     * @param millis how long to measure, in ms of CPU (at least 20)
     * @throws IllegalStateException if the JVM cannot measure a thread's CPU time
     */
    public static Calibration calibrate(int millis) {
        if (threadCpuNanos() < 0) {
            throw new IllegalStateException("this JVM cannot measure a thread's CPU time (ThreadMXBean); "
                    + "the efficiency benchmark sizes its tasks by it");
        }
        long sink = 0;
        int batch = 10_000;
        // warm-up: 150 ms of CPU in batches grown to 2 ms each, so the loop is compiled by C2 (an early stop
        // measured the interpreter's or C1's code on one rank: tasks of half the asked size)
        long warm = 0;
        for (int i = 0; i < 100_000 && warm < WARMUP_NANOS; i++) {
            long c0 = threadCpuNanos();
            sink += spin(sink + i, batch);
            long took = threadCpuNanos() - c0;
            warm += took;
            if (took < 2_000_000 && batch < (1 << 30)) batch *= 2;
        }
        long iterations = 0;
        long cpu = 0;
        long limit = Math.max(20, millis) * 1_000_000L;
        for (int i = 0; i < 10_000 && cpu < limit; i++) {
            long c0 = threadCpuNanos();
            sink += spin(sink + i, batch);
            cpu += threadCpuNanos() - c0;
            iterations += batch;
        }
        return new Calibration(Math.max(1, iterations * 1_000_000L / Math.max(1, cpu)), sink);
    }
}
