package io.paravm.transport.hazelcast;

import io.paravm.tck.VirtualMachineVerification;

/** The TCK on Hazelcast; run in jobs of 2 and 3 member JVMs by the build (see this module's pom). */
public class HazelcastVerification extends VirtualMachineVerification {
}
