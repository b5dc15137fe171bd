package io.paravm.spi;

import io.paravm.VirtualMachine;
import io.paravm.VmConfig;

/**
 * Builds the virtual machine over a transport. vm-core provides the one implementation;
 * it is found with {@link java.util.ServiceLoader}.
 *
 * <pre>{@code
 * VirtualMachine vm = factory.create(provider.open(config), config);
 * }</pre>
 */
public interface VirtualMachineFactory {

    /**
     * @param transport the started transport; the VM owns and closes it
     * @param config    the configuration
     * @return the open virtual machine
     */
    VirtualMachine create(Transport transport, VmConfig config);
}
