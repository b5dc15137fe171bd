package io.paravm.transport.openmpi;

import io.paravm.VmConfig;
import io.paravm.spi.Transport;
import io.paravm.spi.TransportProvider;

import java.util.Optional;

/**
 * The {@code openmpi} transport: Open MPI's Java bindings, in a job started by
 * {@code mpirun}. Highest priority in automatic selection, because being under
 * {@code mpirun} is a deliberate choice.
 *
 * <pre>{@code
 * VirtualMachine vm = VirtualMachines.open(VmConfig.builder().transport("openmpi").build());
 * }</pre>
 */
public final class OpenMpiTransportProvider implements TransportProvider {

    /** The transport's name; its launch recipe's too. */
    static final String NAME = "openmpi";
    /** The rank in automatic selection; its launch recipe's too. */
    static final int PRIORITY = 300;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public Optional<String> unavailabilityCause() {
        return Optional.ofNullable(OpenMpi.unavailabilityCause());
    }

    @Override
    public Transport open(VmConfig config) {
        OpenMpi.ensureAvailability();
        return new OpenMpiTransport(config);
    }
}
