package io.paravm.transport.mpi;

import io.paravm.tck.VirtualMachineVerification;

/** The TCK on the mpi transport; run in mpirun.openmpi and mpirun.mpich jobs by {@link MpiTckTest}. */
public class MpiVerification extends VirtualMachineVerification {
}
