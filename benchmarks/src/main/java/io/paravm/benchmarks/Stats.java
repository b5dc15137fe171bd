package io.paravm.benchmarks;

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
