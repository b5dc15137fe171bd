package io.paravm.dashboard;

import io.paravm.VirtualMachine;
import io.paravm.VmConfig;
import io.paravm.spi.DashboardProvider;

/**
 * Registered with {@link java.util.ServiceLoader}: vm-core starts the {@link Dashboard} through
 * it when the spawner's configuration sets {@value VmConfig#DASHBOARD_PORT_PROP_NAME}.
 *
 * <pre>{@code
 * AutoCloseable d = new VmDashboardProvider().start(vm, config);
 * }</pre>
 */
public final class VmDashboardProvider implements DashboardProvider {
    @Override
    public AutoCloseable start(VirtualMachine vm, VmConfig config) {
        return Dashboard.start(vm, config);
    }
}
