package io.paravm.transport.mpi;

import io.paravm.VirtualMachines;
import io.paravm.VmConfig;
import io.paravm.VmException;

/** Prints why the mpi transport is unavailable in this JVM, and what selecting it says; the configuration test runs it. */
public final class MpiProbe {
    private MpiProbe() {
    }

    public static void main(String[] args) {
        System.out.println("cause=" + Mpi.unavailabilityCause());
        try {
            VirtualMachines.select(VmConfig.builder().transport("mpi").build());
            System.out.println("selected");
        } catch (VmException e) {
            System.out.println("select=" + e.getMessage());
        }
    }
}
