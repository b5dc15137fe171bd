package io.paravm.core;

import io.paravm.HostId;
import io.paravm.spi.HostSample;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.ByteBuffer;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The workers' load samples for the spawner's listeners (CPU, heap, GC): the spawner asks
 * for them with a {@link FrameKind#SAMPLES_WANTED} frame once its VM has a listener, and
 * from then on the worker sends a {@link FrameKind#SAMPLE} frame once a period, from a
 * daemon thread of its own. No worker samples anything while nobody listens. A sample
 * travels as six numbers after the header, without the codec.
 *
 * <pre>{@code
 * HostSampler sampler = new HostSampler(channel);
 * router.onSamplesWanted(sampler::start);    // a worker starts when asked
 * HostSampler.ask(channel, rank);            // the spawner asks
 * }</pre>
 */
final class HostSampler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HostSampler.class);
    /** How often a worker sends a sample, in ms. */
    static final int PERIOD_MILLIS = 1000;
    private static final int SAMPLE_BYTES = Double.BYTES + 5 * Long.BYTES;

    private final FrameChannel channel;
    private ScheduledExecutorService timer; // guarded by this

    HostSampler(FrameChannel channel) {
        this.channel = channel;
    }

    /** Spawner: asks worker {@code rank} for samples. */
    static void ask(FrameChannel channel, int rank) {
        channel.sendHeader(rank, FrameKind.SAMPLES_WANTED, 0, PERIOD_MILLIS);
    }

    /** Worker: starts sending samples every {@code periodMillis} (the first at once); again does nothing. */
    synchronized void start(int periodMillis) {
        if (timer != null || channel.isClosed()) return;
        int rank = channel.transport().rank();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "paravm-sampler-" + rank);
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::send, 0, Math.max(100, periodMillis), TimeUnit.MILLISECONDS);
    }

    private void send() {
        if (channel.isClosed()) {
            close();
            return;
        }
        try {
            double cpu = -1;
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                cpu = os.getProcessCpuLoad();
            }
            MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            long[] gc = new long[2]; // ms, count
            for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
                gc[0] += Math.max(0, b.getCollectionTime());
                gc[1] += Math.max(0, b.getCollectionCount());
            }
            double load = cpu;
            channel.whileSending(writer -> {
                ByteBuffer buf = writer.start();
                Envelope.writeHeader(buf, FrameKind.SAMPLE, TaskRouter.NO_TASK, 0);
                buf.putDouble(load).putLong(heap.getUsed()).putLong(heap.getMax()).putLong(gc[0]).putLong(gc[1])
                        .putLong(System.currentTimeMillis());
                channel.transmit(0, writer.finish());
                return null;
            });
        } catch (RuntimeException e) {
            // the spawner is gone or the VM closing: samples are a courtesy, never an error
            LOG.debug("load sample not sent: {}", e.getMessage());
        }
    }

    /** Spawner: the sample a {@link FrameKind#SAMPLE} frame carries, or null if it is malformed. */
    static HostSample read(ByteBuffer frame, int rank, HostId host) {
        ByteBuffer p = Envelope.payload(frame);
        if (p.remaining() < SAMPLE_BYTES) return null;
        int at = p.position();
        return new HostSample(host, rank, p.getDouble(at), p.getLong(at + 8), p.getLong(at + 16), p.getLong(at + 24),
                p.getLong(at + 32));
    }

    @Override
    public synchronized void close() {
        if (timer != null) timer.shutdownNow();
    }
}
