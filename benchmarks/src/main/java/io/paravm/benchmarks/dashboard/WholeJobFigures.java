package io.paravm.benchmarks.dashboard;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.paravm.benchmarks.Stats;

import java.util.List;

/**
 * One job of a whole-job pair ({@link DashboardOverheadJob} {@code --whole on|off}): the
 * dashboard and a page on for the whole job, or never started, as written to and read from
 * {@code dashboard-whole-<backend>-<label>-p<pair>-<on|off>.json}.
 *
 * <pre>{@code
 * WholeJobFigures f = new WholeJobFigures("openmpi", "np3", true, 0, 50_000, 0, rates, load);
 * f.median();   // tasks/s, the median of the job's timed maps
 * }</pre>
 *
 * @param backend     the backend
 * @param label       the job's label, e.g. {@code np3}
 * @param dashboard   whether the dashboard was on
 * @param pair        which pair of jobs, from 0
 * @param inputs      inputs of each map
 * @param taskIterations the CPU loop's iterations in each task ({@code CpuWork}), or 0 for {@code x -> x}
 * @param rates       tasks/s of each timed map
 * @param loadAverage the machine's load average (1, 5, 15 min) when the job started
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record WholeJobFigures(String backend, String label, boolean dashboard, int pair, int inputs, long taskIterations,
                              List<Double> rates,
                              List<Double> loadAverage) {

    /** The file a job writes. */
    public static String fileName(String backend, String label, int pair, boolean dashboard) {
        return "dashboard-whole-" + backend + "-" + label + "-p" + pair + "-" + (dashboard ? "on" : "off") + ".json";
    }

    /** The median of the timed maps, tasks/s. */
    @JsonProperty
    public double median() {
        return Stats.median(rates);
    }
}
