package io.paravm.examples.demo;

import io.paravm.Received;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.VirtualMachine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * PyOPUS's demo 03: the spawner and one worker task play ping-pong with {@code byte[]}
 * messages from 0 B to 10 MB; for each size it prints the one-way latency (half the
 * median round trip) and the throughput (bytes both ways over the time taken).
 *
 * <pre>
 * ./paravm demo messaging -np 2 --transport openmpi
 * </pre>
 */
public final class MessagingDemo {

    /** The message that ends the worker's echo loop. */
    static final String STOP = "stop";

    private MessagingDemo() {
    }

    @Command(name = "paravm demo messaging", description = "Ping-pong between the spawner and a worker: latency and throughput.")
    static final class Options {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
        boolean help;

        @Option(names = "--max-bytes", paramLabel = "BYTES", description = "The largest message (default: ${DEFAULT-VALUE}).")
        int maxBytes = 10_000_000;

        @Option(names = "--round-trips", paramLabel = "N", description = "Round trips per size at most (fewer for "
                + "large sizes: about 50 MB each way; default: ${DEFAULT-VALUE}).")
        int roundTrips = 1000;
    }

    public static void main(String[] args) throws Exception {
        Demos.run(args, new Options(), MessagingDemo::pingPong);
    }

    /** The sizes measured: 0 B, then 1 B to 10 MB in steps of about 10x, up to {@code max}. */
    static List<Integer> sizes(int max) {
        List<Integer> sizes = new ArrayList<>(List.of(0));
        for (int s : new int[] {1, 16, 256, 4_000, 64_000, 1_000_000, 10_000_000}) if (s <= max) sizes.add(s);
        return sizes;
    }

    static void pingPong(VirtualMachine vm, Options options) {
        Demos.workers(vm, "messaging");
        List<TaskId> echo = vm.spawnFunction(w -> {
            // Sends every message back to the spawner until told to stop.
            while (true) {
                Received r = w.receiveMessage(Duration.ofMinutes(5), w.parentTaskId())
                        .orElseThrow(() -> new IllegalStateException("the spawner went quiet for 5 minutes"));
                if (STOP.equals(r.message())) return null;
                w.sendMessage(w.parentTaskId(), r.message());
            }
        }, 1, null, false);
        TaskId peer = echo.get(0);
        System.out.println("Ping-pong between the spawner " + vm.taskId() + " on " + vm.hostId() + " and task " + peer
                + " on " + vm.hostId(peer) + ", over " + vm.transportName());
        System.out.printf("%10s %12s %14s %18s%n", "size", "round trips", "latency (µs)", "throughput (MB/s)");
        for (int size : sizes(options.maxBytes)) {
            byte[] ping = new byte[size];
            Arrays.fill(ping, (byte) 7);
            int trips = (int) Math.max(5, Math.min(options.roundTrips, 50_000_000L / Math.max(size, 1)));
            for (int i = 0; i < Math.min(trips, 20); i++) roundTrip(vm, peer, ping); // warm-up
            long[] nanos = new long[trips];
            long start = System.nanoTime();
            for (int i = 0; i < trips; i++) {
                long t0 = System.nanoTime();
                roundTrip(vm, peer, ping);
                nanos[i] = System.nanoTime() - t0;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Arrays.sort(nanos);
            double latencyMicros = nanos[trips / 2] / 2e3;
            String throughput = size == 0 ? "-" : String.format("%.1f", 2.0 * size * trips / seconds / 1e6);
            System.out.printf("%10s %12d %14.1f %18s%n", Demos.bytes(size), trips, latencyMicros, throughput);
        }
        vm.sendMessage(peer, STOP);
        Received last;
        do {
            last = Demos.next(vm, "the echo task's exit");
        } while (!(last.message() instanceof TaskExit));
    }

    private static void roundTrip(VirtualMachine vm, TaskId peer, byte[] ping) {
        vm.sendMessage(peer, ping);
        Received r = vm.receiveMessage(Demos.PATIENCE, peer).orElseThrow(() -> new IllegalStateException(
                "task " + peer + " did not echo a " + ping.length + "-byte message in " + Demos.PATIENCE.toSeconds() + " s"));
        if (!(r.message() instanceof byte[] pong) || pong.length != ping.length
                || (pong.length > 0 && (pong[0] != ping[0] || pong[pong.length - 1] != ping[ping.length - 1]))) {
            throw new IllegalStateException("task " + peer + " echoed something else than the " + ping.length
                    + "-byte message sent");
        }
    }
}
