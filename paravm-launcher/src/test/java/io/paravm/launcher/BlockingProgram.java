package io.paravm.launcher;

import io.paravm.VirtualMachine;

import java.time.Duration;

/**
 * A job that never ends by itself: a task on every worker waits for a message that never
 * comes, and the spawner waits too. Prints its pid and "all tasks running" once they are.
 */
public final class BlockingProgram {

    /** The line printed once every worker runs a task. */
    static final String READY = "all tasks running";

    private BlockingProgram() {
    }

    public static void main(String[] args) throws Exception {
        VirtualMachine.run(args, (vm, userArgs) -> {
            int workers = vm.freeSlots();
            vm.spawnFunction(w -> w.receiveMessage(Duration.ofMinutes(10)), workers, null, false);
            System.out.println("spawner pid " + ProcessHandle.current().pid());
            System.out.println(READY + " (" + workers + ")");
            System.out.flush();
            vm.receiveMessage(Duration.ofMinutes(10));
        });
    }
}
