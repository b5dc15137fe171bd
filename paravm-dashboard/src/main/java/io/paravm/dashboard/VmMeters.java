package io.paravm.dashboard;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.paravm.HostId;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.TaskResult;
import io.paravm.VirtualMachine;
import io.paravm.spi.FarmTaskEvent;
import io.paravm.spi.VmEventListener;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * The VM's events as Micrometer meters, named as Micrometer names them (dots; the Prometheus
 * registry writes {@code paravm_tasks_completed_total}, ...). Tasks are tagged by where they
 * come from: {@code source=farm} for a task farm's tasks, {@code source=vm} for tasks spawned
 * with {@code spawnFunction} (a farm's resident workers among them).
 *
 * <ul>
 *   <li>{@code paravm.tasks.submitted}, {@code .completed}, {@code .failed}, {@code .retried},
 *       {@code .timed.out}, {@code .cancelled} (farm); {@code paravm.tasks.spawned},
 *       {@code .completed}, {@code .failed}, {@code .lost} (vm): counters;</li>
 *   <li>{@code paravm.task.duration}: how long a task ran; {@code paravm.task.spawn.to.result}:
 *       from its submit (farm) or spawn (vm) to its result: timers (count and total time);</li>
 *   <li>{@code paravm.slots}, {@code paravm.slots.free}, {@code paravm.farm.backlog}: gauges;</li>
 *   <li>{@code paravm.frames.sent}, {@code .received} and {@code paravm.bytes.sent},
 *       {@code .received}, tagged by the other {@code rank}: counters.</li>
 * </ul>
 *
 * <p>An event adds to a {@link LongAdder} and nothing else; the registries read the adders when
 * they are scraped (function counters and timers). A registry's own timer would cost every
 * task a histogram update per registry (JMX's keeps a sampled reservoir under a lock).
 *
 * <pre>{@code
 * VmMeters meters = new VmMeters(registry, vm);
 * vm.events().add(meters);
 * }</pre>
 */
final class VmMeters implements VmEventListener {

    private final MeterRegistry registry;
    private final LongAdder submitted = new LongAdder(), farmCompleted = new LongAdder(), farmFailed = new LongAdder(),
            retried = new LongAdder(), timedOut = new LongAdder(), cancelled = new LongAdder();
    private final LongAdder spawned = new LongAdder(), vmCompleted = new LongAdder(), vmFailed = new LongAdder(),
            vmLost = new LongAdder();
    /** Count and total nanoseconds of each timer. */
    private final Timing farmDuration = new Timing(), farmToResult = new Timing(), vmDuration = new Timing(),
            vmToResult = new Timing();
    private final Map<TaskId, Long> spawnedAt = new ConcurrentHashMap<>();

    /** A timer's sums: how many, and how long in all. */
    private static final class Timing {
        final LongAdder count = new LongAdder();
        final LongAdder nanos = new LongAdder();

        void record(long n) {
            count.increment();
            nanos.add(n);
        }
    }

    VmMeters(MeterRegistry registry, VirtualMachine vm) {
        this.registry = registry;
        counter("paravm.tasks.submitted", "farm", submitted, "Tasks submitted to a task farm");
        counter("paravm.tasks.completed", "farm", farmCompleted, "Tasks that returned a value");
        counter("paravm.tasks.failed", "farm", farmFailed, "Tasks that threw, were lost too often or could not be sent");
        counter("paravm.tasks.retried", "farm", retried, "Farm task runs started again");
        counter("paravm.tasks.timed.out", "farm", timedOut, "Farm tasks whose timeout passed");
        counter("paravm.tasks.cancelled", "farm", cancelled, "Farm tasks cancelled");
        counter("paravm.tasks.spawned", "vm", spawned, "Tasks spawned with spawnFunction");
        counter("paravm.tasks.completed", "vm", vmCompleted, "Tasks that returned a value");
        counter("paravm.tasks.failed", "vm", vmFailed, "Tasks that ended with an exception");
        counter("paravm.tasks.lost", "vm", vmLost, "Tasks that ended with their host");
        timer("paravm.task.duration", "farm", farmDuration, "How long a task ran on its worker");
        timer("paravm.task.duration", "vm", vmDuration, "How long a task ran, from its spawn to its exit");
        timer("paravm.task.spawn.to.result", "farm", farmToResult, "From a task's submit to its result");
        timer("paravm.task.spawn.to.result", "vm", vmToResult, "From a task's spawn to its result");
        gauge("paravm.slots", vm, VirtualMachine::slots, "The VM's slots, the spawner's included");
        gauge("paravm.slots.free", vm, VirtualMachine::freeSlots, "Worker slots that run no task");
        Gauge.builder("paravm.farm.backlog", this, m -> Math.max(0, m.submitted.sum() - m.farmCompleted.sum()
                        - m.farmFailed.sum() - m.timedOut.sum() - m.cancelled.sum()))
                .description("Farm tasks submitted and not yet ended").register(registry);
    }

    private void counter(String name, String source, LongAdder adder, String description) {
        FunctionCounter.builder(name, adder, LongAdder::sum).tag("source", source).description(description).register(registry);
    }

    private void timer(String name, String source, Timing t, String description) {
        FunctionTimer.builder(name, t, x -> x.count.sum(), x -> x.nanos.sum(), TimeUnit.NANOSECONDS)
                .tag("source", source).description(description).register(registry);
    }

    /** A gauge of the VM, NaN once it is closed. */
    private void gauge(String name, VirtualMachine vm, ToDoubleFunction<VirtualMachine> f, String description) {
        Gauge.builder(name, vm, v -> {
            try {
                return f.applyAsDouble(v);
            } catch (RuntimeException closed) {
                return Double.NaN;
            }
        }).description(description).register(registry);
    }

    /** Registers one rank's frame counters, kept by {@link DashboardState} (frames are counted once, there). */
    void rankCounters(int rank, LongAdder[] c) {
        String tag = Integer.toString(rank);
        FunctionCounter.builder("paravm.frames.sent", c[0], LongAdder::sum).tag("rank", tag)
                .description("Frames the spawner sent to a rank").register(registry);
        FunctionCounter.builder("paravm.bytes.sent", c[1], LongAdder::sum).tag("rank", tag).baseUnit("bytes")
                .description("Bytes the spawner sent to a rank").register(registry);
        FunctionCounter.builder("paravm.frames.received", c[2], LongAdder::sum).tag("rank", tag)
                .description("Frames the spawner received from a rank").register(registry);
        FunctionCounter.builder("paravm.bytes.received", c[3], LongAdder::sum).tag("rank", tag).baseUnit("bytes")
                .description("Bytes the spawner received from a rank").register(registry);
    }

    @Override
    public void taskSpawned(TaskId task, HostId host) {
        spawned.increment();
        spawnedAt.put(task, System.nanoTime());
    }

    @Override
    public void taskResult(TaskId task, TaskResult result) {
        Long since = spawnedAt.get(task);
        if (since != null) vmToResult.record(System.nanoTime() - since);
    }

    @Override
    public void taskExited(TaskId task, TaskExit.Reason reason) {
        switch (reason) {
            case FINISHED -> vmCompleted.increment();
            case FAILED -> vmFailed.increment();
            case LOST -> vmLost.increment();
        }
        Long since = spawnedAt.remove(task);
        if (since != null && reason != TaskExit.Reason.LOST) vmDuration.record(System.nanoTime() - since);
    }

    @Override
    public void farmTask(FarmTaskEvent e) {
        switch (e.kind()) {
            case SUBMITTED -> submitted.increment();
            case COMPLETED -> outcome(farmCompleted, e);
            case FAILED -> outcome(farmFailed, e);
            case TIMED_OUT -> outcome(timedOut, e);
            case CANCELLED -> cancelled.increment();
            case RETRIED -> retried.increment();
            case STARTED -> { }
        }
    }

    private void outcome(LongAdder c, FarmTaskEvent e) {
        c.increment();
        if (e.runNanos() > 0) farmDuration.record(e.runNanos());
        if (e.sinceSubmitNanos() > 0) farmToResult.record(e.sinceSubmitNanos());
    }
}
