package io.paravm.transport.hazelcast;

import com.hazelcast.collection.IQueue;
import io.paravm.VmConfig;
import io.paravm.spi.Transport;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Measures the frame mechanism between two member JVMs (not a unit test; run by hand):
 * <pre>{@code
 * java -cp CP io.paravm.transport.hazelcast.HazelcastLauncher -np 2 \
 *     io.paravm.transport.hazelcast.FrameRoundTripMeasurement
 * }</pre>
 * Prints the round-trip median and p99 of this transport (one ITopic per rank, with
 * credits), of a pair of IQueues used as mailboxes, and the one-way rate of small frames.
 */
public final class FrameRoundTripMeasurement {
    private FrameRoundTripMeasurement() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = 20_000, warm = 5_000, flood = 200_000;
        HazelcastTransport t = HazelcastTransport.start(VmConfig.builder().build());
        ByteBuffer frame = ByteBuffer.allocate(64);
        IQueue<byte[]> toWorker = t.instance().getQueue("bench.q.1");
        IQueue<byte[]> toSpawner = t.instance().getQueue("bench.q.0");
        if (t.rank() == 1) {
            for (int i = 0; i < warm + rounds; i++) {
                Transport.Frame f = t.receive(0, -1);
                t.send(0, f.payload());
            }
            for (int i = 0; i < warm + rounds; i++) toSpawner.put(toWorker.take());
            for (int i = 0; i < flood; i++) t.receive(0, -1);
            t.send(0, frame.clear());
            t.receive(0, TimeUnit.SECONDS.toNanos(30));
            t.close();
            return;
        }
        long[] rtt = new long[rounds];
        for (int i = 0; i < warm + rounds; i++) {
            long s = System.nanoTime();
            t.send(1, frame.clear());
            t.receive(1, -1);
            if (i >= warm) rtt[i - warm] = System.nanoTime() - s;
        }
        report("ITopic per rank (this transport)", rtt);
        byte[] b = new byte[64];
        for (int i = 0; i < warm + rounds; i++) {
            long s = System.nanoTime();
            toWorker.put(b);
            toSpawner.take();
            if (i >= warm) rtt[i - warm] = System.nanoTime() - s;
        }
        report("IQueue mailboxes (default config)", rtt);
        long s = System.nanoTime();
        for (int i = 0; i < flood; i++) t.send(1, frame.clear());
        t.receive(1, TimeUnit.SECONDS.toNanos(60));
        double secs = (System.nanoTime() - s) / 1e9;
        System.out.printf("one-way flood of %d 64-byte frames: %.2f s, %.0f frames/s%n", flood, secs, flood / secs);
        t.send(1, frame.clear());
        t.close();
    }

    private static void report(String what, long[] rtt) {
        long[] sorted = rtt.clone();
        Arrays.sort(sorted);
        System.out.printf("%s: round trip median %d us, p90 %d us, p99 %d us (%d rounds)%n", what,
                sorted[sorted.length / 2] / 1000, sorted[sorted.length * 9 / 10] / 1000,
                sorted[sorted.length * 99 / 100] / 1000, sorted.length);
    }
}
