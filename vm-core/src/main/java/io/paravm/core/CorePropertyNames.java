package io.paravm.core;

import io.paravm.VmConfig;
import io.paravm.spi.PropertyNames;

import java.util.Map;
import java.util.Set;

/**
 * The {@code paravm.*} settings vm-api and vm-core read (registered with
 * {@link java.util.ServiceLoader}), and the old names they still honour.
 *
 * <pre>{@code
 * new CorePropertyNames().deprecatedNames().get("paravm.core.orphan.grace.ms");  // paravm.core.orphan.grace.millis
 * }</pre>
 */
public final class CorePropertyNames implements PropertyNames {

    @Override
    public Set<String> names() {
        return Set.of(VmConfig.TRANSPORT_PROP_NAME, "paravm.transport.*.disabled",
                VmConfig.WORKER_SLOTS_PROP_NAME, VmConfig.START_DIR_PROP_NAME, VmConfig.MIRROR_PROP_NAME,
                VmConfig.STORAGE_ROOT_PROP_NAME, VmConfig.STORAGE_KEEP_PROP_NAME,
                VmConfig.UNREAD_BOUND_PROP_NAME, VmConfig.SEND_TIMEOUT_PROP_NAME, VmConfig.DASHBOARD_PORT_PROP_NAME,
                WorkerVirtualMachine.HELD_MAX_BYTES_PROP_NAME, OrphanWatch.GRACE_MILLIS_PROP_NAME,
                PolledTransport.FINALIZE_TIMEOUT_MILLIS_PROP_NAME, PolledTransport.DOORBELL_PROP_NAME,
                ClassAllowList.ALLOW_PROP_NAME, ClassDataDump.DUMP_PROP_NAME);
    }

    @Override
    @SuppressWarnings("deprecation")
    public Map<String, String> deprecatedNames() {
        return Map.of(OrphanWatch.GRACE_MS_DEPRECATED_PROP_NAME, OrphanWatch.GRACE_MILLIS_PROP_NAME,
                PolledTransport.FINALIZE_TIMEOUT_MS_PROP_NAME, PolledTransport.FINALIZE_TIMEOUT_MILLIS_PROP_NAME);
    }
}
