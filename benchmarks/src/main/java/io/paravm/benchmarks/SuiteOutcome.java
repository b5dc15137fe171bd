package io.paravm.benchmarks;

/**
 * What one suite of {@link BenchRunner} did (the efficiency and dashboard suites return it).
 *
 * <pre>{@code
 * SuiteOutcome o = DashboardRunner.run(out, target, quick, timeout, only, rankJvmArgs);
 * ran += o.jobs();
 * failed |= o.failed();
 * }</pre>
 *
 * @param jobs   jobs started
 * @param failed whether one failed or timed out
 */
public record SuiteOutcome(int jobs, boolean failed) {
}
