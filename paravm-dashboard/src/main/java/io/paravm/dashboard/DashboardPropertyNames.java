package io.paravm.dashboard;

import io.paravm.VmConfig;
import io.paravm.spi.PropertyNames;

import java.util.Set;

/**
 * The {@code paravm.dashboard.*} settings (registered with {@link java.util.ServiceLoader}), so
 * that a misspelt one is warned about.
 *
 * <pre>{@code
 * new DashboardPropertyNames().names();   // paravm.dashboard.port, .bind, .token.file, .update.millis, .stuck.millis
 * }</pre>
 */
public final class DashboardPropertyNames implements PropertyNames {
    @Override
    public Set<String> names() {
        return Set.of(VmConfig.DASHBOARD_PORT_PROP_NAME, DashboardProperties.BIND_PROP_NAME,
                DashboardProperties.TOKEN_FILE_PROP_NAME, DashboardProperties.UPDATE_MILLIS_PROP_NAME,
                DashboardProperties.STUCK_MILLIS_PROP_NAME);
    }
}
