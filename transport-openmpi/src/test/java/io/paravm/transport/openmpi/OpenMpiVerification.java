package io.paravm.transport.openmpi;

import io.paravm.tck.VirtualMachineVerification;

/** The TCK on Open MPI; run under mpirun by the build (see this module's pom). */
public class OpenMpiVerification extends VirtualMachineVerification {
}
