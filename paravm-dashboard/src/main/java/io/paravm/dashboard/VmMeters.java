package io.paravm.dashboard;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.paravm.VirtualMachine;
import io.paravm.dashboard.DashboardState.Count;
import io.paravm.dashboard.DashboardState.Timed;

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
 * <p>It listens to nothing: the events are counted once, by {@link DashboardState}, and the
 * registries read those counts when they are scraped (function counters and timers). A
 * registry's own timer would cost every task a histogram update per registry (JMX's keeps a
 * sampled reservoir under a lock).
 *
 * <pre>{@code
 * DashboardState state = new DashboardState((rank, c) -> VmMeters.rankCounters(registry, rank, c));
 * vm.events().add(state);
 * VmMeters.register(registry, vm, state);
 * }</pre>
 */
final class VmMeters {

    private final MeterRegistry registry;

    /**
     * Registers the meters of {@code state} and {@code vm} in {@code registry}. The registry
     * holds {@code state} weakly, as Micrometer does: keep it.
     */
    static void register(MeterRegistry registry, VirtualMachine vm, DashboardState state) {
        new VmMeters(registry, vm, state);
    }

    private VmMeters(MeterRegistry registry, VirtualMachine vm, DashboardState state) {
        this.registry = registry;
        counter("paravm.tasks.submitted", "farm", state, Count.SUBMITTED, "Tasks submitted to a task farm");
        counter("paravm.tasks.completed", "farm", state, Count.COMPLETED, "Tasks that returned a value");
        counter("paravm.tasks.failed", "farm", state, Count.FAILED, "Tasks that threw, were lost too often or could not be sent");
        counter("paravm.tasks.retried", "farm", state, Count.RETRIED, "Farm task runs started again");
        counter("paravm.tasks.timed.out", "farm", state, Count.TIMED_OUT, "Farm tasks whose timeout passed");
        counter("paravm.tasks.cancelled", "farm", state, Count.CANCELLED, "Farm tasks cancelled");
        counter("paravm.tasks.spawned", "vm", state, Count.SPAWNED, "Tasks spawned with spawnFunction");
        counter("paravm.tasks.completed", "vm", state, Count.FINISHED, "Tasks that returned a value");
        counter("paravm.tasks.failed", "vm", state, Count.VM_FAILED, "Tasks that ended with an exception");
        counter("paravm.tasks.lost", "vm", state, Count.VM_LOST, "Tasks that ended with their host");
        timer("paravm.task.duration", "farm", state, Timed.FARM_DURATION, "How long a task ran on its worker");
        timer("paravm.task.duration", "vm", state, Timed.VM_DURATION, "How long a task ran, from its spawn to its exit");
        timer("paravm.task.spawn.to.result", "farm", state, Timed.FARM_TO_RESULT, "From a task's submit to its result");
        timer("paravm.task.spawn.to.result", "vm", state, Timed.VM_TO_RESULT, "From a task's spawn to its result");
        gauge("paravm.slots", vm, VirtualMachine::slots, "The VM's slots, the spawner's included");
        gauge("paravm.slots.free", vm, VirtualMachine::freeSlots, "Worker slots that run no task");
        Gauge.builder("paravm.farm.backlog", state, DashboardState::farmBacklog)
                .description("Farm tasks submitted and not yet ended").register(registry);
    }

    private void counter(String name, String source, DashboardState state, Count c, String description) {
        FunctionCounter.builder(name, state, s -> s.count(c)).tag("source", source).description(description).register(registry);
    }

    private void timer(String name, String source, DashboardState state, Timed t, String description) {
        FunctionTimer.builder(name, state, s -> s.timedCount(t), s -> s.timedNanos(t), TimeUnit.NANOSECONDS)
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

    /** Registers one rank's frame counters in {@code registry}; {@link DashboardState} keeps them. */
    static void rankCounters(MeterRegistry registry, int rank, LongAdder[] c) {
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
}
