package io.paravm.transport.mpi;

import io.paravm.VirtualMachine;
import io.paravm.VirtualMachines;
import io.paravm.VmConfig;
import io.paravm.VmException;

/**
 * A one-rank job whose frames use an invalid MPI tag ({@code -Dparavm.mpi.tag=-5}): the
 * first engine call with it fails in MPI, and the job prints what the caller got.
 */
public final class MpiErrorJob {
    private MpiErrorJob() {
    }

    public static void main(String[] args) {
        try (VirtualMachine vm = VirtualMachines.open(VmConfig.builder().args(args).build())) {
            vm.checkForIncoming();
            System.out.println("no error");
        } catch (VmException e) {
            System.out.println("caught " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}
