package io.paravm.benchmarks.backend;

import java.util.List;
import java.util.OptionalDouble;

/**
 * The ratios a backend holds itself to (issue 7). A benchmark, not a test: the report marks
 * each target met or not met, nothing fails on it.
 *
 * <pre>{@code
 * new Targets(2.0, List.of(8), OptionalDouble.of(0.9), OptionalDouble.of(210_000)); // openmpi
 * Targets.latencyOnly(1.5, 8, 1024);                                                 // mpj, hazelcast
 * }</pre>
 *
 * @param latencyRatio        ParaVM's one-way latency at most this many times the raw reference's
 * @param latencySizes        the {@code byte[]} sizes the latency target applies to
 * @param bandwidthRatio      ParaVM's 1 MiB {@code byte[]} bandwidth at least this share of the raw reference's
 * @param spawnTasksPerSecond trivial tasks per second with 2 ranks, at least
 */
public record Targets(double latencyRatio, List<Integer> latencySizes, OptionalDouble bandwidthRatio,
                      OptionalDouble spawnTasksPerSecond) {

    /** Copies the sizes. */
    public Targets {
        latencySizes = List.copyOf(latencySizes);
    }

    /** Only a latency target, at the given sizes. */
    public static Targets latencyOnly(double ratio, Integer... sizes) {
        return new Targets(ratio, List.of(sizes), OptionalDouble.empty(), OptionalDouble.empty());
    }
}
