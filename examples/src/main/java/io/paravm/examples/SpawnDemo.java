package io.paravm.examples;

import io.paravm.Received;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.TaskResult;
import io.paravm.VirtualMachine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * PyOPUS's demos 01 and 02 in one: print the VM's configuration, spawn a function on
 * every worker, collect each TaskResult and TaskExit, and show the slots free again.
 *
 * <pre>
 * mpirun -np 3 java -cp ... io.paravm.examples.SpawnDemo
 * </pre>
 */
public final class SpawnDemo {

    private SpawnDemo() {
    }

    /** A function worth farming out: the sum of the first {@code n} primes' square roots. */
    static double work(int n) {
        double sum = 0;
        int found = 0;
        for (int k = 2; found < n; k++) {
            boolean prime = true;
            for (int d = 2; (long) d * d <= k; d++) {
                if (k % d == 0) {
                    prime = false;
                    break;
                }
            }
            if (prime) {
                sum += Math.sqrt(k);
                found++;
            }
        }
        return sum;
    }

    public static void main(String[] args) throws Exception {
        VirtualMachine.run(args, (vm, userArgs) -> {
            System.out.println("---- Spawner");
            System.out.println("Transport : " + vm.transportName());
            System.out.println("Host ID   : " + vm.hostId());
            System.out.println("Task ID   : " + vm.taskId());
            System.out.println("Parent ID : " + vm.parentTaskId());
            System.out.println("---- Hosts and tasks");
            System.out.print(vm.formatSpawnerConfig());
            System.out.println("----");
            System.out.println("Total slots: " + vm.slots() + ", free: " + vm.freeSlots() + " " + vm.freeSlotsSet());

            int n = userArgs.length > 0 ? Integer.parseInt(userArgs[0]) : 20_000;
            long start = System.nanoTime();
            List<TaskId> tasks = vm.spawnFunction(w -> {
                w.logToSpawner("task " + w.taskId() + " computing on " + w.hostId());
                return work(n + w.taskId().rank());
            }, vm.freeSlots(), null, true);
            System.out.println("Spawned " + tasks + "; busy now:");
            System.out.print(vm.formatSpawnerConfig());

            List<TaskId> exited = new ArrayList<>();
            while (exited.size() < tasks.size()) {
                Received r = vm.receiveMessage(Duration.ofSeconds(60))
                        .orElseThrow(() -> new IllegalStateException("no news from the workers in 60 s"));
                if (r.message() instanceof TaskResult res) {
                    System.out.printf("Result from %s on %s: %s%n", r.sender(), vm.hostId(r.sender()),
                            res.success() ? res.value() : "FAILED\n" + res.error());
                } else if (r.message() instanceof TaskExit exit) {
                    System.out.println("Task " + exit.taskId() + " exited (" + exit.reason() + ")");
                    exited.add(exit.taskId());
                }
            }
            System.out.printf("All %d tasks done in %.1f ms; free slots again: %d%n",
                    tasks.size(), (System.nanoTime() - start) / 1e6, vm.freeSlots());
        });
    }
}
