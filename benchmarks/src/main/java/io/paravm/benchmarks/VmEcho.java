package io.paravm.benchmarks;

import io.paravm.Task;
import io.paravm.TaskId;
import io.paravm.VirtualMachine;
import io.paravm.benchmarks.backend.WorkerStats;

import java.time.Duration;

/**
 * ParaVM's side of the two-party benchmarks: an echo task on a worker that uses only
 * {@code receiveMessage}/{@code sendMessage}, and its stop.
 *
 * <pre>{@code
 * TaskId echo = VmEcho.start(vm, 1);       // ping-pong
 * vm.sendMessage(echo, payload);
 * vm.receiveMessage(VmEcho.WAIT).orElseThrow();
 * WorkerStats s = VmEcho.stop(vm, echo);
 * }</pre>
 */
public final class VmEcho {

    /** The message that ends an echo (a String, so it never goes through Kryo). */
    public static final String STOP = "paravm-bench-stop";
    /** How long one exchange may take before the benchmark fails instead of hanging. */
    public static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration BLOCK = Duration.ofNanos(-1);

    private VmEcho() {
    }

    /**
     * Starts an echo: with {@code window == 1} it sends every message back; otherwise it
     * sends a one-byte acknowledgement after every {@code window} messages.
     */
    public static TaskId start(VirtualMachine vm, int window) {
        Task<WorkerStats> echo = w -> run(w, window);
        return VmTasks.spawnOne(vm, echo);
    }

    static WorkerStats run(VirtualMachine w, int window) {
        TaskId parent = w.parentTaskId();
        byte[] ack = new byte[1];
        long start = WorkerStats.threadAllocatedBytes();
        long n = 0;
        while (true) {
            Object m = w.receiveMessage(BLOCK).orElseThrow().message();
            if (STOP.equals(m)) break;
            n++;
            if (window == 1) {
                w.sendMessage(parent, m);
            } else if (n % window == 0) {
                w.sendMessage(parent, ack);
            }
        }
        return new WorkerStats(n, start < 0 ? -1 : WorkerStats.threadAllocatedBytes() - start);
    }

    /** Stops the echo and returns what it measured. */
    public static WorkerStats stop(VirtualMachine vm, TaskId echo) {
        vm.sendMessage(echo, STOP);
        return (WorkerStats) VmTasks.awaitEnd(vm, echo);
    }
}
