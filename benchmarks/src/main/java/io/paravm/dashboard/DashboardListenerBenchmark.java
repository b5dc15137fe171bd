package io.paravm.dashboard;

import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.paravm.TaskId;
import io.paravm.spi.FarmTaskEvent;
import io.paravm.spi.VmEventListener;
import io.paravm.spi.VmEvents;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * What the dashboard's listener adds to each farm task on the spawner (issue 15), without the
 * machine's noise: the events of one {@code map} input as the farm and the frame channel tell
 * them (submitted, its frame sent, started, the result's frame received, completed), with the
 * clock reads the farm makes for them, to a hub with no listener ({@code off}, the "raw"
 * figure) and to one with the dashboard's ({@code on}: its {@link DashboardState}, with the
 * meters registered as {@link Dashboard} registers them). The difference is the listener's
 * cost per task; the dashboard suite's report sets it beside the farm's rate. It lives in the
 * dashboard's package because the state is not public.
 *
 * <pre>
 * java -cp CP org.openjdk.jmh.Main DashboardListenerBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DashboardListenerBenchmark {

    /** With the dashboard's listener, or none. */
    @Param({"off", "on"})
    public String listener;

    private final VmEvents events = new VmEvents();
    private final TaskId[] workers = {new TaskId(1, 1), new TaskId(2, 1)};
    private int next;

    @Setup
    public void setUp() {
        if (listener.equals("on")) {
            CompositeMeterRegistry meters = new CompositeMeterRegistry();
            meters.add(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
            DashboardState state = new DashboardState((rank, counters) -> VmMeters.rankCounters(meters, rank, counters));
            VmMeters.register(meters, null, state);
            events.add(state);
        }
    }

    /** One farm task's events. */
    @Benchmark
    public long farmTask() {
        int i = next++;
        TaskId worker = workers[i & 1];
        int rank = 1 + (i & 1);
        VmEventListener l = events.listener();
        if (l != null) l.farmTask(new FarmTaskEvent(FarmTaskEvent.Kind.SUBMITTED, TaskId.bad(), i, 1_000_000, 0, 0, null,
                System.nanoTime()));
        l = events.listener();
        if (l != null) l.frameSent(rank, 64);
        long started = System.nanoTime(); // the farm reads it with or without listeners (its timeouts)
        l = events.listener();
        if (l != null) l.farmTask(new FarmTaskEvent(FarmTaskEvent.Kind.STARTED, worker, i, 1_000_000, 0, 0, null, started));
        l = events.listener();
        if (l != null) l.frameReceived(rank, 48);
        l = events.listener();
        if (l != null) {
            long now = System.nanoTime();
            l.farmTask(new FarmTaskEvent(FarmTaskEvent.Kind.COMPLETED, worker, i, 1_000_000, now - started, now - started,
                    null, now));
        }
        return started;
    }
}
