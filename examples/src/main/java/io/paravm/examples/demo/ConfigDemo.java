package io.paravm.examples.demo;

import io.paravm.VirtualMachine;
import io.paravm.VmStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * PyOPUS's demo 01: the virtual machine's configuration as the spawner sees it, its hosts
 * with their processors and slots, and every slot with its process.
 *
 * <pre>
 * ./paravm demo config -np 4
 * </pre>
 */
public final class ConfigDemo {

    private ConfigDemo() {
    }

    @Command(name = "paravm demo config", description = "Prints the VM's configuration: transport, hosts, slots.")
    static final class Options {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
        boolean help;
    }

    public static void main(String[] args) throws Exception {
        Demos.run(args, new Options(), (vm, options) -> show(vm));
    }

    static void show(VirtualMachine vm) {
        System.out.println("---- This task (the spawner)");
        System.out.println("Transport   : " + vm.transportName());
        System.out.println("Host ID     : " + vm.hostId());
        System.out.println("Task ID     : " + vm.taskId());
        System.out.println("Parent ID   : " + (vm.parentTaskId().isValid() ? vm.parentTaskId() : "none (it is the spawner)"));
        System.out.println("---- Hosts and slots (formatSpawnerConfig)");
        System.out.print(vm.formatSpawnerConfig());
        System.out.println("---- Slots (status)");
        VmStatus status = vm.status();
        System.out.println("rank  host              pid  task");
        for (VmStatus.Slot s : status.slots()) {
            System.out.printf("%4d  %-12s %8d  %s%n", s.rank(), s.host(), s.pid(),
                    s.isFree() ? "free" : s.task() + (s.rank() == 0 ? " (the spawner)" : ""));
        }
        for (VmStatus.Host h : status.hosts()) {
            System.out.printf("host %s: %d processors, slots %s, free %s%n", h.host(), h.cpus(), h.slots(), h.freeSlots());
        }
        System.out.println("----");
        System.out.printf("%d slots, %d free %s, on %d host(s) %s; hosts with a free slot: %s%n", vm.slots(),
                vm.freeSlots(), vm.freeSlotsSet(), vm.hosts().size(), vm.hosts(), vm.hostsWithFreeSlots());
    }
}
