package io.paravm.benchmarks.latency;

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
 * Round trip through ParaVM: {@code sendMessage} to an echo task on a worker and
 * {@code receiveMessage} of its reply. One-way latency is half of it (the report halves).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class VmMessageLatencyBenchmark {

    @Param({"bytes-8", "bytes-1024", "bytes-65536", "bytes-1048576", "record"})
    public String payload;

    private VirtualMachine vm;
    private TaskId echo;
    private Object message;

    @Setup(Level.Trial)
    public void start() {
        vm = BenchContext.vm();
        message = Payloads.of(payload);
        echo = VmEcho.start(vm, 1);
    }

    @Benchmark
    public Object roundTrip() {
        vm.sendMessage(echo, message);
        return vm.receiveMessage(VmEcho.WAIT).orElseThrow().message();
    }

    @TearDown(Level.Trial)
    public void stop() {
        BenchContext.recordWorker(VmMessageLatencyBenchmark.class, "payload=" + payload, VmEcho.stop(vm, echo));
    }
}
