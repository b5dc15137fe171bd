package io.paravm.benchmarks.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.paravm.VirtualMachine;
import io.paravm.VmConfig;
import io.paravm.benchmarks.BenchJob;
import io.paravm.benchmarks.VmTasks;
import io.paravm.benchmarks.efficiency.CpuWork;
import io.paravm.dashboard.Dashboard;
import io.paravm.farm.TaskFarm;
import io.paravm.farm.TaskFunction;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * What the live dashboard costs a job (issue 15): the task farm's {@code map} of a trivial
 * function, the most events a second a farm makes, timed with the dashboard off and on in
 * alternate rounds of the same job, so both see the same machine and the same warm JIT. "On"
 * means a page is open too: the dashboard's server-sent-event stream is read while the map
 * runs, as a browser would. Each timed map follows an untimed one of a quarter of the inputs on
 * both sides, and one untimed round with the dashboard on comes first, so the dashboard's start
 * and the compiling of its code are not counted: in a user's run they happen once. Full mode: 15
 * rounds of 50,000 inputs (shorter maps were inside the machine's noise); quick: 5 of 5,000.
 * Writes {@code dashboard-<backend>-<label>.json} ({@link DashboardFigures}); nothing is asserted.
 *
 * <p>Starting and stopping the dashboard each round is not what a user's run does: it starts
 * once, and the JIT compiles the VM's event paths with a listener present, once. So with
 * {@code --whole on|off} the job instead keeps the dashboard (and a page) on for the whole job,
 * or never starts it, and times {@code R} maps after three untimed ones; {@link DashboardRunner}
 * runs such jobs in pairs, one on and one off, and sets each pair's medians side by side. It
 * writes {@code dashboard-whole-<backend>-<label>-p<P>-<on|off>.json} ({@link WholeJobFigures}).
 * {@code --task-micros T} maps a CPU-bound function of about {@code T} µs instead (the efficiency
 * suite's loop, {@link CpuWork}, sized on a worker; a lambda that captures its size): a user's
 * tasks, which make far fewer events a second than {@code x -> x}. {@code --task-iterations N}
 * gives the loop's size itself, as {@link DashboardRunner} does, so both jobs of a pair map the
 * same work.
 *
 * <pre>
 * mpirun -np 3 java -cp CP io.paravm.benchmarks.dashboard.DashboardOverheadJob --backend openmpi --out DIR --label np3 \
 *     [--quick] [--inputs N] [--rounds R] [--whole on|off --pair P [--task-micros T | --task-iterations N]]
 * </pre>
 */
public final class DashboardOverheadJob {

    /** The trivial function mapped. */
    static final TaskFunction<Integer, Integer> IDENTITY = x -> x;

    private DashboardOverheadJob() {
    }

    public static void main(String[] args) throws Exception {
        VirtualMachine.run(args, (vm, a) -> {
            String backend = vm.transportName();
            String label = null;
            Path out = null;
            boolean quick = false;
            Integer inputsAsked = null;
            Integer roundsAsked = null;
            String whole = null;
            int pair = 0;
            int taskMicros = 0;
            long taskIterations = 0;
            for (int i = 0; i < a.length; i++) {
                switch (a[i]) {
                    case "--backend" -> backend = value(a, ++i, "--backend");
                    case "--out" -> out = Path.of(value(a, ++i, "--out"));
                    case "--label" -> label = value(a, ++i, "--label");
                    case "--quick" -> quick = true;
                    case "--inputs" -> inputsAsked = Integer.parseInt(value(a, ++i, "--inputs"));
                    case "--rounds" -> roundsAsked = Integer.parseInt(value(a, ++i, "--rounds"));
                    case "--whole" -> whole = value(a, ++i, "--whole");
                    case "--pair" -> pair = Integer.parseInt(value(a, ++i, "--pair"));
                    case "--task-micros" -> taskMicros = Integer.parseInt(value(a, ++i, "--task-micros"));
                    case "--task-iterations" -> taskIterations = Long.parseLong(value(a, ++i, "--task-iterations"));
                    default -> throw new IllegalArgumentException("unknown argument '" + a[i]
                            + "'; use --backend NAME --out DIR --label L [--quick] [--inputs N] [--rounds R] [--whole on|off --pair P [--task-micros T | --task-iterations N]]");
                }
            }
            if (out == null || label == null) {
                throw new IllegalArgumentException("--out DIR and --label L (e.g. np3, the job's rank count) are required");
            }
            if (whole != null && !whole.equals("on") && !whole.equals("off")) {
                throw new IllegalArgumentException("--whole " + whole + ": use on (the dashboard and a page for the whole job) or off");
            }
            int inputs = inputsAsked != null ? inputsAsked : quick ? 5_000 : 50_000;
            int rounds = roundsAsked != null ? roundsAsked : whole != null ? (quick ? 3 : 10) : quick ? 5 : 15;
            List<Integer> xs = IntStream.range(0, inputs).boxed().toList();
            if (taskMicros < 0 || taskIterations < 0 || taskIterations > Integer.MAX_VALUE
                    || (taskMicros > 0 || taskIterations > 0) && whole == null) {
                throw new IllegalArgumentException("--task-micros " + taskMicros + ", --task-iterations " + taskIterations
                        + ": a positive size (iterations below 2^31), and only with --whole on|off");
            }
            if (whole != null) {
                if (taskMicros > 0 && taskIterations == 0) taskIterations = iterationsFor(vm, taskMicros);
                TaskFunction<Integer, Integer> f = taskIterations == 0 ? IDENTITY : cpuBound((int) taskIterations);
                wholeJob(vm, backend, label, out, whole.equals("on"), pair, xs, rounds, f, taskIterations);
                return;
            }
            List<Double> off = new ArrayList<>();
            List<Double> on = new ArrayList<>();
            List<Double> load = BenchJob.loadAverage();
            try (TaskFarm farm = TaskFarm.on(vm)) {
                rate(farm, xs); // warm-up: JIT, connections
                rate(farm, xs);
                withDashboard(vm, farm, xs); // and the dashboard's own code, which a user's run compiles once
                for (int r = 0; r < rounds; r++) {
                    // Which goes first alternates, so a drift in the machine's speed favours neither.
                    boolean onFirst = r % 2 == 1;
                    if (onFirst) on.add(withDashboard(vm, farm, xs));
                    off.add(settledRate(farm, xs));
                    if (!onFirst) on.add(withDashboard(vm, farm, xs));
                    System.out.printf("bench: dashboard %s-%s round %d: off %,.0f tasks/s, on %,.0f tasks/s%n",
                            backend, label, r, off.get(r), on.get(r));
                }
            }
            DashboardFigures f = new DashboardFigures(backend, label, vm.slots(), inputs, off, on, load);
            System.out.printf("bench: dashboard %s-%s: median off %,.0f tasks/s, on %,.0f tasks/s (%+.1f%%); "
                    + "median of the rounds' on/off %+.1f%%%n", backend, label, f.medianOff(), f.medianOn(), f.changePercent(),
                    f.pairedChangePercent());
            Files.createDirectories(out);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(out.resolve("dashboard-" + backend + "-" + label + ".json").toFile(), f);
        });
    }

    /** A whole job with the dashboard on, or off: three untimed maps, then {@code rounds} timed ones. */
    private static void wholeJob(VirtualMachine vm, String backend, String label, Path out, boolean on, int pair,
                                 List<Integer> xs, int rounds, TaskFunction<Integer, Integer> function, long taskIterations)
            throws Exception {
        List<Double> load = BenchJob.loadAverage();
        List<Double> rates = new ArrayList<>();
        try (Dashboard d = on ? Dashboard.start(vm, VmConfig.defaults()) : null;
             PageReader page = d != null ? new PageReader(d) : null;
             TaskFarm farm = TaskFarm.on(vm)) {
            for (int r = 0; r < 3; r++) rate(farm, function, xs); // the JIT, with the listener present or not
            for (int r = 0; r < rounds; r++) rates.add(rate(farm, function, xs));
        }
        WholeJobFigures f = new WholeJobFigures(backend, label, on, pair, xs.size(), taskIterations, rates, load);
        System.out.printf("bench: dashboard %s-%s pair %d, whole job %s: median %,.0f tasks/s%n", backend, label, pair,
                on ? "on" : "off", f.median());
        Files.createDirectories(out);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve(WholeJobFigures.fileName(backend, label,
                pair, on)).toFile(), f);
    }

    private static String value(String[] a, int i, String option) {
        if (i >= a.length) throw new IllegalArgumentException(option + " needs a value");
        return a[i];
    }

    /** The CPU loop's iterations for about {@code micros} µs of a worker's CPU, measured on a worker. */
    static long iterationsFor(VirtualMachine vm, int micros) {
        CpuWork.Calibration cal = (CpuWork.Calibration) VmTasks.awaitEnd(vm, VmTasks.spawnOne(vm, w -> CpuWork.calibrate(300)));
        return Math.max(1, cal.iterationsPerMilli() * micros / 1000);
    }

    /**
     * A function of {@code iterations} of the CPU loop that returns its input; the size is
     * captured, as a user's arguments are.
     */
    static TaskFunction<Integer, Integer> cpuBound(int iterations) {
        // spin never returns 0 (xorshift from an odd seed), so the input comes back, and the loop cannot be dropped
        return x -> CpuWork.spin(x, iterations) != 0 ? x : -1;
    }

    private static double rate(TaskFarm farm, List<Integer> xs) {
        return rate(farm, IDENTITY, xs);
    }

    private static double rate(TaskFarm farm, TaskFunction<Integer, Integer> f, List<Integer> xs) {
        long t = System.nanoTime();
        List<Integer> got = farm.map(f, xs);
        double seconds = (System.nanoTime() - t) / 1e9;
        if (!got.equals(xs)) throw new IllegalStateException("the map returned other values than its inputs");
        return xs.size() / seconds;
    }

    /**
     * The rate of a map after an untimed one of a quarter of the inputs, on both sides alike: with
     * the dashboard on, that lets its start (its classes, their compilation, its registries) settle
     * first, as it has long before in a user's run, where it starts once.
     */
    private static double settledRate(TaskFarm farm, List<Integer> xs) {
        farm.map(IDENTITY, xs.subList(0, xs.size() / 4));
        return rate(farm, xs);
    }

    private static double withDashboard(VirtualMachine vm, TaskFarm farm, List<Integer> xs) throws Exception {
        try (Dashboard d = Dashboard.start(vm, VmConfig.defaults());
             PageReader page = new PageReader(d)) {
            return settledRate(farm, xs);
        }
    }

    /**
     * One client for every round's page: a client per round leaves its selector thread behind
     * until the client is collected (Java 17's {@code HttpClient} has no {@code close}), and
     * those would be counted against the later rounds with the dashboard on.
     */
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Reads the dashboard's live stream on a thread of its own, as an open page does. */
    private static final class PageReader implements AutoCloseable {
        private final Thread thread;
        private volatile InputStream in;

        PageReader(Dashboard d) {
            thread = new Thread(() -> {
                try {
                    in = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + d.port()
                            + "/api/events?token=" + d.token())).build(), HttpResponse.BodyHandlers.ofInputStream()).body();
                    byte[] buf = new byte[65536];
                    while (in.read(buf) >= 0) {
                        // what a browser does with it is the browser's cost, not the spawner's
                    }
                } catch (IOException e) {
                    // the dashboard closed the stream
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "page-reader");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws Exception {
            InputStream s = in;
            if (s != null) s.close();
            thread.join(5000);
        }
    }
}
