package io.paravm.transport.mpj;

import io.paravm.tck.VirtualMachineVerification;

/** The TCK on MPJ Express; run by MpjLauncher on both devices by the build (see this module's pom). */
public class MpjVerification extends VirtualMachineVerification {
}
