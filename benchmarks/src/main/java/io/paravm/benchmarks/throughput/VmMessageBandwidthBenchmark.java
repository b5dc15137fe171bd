package io.paravm.benchmarks.throughput;

import io.paravm.TaskId;
import io.paravm.VirtualMachine;
import io.paravm.benchmarks.BenchContext;
import io.paravm.benchmarks.Payloads;
import io.paravm.benchmarks.VmEcho;
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
 * A burst of {@code window} large messages through ParaVM to a worker, which
 * acknowledges the burst with one byte: bandwidth = window x size / time of one burst.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class VmMessageBandwidthBenchmark {

    @Param({"bytes-1048576", "bytes-16777216", "doubles-1048576", "doubles-16777216"})
    public String payload;

    @Param({"4"})
    public int window;

    private VirtualMachine vm;
    private TaskId echo;
    private Object message;

    @Setup(Level.Trial)
    public void start() {
        vm = BenchContext.vm();
        message = Payloads.of(payload);
        echo = VmEcho.start(vm, window);
    }

    @Benchmark
    public Object burst() {
        for (int i = 0; i < window; i++) vm.sendMessage(echo, message);
        return vm.receiveMessage(VmEcho.WAIT).orElseThrow().message();
    }

    @TearDown(Level.Trial)
    public void stop() {
        BenchContext.recordWorker(VmMessageBandwidthBenchmark.class, "payload=" + payload + ",window=" + window, VmEcho.stop(vm, echo));
    }
}
