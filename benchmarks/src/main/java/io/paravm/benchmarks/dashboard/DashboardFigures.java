package io.paravm.benchmarks.dashboard;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.paravm.benchmarks.Stats;

import java.util.ArrayList;
import java.util.List;

/**
 * One dashboard-overhead job's figures ({@link DashboardOverheadJob}), as written to and read
 * from {@code dashboard-<backend>-<label>.json}.
 *
 * <pre>{@code
 * DashboardFigures f = new DashboardFigures("openmpi", "np3", 2, 20_000, off, on, load);
 * f.pairedChangePercent();   // -1.4: the map ran 1.4% slower with the dashboard on (median of the rounds)
 * }</pre>
 *
 * @param backend     the backend
 * @param label       the job's label, e.g. {@code np3}
 * @param workers     worker slots
 * @param inputs      inputs of each map
 * @param off         tasks/s of each round with the dashboard off
 * @param on          tasks/s of each round with the dashboard on and a page reading it
 * @param loadAverage the machine's load average (1, 5, 15 min) when the job started
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DashboardFigures(String backend, String label, int workers, int inputs, List<Double> off, List<Double> on,
                               List<Double> loadAverage) {

    /** The target: on at most 3% slower than off (issue 15). */
    public static final double TARGET_PERCENT = -3.0;

    /** Median tasks/s with the dashboard off. */
    @JsonProperty
    public double medianOff() {
        return Stats.median(off);
    }

    /** Median tasks/s with the dashboard on. */
    @JsonProperty
    public double medianOn() {
        return Stats.median(on);
    }

    /** The medians, on against off, in percent (negative: slower with the dashboard). */
    @JsonProperty
    public double changePercent() {
        return (medianOn() / medianOff() - 1) * 100;
    }

    /**
     * Each round's on against its own off, in percent, the median of those: the figure the
     * target is read from. The two maps of a round ran back to back, so a drift of the machine's
     * speed (±20% between rounds on a shared VM) touches both alike; the medians of all ons and
     * all offs mix it in.
     */
    @JsonProperty
    public double pairedChangePercent() {
        List<Double> change = roundChangesPercent();
        return change.isEmpty() ? Double.NaN : Stats.median(change);
    }

    /**
     * A 95% interval of {@link #pairedChangePercent()} ({@link Stats#medianInterval}): where the
     * dashboard's true cost lies, at this machine's noise; null for fewer than 6 rounds.
     */
    @JsonProperty
    public double[] pairedChangeInterval() {
        return Stats.medianInterval(roundChangesPercent(), 0.95);
    }

    /** Each round's on against its off, in percent, in round order. */
    public List<Double> roundChangesPercent() {
        List<Double> change = new ArrayList<>();
        for (int r = 0; r < Math.min(on.size(), off.size()); r++) change.add((on.get(r) / off.get(r) - 1) * 100);
        return change;
    }

    /** Whether the dashboard cost at most {@link #TARGET_PERCENT}, by {@link #pairedChangePercent()}. */
    public boolean targetMet() {
        return pairedChangePercent() >= TARGET_PERCENT;
    }

}
