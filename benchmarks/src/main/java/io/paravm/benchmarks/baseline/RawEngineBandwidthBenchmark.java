package io.paravm.benchmarks.baseline;

import io.paravm.benchmarks.BenchContext;
import io.paravm.benchmarks.backend.RawChannel;
import io.paravm.benchmarks.backend.RawSpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * A burst of {@code window} messages through the engine itself, one way, then a one-byte
 * acknowledgement: the raw figure beside {@code VmMessageBandwidthBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RawEngineBandwidthBenchmark {

    @Param({"direct", "bytes", "doubles"})
    public String bulkVariant;

    @Param({"1048576", "16777216"})
    public int size;

    @Param({"4"})
    public int window;

    private RawChannel channel;

    @Setup(Level.Trial)
    public void start() {
        channel = BenchContext.backend().openRaw(BenchContext.vm(), new RawSpec(bulkVariant, size, window));
    }

    @Benchmark
    public void burst() {
        channel.exchange();
    }

    @TearDown(Level.Trial)
    public void stop() {
        BenchContext.recordWorker(RawEngineBandwidthBenchmark.class, "bulkVariant=" + bulkVariant + ",size=" + size + ",window=" + window,
                channel.stop());
    }
}
