package io.paravm.core;

import io.paravm.VirtualMachine;
import io.paravm.VmConfig;
import io.paravm.spi.Transport;
import io.paravm.spi.VirtualMachineFactory;

/** Registered with {@link java.util.ServiceLoader}: builds the core VM over a transport. */
public final class CoreVirtualMachineFactory implements VirtualMachineFactory {
    @Override
    public VirtualMachine create(Transport transport, VmConfig config) {
        return CoreVirtualMachine.open(transport, config);
    }
}
