package io.paravm.examples.demo;

import io.paravm.VirtualMachine;
import io.paravm.farm.TaskFarm;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The Mandelbrot set, one task per row through the {@link TaskFarm} (rows near the set
 * cost far more than rows at the edge, so the farm's load balancing matters), with a
 * progress bar while it runs. Writes the image as a PNG, then farms the same rows out
 * again and computes them once more in a single task, on one worker, and prints two
 * speed-ups against that one worker: the first run's (fresh JVMs, while the JIT compiler
 * warms up: what one short job sees) and the warm run's (what a long job sees), beside the
 * processors the machine has.
 *
 * <pre>
 * ./paravm demo mandelbrot                       # mandelbrot.png, Hazelcast, a worker per processor
 * ./paravm demo mandelbrot -np 5 --width 2400 --height 1600 --out big.png
 * </pre>
 */
public final class MandelbrotDemo {

    private MandelbrotDemo() {
    }

    @Command(name = "paravm demo mandelbrot", description = "Farms the Mandelbrot set's rows out; writes a PNG; "
            + "prints the wall times and the speed-ups vs 1 worker, first (cold) and warm.")
    static final class Options {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
        boolean help;

        @Option(names = "--width", paramLabel = "PIXELS", description = "Image width (default: ${DEFAULT-VALUE}).")
        int width = 1200;

        @Option(names = "--height", paramLabel = "PIXELS", description = "Image height: one task per row "
                + "(default: ${DEFAULT-VALUE}).")
        int height = 800;

        @Option(names = "--iterations", paramLabel = "N", description = "Iterations per point at most "
                + "(default: ${DEFAULT-VALUE}).")
        int iterations = 3000;

        @Option(names = "--out", paramLabel = "FILE", description = "The PNG to write (default: ${DEFAULT-VALUE}).")
        Path out = Path.of("mandelbrot.png");

        @Option(names = "--no-baseline", description = "Skip the run on 1 worker (and the speed-up).")
        boolean noBaseline;
    }

    /** The view: the whole set, a little wider than tall. */
    record View(int width, int height, int iterations) implements java.io.Serializable {
        static final double CENTER_RE = -0.6;
        static final double SPAN_RE = 3.3;

        /** Iterations before each point of row {@code y} escapes; {@code iterations} for points in the set. */
        int[] row(int y) {
            double span = SPAN_RE / width;
            double ci = (y - height / 2.0) * span;
            int[] counts = new int[width];
            for (int x = 0; x < width; x++) {
                double cr = CENTER_RE + (x - width / 2.0) * span;
                double zr = 0;
                double zi = 0;
                int n = 0;
                while (n < iterations && zr * zr + zi * zi <= 4) {
                    double t = zr * zr - zi * zi + cr;
                    zi = 2 * zr * zi + ci;
                    zr = t;
                    n++;
                }
                counts[x] = n;
            }
            return counts;
        }
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        Demos.run(args, new Options(), MandelbrotDemo::render);
    }

    static void render(VirtualMachine vm, Options options) throws IOException {
        int workers = Demos.workers(vm, "mandelbrot");
        View view = new View(options.width, options.height, options.iterations);
        List<Integer> rows = IntStream.range(0, view.height()).boxed().toList();
        System.out.printf("Mandelbrot set, %d x %d, up to %d iterations a point: %d rows farmed out to %s over %s%n",
                view.width(), view.height(), view.iterations(), rows.size(), Demos.workersText(workers), vm.transportName());

        List<int[]> image;
        double firstSeconds;
        double warmSeconds = Double.NaN;
        double oneWorkerSeconds = Double.NaN;
        try (TaskFarm farm = TaskFarm.on(vm)) {
            try (ProgressBar bar = new ProgressBarBuilder().setTaskName("rows").setInitialMax(rows.size())
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(100).continuousUpdate().build()) {
                long start = System.nanoTime(); // the bar's own start and end are not the farm's time
                image = farm.map(view::row, rows, p -> bar.stepTo(p.completed() + p.failed()));
                firstSeconds = (System.nanoTime() - start) / 1e9;
            }
            if (!options.noBaseline) {
                // Again, every worker's JIT warm now: what a job that runs for long sees.
                long start = System.nanoTime();
                List<int[]> again = farm.map(view::row, rows);
                warmSeconds = (System.nanoTime() - start) / 1e9;
                // The same rows, in one task: one (warm) worker does all of it, the way it would alone.
                start = System.nanoTime();
                int[][] alone = farm.submit(w -> rows.stream().map(view::row).toArray(int[][]::new)).join();
                oneWorkerSeconds = (System.nanoTime() - start) / 1e9;
                if (!Arrays.deepEquals(alone, image.toArray(int[][]::new))
                        || !Arrays.deepEquals(again.toArray(int[][]::new), alone)) {
                    throw new IllegalStateException("the farmed images and the one computed on 1 worker differ");
                }
            }
        }

        ImageIO.write(toImage(view, image), "png", options.out.toFile());
        System.out.printf("Wrote %s (%d x %d).%n", options.out, view.width(), view.height());
        String on = Demos.workersText(workers);
        int processors = Runtime.getRuntime().availableProcessors();
        System.out.printf("Wall time on %s: %.2f s (%.0f rows/s), first run, JIT warming up%n", on, firstSeconds,
                rows.size() / firstSeconds);
        if (!options.noBaseline) {
            System.out.printf("Wall time on %s: %.2f s (%.0f rows/s), warm%n", on, warmSeconds, rows.size() / warmSeconds);
            System.out.printf("Wall time on 1 worker:  %.2f s (the same rows in one task, warm; same image)%n",
                    oneWorkerSeconds);
            System.out.printf("Speed-up vs 1 worker: %.2fx on %s, first run (cold JVMs)%n", oneWorkerSeconds / firstSeconds,
                    on);
            System.out.printf("Speed-up vs 1 worker: %.2fx on %s, warm (%d processors here)%n",
                    oneWorkerSeconds / warmSeconds, on, processors);
        }
    }

    /** Colours each point by how fast it escapes; points in the set are black. */
    static BufferedImage toImage(View view, List<int[]> rows) {
        BufferedImage img = new BufferedImage(view.width(), view.height(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < view.height(); y++) {
            int[] counts = rows.get(y);
            for (int x = 0; x < view.width(); x++) {
                int n = counts[x];
                float t = (float) (Math.log1p(n) / Math.log1p(view.iterations())); // escape speed, 0..1
                img.setRGB(x, y, n >= view.iterations() ? 0 : Color.HSBtoRGB(0.66f + 0.8f * t, 0.9f, Math.min(1f, 1.6f * t)));
            }
        }
        return img;
    }
}
