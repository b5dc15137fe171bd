package io.paravm.spi;

import io.paravm.VirtualMachine;
import io.paravm.VmConfig;

/**
 * Starts the live dashboard on the spawner when its VM is configured for one
 * ({@link VmConfig.Builder#dashboard(int)}, {@value VmConfig#DASHBOARD_PORT_PROP_NAME}). Found
 * with {@link java.util.ServiceLoader}: module {@code paravm-dashboard} provides it. vm-core
 * starts it once the spawner's VM is open and closes it when the VM closes.
 *
 * <pre>{@code
 * AutoCloseable page = provider.start(spawnerVm, config);   // serves until the VM closes
 * }</pre>
 */
public interface DashboardProvider {

    /**
     * Starts serving the dashboard of {@code vm}.
     *
     * @param vm     the spawner's open virtual machine
     * @param config its configuration (the dashboard's settings are among its properties)
     * @return what stops it
     * @throws io.paravm.VmException if it cannot start (the port is taken, ...), saying what to do
     */
    AutoCloseable start(VirtualMachine vm, VmConfig config);
}
