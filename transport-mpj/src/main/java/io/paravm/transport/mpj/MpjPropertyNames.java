package io.paravm.transport.mpj;

import io.paravm.spi.PropertyNames;

import java.util.Map;
import java.util.Set;

/**
 * The {@code paravm.mpj.*} settings this module reads ({@link MpjProperties}), and the old
 * names still honoured, so neither is warned about as unknown.
 *
 * <pre>{@code
 * ServiceLoader.load(PropertyNames.class).forEach(p -> known.addAll(p.names()));
 * }</pre>
 */
public final class MpjPropertyNames implements PropertyNames {
    @Override
    public Set<String> names() {
        return Set.of(MpjProperties.DEVICE_PROP_NAME, MpjProperties.HOME_PROP_NAME,
                MpjProperties.EXIT_GRACE_MILLIS_PROP_NAME, MpjProperties.STARTUP_TIMEOUT_MILLIS_PROP_NAME,
                MpjProperties.PROTOCOL_SWITCH_BYTES_PROP_NAME, MpjProperties.LAUNCHER_PID_PROP_NAME);
    }

    @Override
    public Map<String, String> deprecatedNames() {
        return MpjProperties.DEPRECATED_NAMES;
    }
}
