package io.paravm.dashboard;

import io.paravm.VirtualMachine;
import io.paravm.VmConfig;
import io.paravm.farm.TaskFarm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;

/**
 * What the dashboard costs a job: the task farm's {@code map} of a trivial function (the most
 * events per second a farm makes) timed with the dashboard off and on, alternately, in the same
 * job, so that both see the same machine. Not a test (nothing is asserted: timings on a shared
 * machine are noisy); run by hand, e.g. on Hazelcast:
 *
 * <pre>
 * java -cp CLASSPATH io.paravm.transport.hazelcast.HazelcastLauncher -np 3 io.paravm.dashboard.DashboardOverheadJob [INPUTS] [ROUNDS]
 * </pre>
 *
 * It prints each round's tasks per second and the medians. "On" means a page is open too: a
 * server-sent-events stream is read while the map runs, as a browser would.
 */
public final class DashboardOverheadJob {

    private DashboardOverheadJob() {
    }

    public static void main(String[] args) throws Exception {
        VirtualMachine.run(args, (vm, a) -> {
            int inputs = a.length > 0 ? Integer.parseInt(a[0]) : 20_000;
            int rounds = a.length > 1 ? Integer.parseInt(a[1]) : 5;
            List<Integer> xs = IntStream.range(0, inputs).boxed().toList();
            List<Double> off = new ArrayList<>();
            List<Double> on = new ArrayList<>();
            try (TaskFarm farm = TaskFarm.on(vm)) {
                farm.map(x -> x, xs); // warm-up: JIT, connections
                for (int r = 0; r < rounds; r++) {
                    off.add(rate(farm, xs));
                    try (Dashboard d = Dashboard.start(vm, VmConfig.defaults());
                         PageReader page = new PageReader(d)) {
                        on.add(rate(farm, xs));
                    }
                    System.out.printf("round %d: off %.0f tasks/s, on %.0f tasks/s%n", r, off.get(r), on.get(r));
                }
            }
            double mOff = median(off);
            double mOn = median(on);
            System.out.printf("figure: farm map of x -> x, %d inputs, %d rounds on %s: median off %.0f tasks/s, on %.0f "
                    + "tasks/s (%+.1f%%)%n", inputs, rounds, vm.transportName(), mOff, mOn, (mOn / mOff - 1) * 100);
        });
    }

    private static double rate(TaskFarm farm, List<Integer> xs) {
        long t = System.nanoTime();
        farm.map(x -> x, xs);
        return xs.size() / ((System.nanoTime() - t) / 1e9);
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    /** Reads the dashboard's live stream on a thread of its own, as an open page does. */
    private static final class PageReader implements AutoCloseable {
        private final Thread thread;
        private volatile java.io.InputStream in;

        PageReader(Dashboard d) {
            thread = new Thread(() -> {
                try {
                    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
                    in = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + d.port()
                            + "/api/events?token=" + d.token())).build(), java.net.http.HttpResponse.BodyHandlers.ofInputStream())
                            .body();
                    byte[] buf = new byte[65536];
                    while (in.read(buf) >= 0) {
                        // what a browser does with it is its own cost, not the spawner's
                    }
                } catch (Exception e) {
                    // the dashboard closed
                }
            }, "page-reader");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws Exception {
            if (in != null) in.close();
            thread.join(5000);
        }
    }
}
