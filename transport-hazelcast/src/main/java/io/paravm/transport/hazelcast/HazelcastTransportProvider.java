package io.paravm.transport.hazelcast;

import io.paravm.VmConfig;
import io.paravm.spi.Transport;
import io.paravm.spi.TransportProvider;

import java.util.Optional;

/**
 * The {@code hazelcast} transport: embedded Hazelcast members, one per JVM, on loopback
 * unless told otherwise. Lowest priority in automatic selection: it needs no launcher,
 * so it is the default when no MPI job is around.
 *
 * <pre>{@code
 * VirtualMachine vm = VirtualMachines.open(VmConfig.builder().transport("hazelcast").build());
 * }</pre>
 */
public final class HazelcastTransportProvider implements TransportProvider {

    /** The rank in automatic selection: below the MPI transports, which need their launcher. */
    static final int PRIORITY = 100;

    @Override
    public String name() {
        return HazelcastTransport.NAME;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public Optional<String> unavailabilityCause() {
        return Optional.ofNullable(HazelcastEngine.unavailabilityCause());
    }

    @Override
    public Transport open(VmConfig config) {
        HazelcastEngine.ensureAvailability();
        return HazelcastTransport.start(config);
    }
}
