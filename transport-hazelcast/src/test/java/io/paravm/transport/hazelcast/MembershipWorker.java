package io.paravm.transport.hazelcast;

import io.paravm.VirtualMachine;
import io.paravm.VirtualMachines;
import io.paravm.VmConfig;

/** A worker JVM for the membership tests: joins (settings from HazelcastLauncher) and serves tasks. */
public final class MembershipWorker {
    private MembershipWorker() {
    }

    public static void main(String[] args) {
        VirtualMachine vm = VirtualMachines.open(VmConfig.builder().args(args).build());
        vm.spawnerBarrier(); // a worker stays in here until the spawner closes the VM, then exits
    }
}
