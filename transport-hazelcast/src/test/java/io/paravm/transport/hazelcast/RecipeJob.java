package io.paravm.transport.hazelcast;

import io.paravm.Received;
import io.paravm.TaskResult;
import io.paravm.VirtualMachine;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The program of the recipe test's job: the spawner runs one task on the worker and exits
 * with the status named by its first argument if the task's result came back, else with 1.
 */
public final class RecipeJob {

    private static final int NOT_THE_SPAWNER = -1;

    private RecipeJob() {
    }

    public static void main(String[] args) throws Exception {
        AtomicInteger status = new AtomicInteger(NOT_THE_SPAWNER);
        VirtualMachine.run(args, (vm, a) -> {
            vm.spawnFunction(w -> "ran on rank " + w.taskId().rank()).orElseThrow();
            Received r = vm.receiveMessage(Duration.ofSeconds(60)).orElseThrow();
            boolean ran = r.message() instanceof TaskResult t && t.success() && "ran on rank 1".equals(t.value());
            System.out.println("recipe job: " + r.message());
            status.set(ran ? Integer.parseInt(a[0]) : 1);
        });
        if (status.get() != NOT_THE_SPAWNER) System.exit(status.get());
    }
}
