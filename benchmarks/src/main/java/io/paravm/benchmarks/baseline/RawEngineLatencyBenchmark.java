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
 * Round trip through the engine itself (for Open MPI: {@code MPI_Send}/{@code MPI_Recv}
 * from Java), between the same two processes as {@code VmMessageLatencyBenchmark}. The
 * variants come from the job's backend ({@code BenchJob} overrides the defaults here).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RawEngineLatencyBenchmark {

    @Param({"direct", "bytes"})
    public String variant;

    @Param({"8", "1024", "65536", "1048576"})
    public int size;

    private RawChannel channel;

    @Setup(Level.Trial)
    public void start() {
        channel = BenchContext.backend().openRaw(BenchContext.vm(), new RawSpec(variant, size, 1));
    }

    @Benchmark
    public void roundTrip() {
        channel.exchange();
    }

    @TearDown(Level.Trial)
    public void stop() {
        BenchContext.recordWorker(RawEngineLatencyBenchmark.class, "size=" + size + ",variant=" + variant, channel.stop());
    }
}
