package io.paravm.launcher;

import io.paravm.Received;
import io.paravm.TaskResult;
import io.paravm.VirtualMachine;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A job that prints each rank's JIT options: the spawner's, then each worker's, from a task run there. */
public final class JitOptionsProgram {

    private JitOptionsProgram() {
    }

    public static void main(String[] args) throws Exception {
        VirtualMachine.run(args, (vm, userArgs) -> {
            System.out.println("rank 0 JIT: " + jit());
            int workers = vm.freeSlots();
            vm.spawnFunction(w -> jit(), workers, null, true);
            Map<Integer, Object> byRank = new TreeMap<>();
            while (byRank.size() < workers) {
                Received r = vm.receiveMessage(Duration.ofSeconds(60)).orElseThrow();
                if (r.message() instanceof TaskResult t) byRank.put(r.sender().rank(), t.success() ? t.value() : t.error());
            }
            byRank.forEach((rank, jit) -> System.out.println("rank " + rank + " JIT: " + jit));
        });
    }

    /** This JVM's options that choose its JIT's tiers, or {@code full}. */
    static String jit() {
        List<String> options = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(o -> o.startsWith("-XX:TieredStopAtLevel")).toList();
        return options.isEmpty() ? "full" : String.join(" ", options);
    }
}
