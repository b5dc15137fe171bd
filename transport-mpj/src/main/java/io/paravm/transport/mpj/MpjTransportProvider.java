package io.paravm.transport.mpj;

import io.paravm.VmConfig;
import io.paravm.spi.Transport;
import io.paravm.spi.TransportProvider;

import java.util.Optional;

/**
 * The {@code mpj} transport: MPJ Express, in a job started by {@link MpjLauncher} (or MPJ's
 * own runtime). Ranks below Open MPI in automatic selection and above engines that need no
 * launcher.
 *
 * <pre>{@code
 * VirtualMachine vm = VirtualMachines.open(VmConfig.builder().transport("mpj").args(args).build());
 * }</pre>
 */
public final class MpjTransportProvider implements TransportProvider {

    /** The transport's name; its launch recipe's too. */
    static final String NAME = "mpj";
    /** The rank in automatic selection; its launch recipe's too. */
    static final int PRIORITY = 200;

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
        return Optional.ofNullable(Mpj.unavailabilityCause());
    }

    @Override
    public Transport open(VmConfig config) {
        Mpj.ensureAvailability();
        return new MpjTransport(config);
    }
}
