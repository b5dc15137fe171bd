package io.paravm.benchmarks.baseline;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The in-JVM floor: a reference handed to a spinning echo thread and back, no engine, no
 * serialization. What any cross-thread round trip on this machine costs at least.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LoopbackLatencyBenchmark {

    private static final Object MESSAGE = new byte[8];

    private final AtomicReference<Object> ping = new AtomicReference<>();
    private final AtomicReference<Object> pong = new AtomicReference<>();
    private volatile boolean running;
    private Thread echo;

    @Setup(Level.Trial)
    public void start() {
        running = true;
        echo = new Thread(() -> {
            while (running) {
                Object m = ping.getAndSet(null);
                if (m != null) pong.lazySet(m);
                else Thread.onSpinWait();
            }
        }, "loopback-echo");
        echo.setDaemon(true);
        echo.start();
    }

    @Benchmark
    public Object roundTrip() {
        ping.lazySet(MESSAGE);
        Object r;
        while ((r = pong.getAndSet(null)) == null) Thread.onSpinWait();
        return r;
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        running = false;
        echo.join();
    }
}
