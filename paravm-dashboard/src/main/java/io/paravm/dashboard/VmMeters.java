package io.paravm.dashboard;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
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
import java.util.concurrent.atomic.AtomicLong;
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
 *       from its submit (farm) or spawn (vm) to its result: timers;</li>
 *   <li>{@code paravm.slots}, {@code paravm.slots.free}, {@code paravm.farm.backlog}: gauges;</li>
 *   <li>{@code paravm.frames.sent}, {@code .received} and {@code paravm.bytes.sent},
 *       {@code .received}, tagged by the other {@code rank}: counters.</li>
 * </ul>
 *
 * <pre>{@code
 * VmMeters meters = new VmMeters(registry, vm);
 * vm.events().add(meters);
 * }</pre>
 */
final class VmMeters implements VmEventListener {

    private final MeterRegistry registry;
    private final Counter submitted, farmCompleted, farmFailed, retried, timedOut, cancelled;
    private final Counter spawned, vmCompleted, vmFailed, vmLost;
    private final Timer farmDuration, farmToResult, vmDuration, vmToResult;
    private final AtomicLong backlog = new AtomicLong();
    private final Map<TaskId, Long> spawnedAt = new ConcurrentHashMap<>();
    private final Map<Integer, Counter[]> perRank = new ConcurrentHashMap<>();

    VmMeters(MeterRegistry registry, VirtualMachine vm) {
        this.registry = registry;
        submitted = farm("paravm.tasks.submitted", "Tasks submitted to a task farm");
        farmCompleted = farm("paravm.tasks.completed", "Tasks that returned a value");
        farmFailed = farm("paravm.tasks.failed", "Tasks that threw, were lost too often or could not be sent");
        retried = farm("paravm.tasks.retried", "Farm task runs started again");
        timedOut = farm("paravm.tasks.timed.out", "Farm tasks whose timeout passed");
        cancelled = farm("paravm.tasks.cancelled", "Farm tasks cancelled");
        spawned = vm("paravm.tasks.spawned", "Tasks spawned with spawnFunction");
        vmCompleted = vm("paravm.tasks.completed", "Tasks that returned a value");
        vmFailed = vm("paravm.tasks.failed", "Tasks that ended with an exception");
        vmLost = vm("paravm.tasks.lost", "Tasks that ended with their host");
        farmDuration = timer("paravm.task.duration", "farm", "How long a task ran on its worker");
        vmDuration = timer("paravm.task.duration", "vm", "How long a task ran, from its spawn to its exit");
        farmToResult = timer("paravm.task.spawn.to.result", "farm", "From a task's submit to its result");
        vmToResult = timer("paravm.task.spawn.to.result", "vm", "From a task's spawn to its result");
        gauge("paravm.slots", vm, VirtualMachine::slots, "The VM's slots, the spawner's included");
        gauge("paravm.slots.free", vm, VirtualMachine::freeSlots, "Worker slots that run no task");
        Gauge.builder("paravm.farm.backlog", backlog, AtomicLong::get)
                .description("Farm tasks submitted and not yet ended").register(registry);
    }

    private Counter farm(String name, String description) {
        return Counter.builder(name).tag("source", "farm").description(description).register(registry);
    }

    private Counter vm(String name, String description) {
        return Counter.builder(name).tag("source", "vm").description(description).register(registry);
    }

    private Timer timer(String name, String source, String description) {
        return Timer.builder(name).tag("source", source).description(description).register(registry);
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

    @Override
    public void taskSpawned(TaskId task, HostId host) {
        spawned.increment();
        spawnedAt.put(task, System.nanoTime());
    }

    @Override
    public void taskResult(TaskId task, TaskResult result) {
        Long since = spawnedAt.get(task);
        if (since != null) vmToResult.record(System.nanoTime() - since, TimeUnit.NANOSECONDS);
    }

    @Override
    public void taskExited(TaskId task, TaskExit.Reason reason) {
        switch (reason) {
            case FINISHED -> vmCompleted.increment();
            case FAILED -> vmFailed.increment();
            case LOST -> vmLost.increment();
        }
        Long since = spawnedAt.remove(task);
        if (since != null && reason != TaskExit.Reason.LOST) {
            vmDuration.record(System.nanoTime() - since, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void farmTask(FarmTaskEvent e) {
        switch (e.kind()) {
            case SUBMITTED -> {
                submitted.increment();
                backlog.incrementAndGet();
            }
            case COMPLETED -> outcome(farmCompleted, e);
            case FAILED -> outcome(farmFailed, e);
            case TIMED_OUT -> outcome(timedOut, e);
            case CANCELLED -> {
                cancelled.increment();
                backlog.decrementAndGet();
            }
            case RETRIED -> retried.increment();
            case STARTED -> { }
        }
    }

    private void outcome(Counter c, FarmTaskEvent e) {
        c.increment();
        backlog.decrementAndGet();
        if (e.runNanos() > 0) farmDuration.record(e.runNanos(), TimeUnit.NANOSECONDS);
        if (e.sinceSubmitNanos() > 0) farmToResult.record(e.sinceSubmitNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void frameSent(int rank, int bytes) {
        Counter[] c = countersOf(rank);
        c[0].increment();
        c[1].increment(bytes);
    }

    @Override
    public void frameReceived(int rank, int bytes) {
        Counter[] c = countersOf(rank);
        c[2].increment();
        c[3].increment(bytes);
    }

    private Counter[] countersOf(int rank) {
        Counter[] c = perRank.get(rank);
        return c != null ? c : perRank.computeIfAbsent(rank, r -> {
            String tag = Integer.toString(r);
            return new Counter[] {
                Counter.builder("paravm.frames.sent").tag("rank", tag).description("Frames sent to a rank").register(registry),
                Counter.builder("paravm.bytes.sent").tag("rank", tag).baseUnit("bytes").description("Bytes sent to a rank")
                        .register(registry),
                Counter.builder("paravm.frames.received").tag("rank", tag).description("Frames received from a rank")
                        .register(registry),
                Counter.builder("paravm.bytes.received").tag("rank", tag).baseUnit("bytes")
                        .description("Bytes received from a rank").register(registry)};
        });
    }
}
