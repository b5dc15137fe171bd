package io.paravm.benchmarks;

import org.apache.commons.math3.distribution.BinomialDistribution;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Medians and ranges of the few figures a job collects (the efficiency and dashboard suites). */
public final class Stats {

    private Stats() {
    }

    /** The median, or -1 for none. */
    public static double median(List<Double> values) {
        if (values.isEmpty()) return -1;
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /**
     * A distribution-free confidence interval of the median: the order statistics {@code k} and
     * {@code n + 1 - k} of the values, with {@code k} the largest for which a binomial(n, 1/2)
     * tail leaves at most {@code (1 - confidence) / 2} outside. It assumes nothing of the values'
     * spread (a round's noise here is not normal: a core's other work slows some rounds a lot).
     *
     * <pre>{@code
     * double[] ci = Stats.medianInterval(changes, 0.95);   // 15 values: the 4th and the 12th smallest
     * }</pre>
     *
     * @return {lower, upper}, or null when there are too few values for that confidence (fewer than 6 at 95%)
     */
    public static double[] medianInterval(List<Double> values, double confidence) {
        int n = values.size();
        if (n == 0) return null;
        BinomialDistribution b = new BinomialDistribution(null, n, 0.5);
        int k = 0;
        while (k + 1 <= n / 2 && b.cumulativeProbability(k) <= (1 - confidence) / 2) k++; // P(X <= k) small: x(k+1) is a bound
        if (k == 0) return null;
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new double[] {v[k - 1], v[n - k]};
    }

    /** The smallest, or -1 for none. */
    public static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(-1);
    }

    /** The largest, or -1 for none. */
    public static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(-1);
    }

    /** The values to one decimal, for a console line. */
    public static Map<String, String> rounded(Map<String, Double> values) {
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, String.format(java.util.Locale.ROOT, "%.1f", v)));
        return out;
    }
}
