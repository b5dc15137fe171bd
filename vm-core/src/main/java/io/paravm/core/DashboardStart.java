package io.paravm.core;

import io.paravm.VirtualMachine;
import io.paravm.VmConfig;
import io.paravm.VmException;
import io.paravm.spi.DashboardProvider;

import java.util.Iterator;
import java.util.ServiceLoader;

/**
 * Starts the dashboard on the spawner when its configuration asks for one
 * ({@value VmConfig#DASHBOARD_PORT_PROP_NAME}), through the {@link DashboardProvider} on the
 * class path (module {@code paravm-dashboard}).
 *
 * <pre>{@code
 * AutoCloseable dashboard = DashboardStart.ifAsked(vm, config, loader);  // null if not asked
 * }</pre>
 */
final class DashboardStart {

    private DashboardStart() {
    }

    /**
     * @return what stops the dashboard, or null if the configuration asks for none
     * @throws VmException if one is asked for and the module is missing, or it cannot start
     */
    static AutoCloseable ifAsked(VirtualMachine vm, VmConfig config, ClassLoader loader) {
        if (config.property(VmConfig.DASHBOARD_PORT_PROP_NAME).isEmpty()) return null;
        Iterator<DashboardProvider> found = ServiceLoader.load(DashboardProvider.class, loader).iterator();
        if (!found.hasNext()) {
            throw new VmException(VmConfig.DASHBOARD_PORT_PROP_NAME + " asks for the dashboard, but module "
                    + "io.paravm:paravm-dashboard is not on the spawner's class path; add it (paravm run and paravm demo "
                    + "bring it), or leave " + VmConfig.DASHBOARD_PORT_PROP_NAME + " unset");
        }
        return found.next().start(vm, config);
    }
}
