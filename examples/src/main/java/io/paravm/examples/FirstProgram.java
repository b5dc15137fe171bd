package io.paravm.examples;

import io.paravm.Received;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.TaskResult;
import io.paravm.VirtualMachine;

import java.time.Duration;
import java.util.List;

/** The README's first program: spawn on every worker, exchange a message, collect the results. */
public class FirstProgram {
    public static void main(String[] args) throws Exception {
        VirtualMachine.run(args, (vm, userArgs) -> {
            List<TaskId> tasks = vm.spawnFunction(w -> {
                String hello = (String) w.receiveMessage(Duration.ofSeconds(30)).orElseThrow().message();
                return hello + " back from " + w.taskId() + " on " + w.hostId();
            }, vm.freeSlots(), null, true);
            for (TaskId t : tasks) vm.sendMessage(t, "hello " + t);
            for (int exits = 0; exits < tasks.size(); ) {
                Received r = vm.receiveMessage(Duration.ofSeconds(60)).orElseThrow();
                if (r.message() instanceof TaskResult res) System.out.println(r.sender() + ": " + res.value());
                if (r.message() instanceof TaskExit) exits++;
            }
        });
    }
}
