package io.paravm.transport.mpi;

import io.paravm.VmConfig;
import io.paravm.spi.Transport;
import io.paravm.spi.TransportProvider;

import java.util.Optional;

/**
 * The {@code mpi} transport: the C library of whichever MPI's {@code mpirun} started the job
 * (Open MPI or MPICH), called through Java's FFM API; no Java bindings needed. It ranks above
 * {@code openmpi} in automatic selection, so under {@code mpirun} on Java 22+ it is chosen;
 * on an older JVM it is unavailable and says why.
 *
 * <pre>{@code
 * VirtualMachine vm = VirtualMachines.open(VmConfig.builder().transport("mpi").build());
 * }</pre>
 */
public final class MpiTransportProvider implements TransportProvider {

    /** The transport's name; its launch recipe's too. */
    static final String NAME = "mpi";
    /** The rank in automatic selection (above openmpi's 300); its launch recipe's too. */
    static final int PRIORITY = 350;

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
        return Optional.ofNullable(Mpi.unavailabilityCause());
    }

    @Override
    public Transport open(VmConfig config) {
        Mpi.ensureAvailability();
        return Mpi.binding().open(config, Mpi.choice());
    }
}
