package io.paravm.examples.demo;

import io.paravm.VirtualMachine;
import io.paravm.farm.TaskFarm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * Parallel differential evolution: minimises the Rosenbrock function in 10 dimensions
 * (minimum 0 at (1, ..., 1)), evaluating each generation's trial points through the
 * {@link TaskFarm}, as one would with an expensive simulation. The strategy is jDE
 * (Brest et al., 2006): DE/current-to-best/1/bin where each individual carries its own F
 * and CR, which are kept when its trial wins. The random choices are the spawner's,
 * seeded, so a run gives the same result on every engine.
 *
 * <pre>
 * ./paravm demo optimize
 * ./paravm demo optimize -np 5 --transport mpj -- --population 60 --seed 7
 * </pre>
 */
public final class OptimizeDemo {

    static final double LOWER = -5;
    static final double UPPER = 10;

    private OptimizeDemo() {
    }

    @Command(name = "paravm demo optimize", description = "Differential evolution on Rosenbrock in 10 dimensions, "
            + "each generation evaluated through the farm.")
    static final class Options {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
        boolean help;

        @Option(names = "--dimensions", paramLabel = "D", description = "Dimensions (default: ${DEFAULT-VALUE}).")
        int dimensions = 10;

        @Option(names = "--population", paramLabel = "N", description = "Points per generation (default: ${DEFAULT-VALUE}).")
        int population = 40;

        @Option(names = "--generations", paramLabel = "N", description = "Generations at most (default: ${DEFAULT-VALUE}).")
        int generations = 2000;

        @Option(names = "--target", paramLabel = "F", description = "Stop once the best value is below this "
                + "(default: ${DEFAULT-VALUE}).")
        double target = 1e-8;

        @Option(names = "--seed", paramLabel = "N", description = "Random seed (default: ${DEFAULT-VALUE}).")
        long seed = 1;

        @Option(names = "--every", paramLabel = "N", description = "Print every N-th generation's best point "
                + "(default: ${DEFAULT-VALUE}: each).")
        int every = 1;
    }

    /** The Rosenbrock function: a long curved valley, minimum 0 at (1, ..., 1). */
    static double rosenbrock(double[] x) {
        double sum = 0;
        for (int i = 0; i + 1 < x.length; i++) {
            double valley = x[i + 1] - x[i] * x[i];
            double slope = 1 - x[i];
            sum += 100 * valley * valley + slope * slope;
        }
        return sum;
    }

    public static void main(String[] args) throws Exception {
        Demos.run(args, new Options(), OptimizeDemo::optimize);
    }

    static void optimize(VirtualMachine vm, Options o) {
        int workers = Demos.workers(vm, "optimize");
        if (o.population < 4) throw new Demos.UsageError("--population " + o.population + ": DE needs at least 4 points");
        Random random = new Random(o.seed);
        int n = o.population;
        int d = o.dimensions;
        double[][] points = new double[n][d];
        double[] f = new double[n];
        double[] scale = new double[n];
        double[] crossover = new double[n];
        for (double[] p : points) for (int j = 0; j < d; j++) p[j] = LOWER + (UPPER - LOWER) * random.nextDouble();
        Arrays.fill(scale, 0.5);
        Arrays.fill(crossover, 0.9);
        System.out.printf(Locale.ROOT, "Differential evolution (jDE, current-to-best/1/bin) on Rosenbrock in %d dimensions, "
                + "%d points a generation, evaluated on %s over %s%n", d, n, Demos.workersText(workers), vm.transportName());

        long start = System.nanoTime();
        long evaluations = 0;
        int generation = 0;
        int best;
        try (TaskFarm farm = TaskFarm.on(vm)) {
            List<Double> first = farm.map(OptimizeDemo::rosenbrock, Arrays.asList(points));
            for (int i = 0; i < n; i++) f[i] = first.get(i);
            evaluations += n;
            best = argMin(f);
            print(0, f[best], points[best]);
            while (generation < o.generations && f[best] >= o.target) {
                generation++;
                double[] trialScale = new double[n];
                double[] trialCrossover = new double[n];
                List<double[]> trials = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    trialScale[i] = random.nextDouble() < 0.1 ? 0.1 + 0.9 * random.nextDouble() : scale[i];
                    trialCrossover[i] = random.nextDouble() < 0.1 ? random.nextDouble() : crossover[i];
                    trials.add(trial(points, i, best, trialScale[i], trialCrossover[i], random));
                }
                List<Double> values = farm.map(OptimizeDemo::rosenbrock, trials);
                evaluations += n;
                for (int i = 0; i < n; i++) {
                    if (values.get(i) <= f[i]) {
                        points[i] = trials.get(i);
                        f[i] = values.get(i);
                        scale[i] = trialScale[i];
                        crossover[i] = trialCrossover[i];
                    }
                }
                best = argMin(f);
                if (generation % o.every == 0) print(generation, f[best], points[best]);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "Final: f = %.3e at x = %s%n", f[best], format(points[best]));
        System.out.printf(Locale.ROOT, "%d generations, %d evaluations on %s in %.2f s (%.0f evaluations/s); "
                        + "%s%n", generation, evaluations, Demos.workersText(workers), seconds, evaluations / seconds,
                f[best] < o.target ? "reached the target " + o.target : "stopped at --generations " + o.generations);
    }

    /** DE/current-to-best/1 mutation, binomial crossover; a coordinate leaving the box goes halfway back to its parent. */
    private static double[] trial(double[][] points, int i, int best, double scale, double crossover, Random random) {
        int n = points.length;
        int d = points[i].length;
        int r1;
        int r2;
        do {
            r1 = random.nextInt(n);
        } while (r1 == i);
        do {
            r2 = random.nextInt(n);
        } while (r2 == i || r2 == r1);
        double[] parent = points[i];
        double[] u = parent.clone();
        int forced = random.nextInt(d);
        for (int j = 0; j < d; j++) {
            if (j != forced && random.nextDouble() >= crossover) continue;
            double v = parent[j] + scale * (points[best][j] - parent[j]) + scale * (points[r1][j] - points[r2][j]);
            u[j] = v < LOWER ? (LOWER + parent[j]) / 2 : v > UPPER ? (UPPER + parent[j]) / 2 : v;
        }
        return u;
    }

    private static int argMin(double[] f) {
        int best = 0;
        for (int i = 1; i < f.length; i++) if (f[i] < f[best]) best = i;
        return best;
    }

    private static void print(int generation, double f, double[] x) {
        System.out.printf(Locale.ROOT, "generation %4d  best f = %.3e  x = %s%n", generation, f, format(x));
    }

    private static String format(double[] x) {
        return Arrays.stream(x).mapToObj(v -> String.format(Locale.ROOT, "%.3f", v)).collect(Collectors.joining(", ", "[", "]"));
    }
}
