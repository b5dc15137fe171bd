package io.paravm.examples.demo;

import io.paravm.Received;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.TaskResult;
import io.paravm.VirtualMachine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * PyOPUS's demos 02 and 06: spawn a function on every worker and collect each
 * {@link TaskResult} and {@link TaskExit}; then run more jobs than there are slots, spawning
 * each into the next slot that frees up, with one job that fails on purpose to show the
 * remote stack trace arriving in {@link TaskResult#error()}.
 *
 * <pre>
 * ./paravm demo spawn -np 4 --jobs 10
 * </pre>
 */
public final class SpawnDemo {

    private SpawnDemo() {
    }

    @Command(name = "paravm demo spawn", description = "Spawns on every worker, then more jobs than slots; collects the results.")
    static final class Options {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
        boolean help;

        @Option(names = "--primes", paramLabel = "N", description = "Each job sums the square roots of the first N "
                + "primes (default: ${DEFAULT-VALUE}).")
        int primes = 20_000;

        @Option(names = "--jobs", paramLabel = "N", description = "Jobs in the second round (default: twice the "
                + "workers + 1).")
        Integer jobs;

        @Option(names = "--fail", paramLabel = "JOB", description = "The job of the second round that fails on "
                + "purpose (default: ${DEFAULT-VALUE}; -1 for none).")
        int failing = 2;
    }

    public static void main(String[] args) throws Exception {
        Demos.run(args, new Options(), SpawnDemo::spawn);
    }

    /** A function worth farming out: the sum of the square roots of the first {@code n} primes. */
    static double sumOfPrimeRoots(int n) {
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

    static void spawn(VirtualMachine vm, Options options) {
        int workers = Demos.workers(vm, "spawn");
        int n = options.primes;

        System.out.println("---- Round 1: one task on each of the " + workers + " free slots " + vm.freeSlotsSet());
        long start = System.nanoTime();
        List<TaskId> tasks = vm.spawnFunction(w -> {
            w.logToSpawner("task " + w.taskId() + " starts on " + w.hostId());
            return sumOfPrimeRoots(n + w.taskId().rank());
        }, workers, null, true);
        System.out.println("Spawned " + tasks + "; the slots now:");
        System.out.print(vm.formatSpawnerConfig());
        for (int exited = 0; exited < tasks.size(); ) {
            Received r = Demos.next(vm, "round 1's results");
            if (r.message() instanceof TaskResult res) {
                System.out.printf("Result from %s on %s: %s%n", r.sender(), vm.hostId(r.sender()),
                        res.success() ? res.value() : "FAILED: " + Demos.firstLine(res.error()));
            } else if (r.message() instanceof TaskExit exit) {
                System.out.println("Task " + exit.taskId() + " exited (" + exit.reason() + ")");
                exited++;
            }
        }
        System.out.printf("Round 1: %d tasks in %.1f ms; free slots again: %d%n%n", tasks.size(),
                (System.nanoTime() - start) / 1e6, vm.freeSlots());

        int jobs = options.jobs != null ? options.jobs : 2 * workers + 1;
        int failing = options.failing;
        System.out.println("---- Round 2: " + jobs + " jobs on " + workers + " slots, each spawned when a slot frees up"
                + (failing >= 0 && failing < jobs ? "; job " + failing + " fails on purpose" : ""));
        Deque<Integer> waiting = new ArrayDeque<>();
        for (int j = 0; j < jobs; j++) waiting.add(j);
        Map<TaskId, Integer> running = new HashMap<>();
        int succeeded = 0;
        int failed = 0;
        start = System.nanoTime();
        while (!waiting.isEmpty() || !running.isEmpty()) {
            while (!waiting.isEmpty() && vm.freeSlots() > 0) {
                int job = waiting.peek();
                List<TaskId> id = vm.spawnFunction(w -> {
                    if (job == failing) throw new IllegalArgumentException("job " + job + " fails on purpose");
                    return sumOfPrimeRoots(n / 4 + job);
                }, 1, null, true);
                if (id.isEmpty()) break;
                running.put(id.get(0), waiting.poll());
            }
            Received r = Demos.next(vm, "round 2's results");
            if (r.message() instanceof TaskResult res) {
                int job = running.getOrDefault(r.sender(), -1);
                if (res.success()) {
                    succeeded++;
                    System.out.printf("job %2d on %-6s: %s%n", job, r.sender(), res.value());
                } else {
                    failed++;
                    System.out.printf("job %2d on %-6s: FAILED, remotely: %s%n", job, r.sender(), Demos.firstLine(res.error()));
                }
            } else if (r.message() instanceof TaskExit exit) {
                running.remove(exit.taskId());
            }
        }
        System.out.printf("Round 2: %d jobs in %.1f ms: %d succeeded, %d failed; free slots again: %d%n", jobs,
                (System.nanoTime() - start) / 1e6, succeeded, failed, vm.freeSlots());
    }
}
