package io.paravm.transport.hazelcast;

import io.paravm.spi.PropertyNames;

import java.util.Set;

/**
 * Lists the {@code paravm.hazelcast.*} settings this module reads.
 *
 * <p>Each is a constant of {@link HazelcastProperties}, so that a misspelt one is warned about
 * when a VM opens.
 *
 * <pre>{@code
 * ServiceLoader.load(PropertyNames.class).forEach(p -> known.addAll(p.names()));
 * }</pre>
 */
public final class HazelcastPropertyNames implements PropertyNames {

    @Override
    public Set<String> names() {
        return Set.of(HazelcastProperties.JOIN_PROP_NAME, HazelcastProperties.NP_PROP_NAME,
                HazelcastProperties.CLUSTER_PROP_NAME, HazelcastProperties.PORT_PROP_NAME,
                HazelcastProperties.INTERFACE_PROP_NAME, HazelcastProperties.SECRET_PROP_NAME,
                HazelcastProperties.SECRET_FILE_PROP_NAME, HazelcastProperties.HEARTBEAT_SECONDS_PROP_NAME,
                HazelcastProperties.MAX_NO_HEARTBEAT_SECONDS_PROP_NAME, HazelcastProperties.JOIN_TIMEOUT_SECONDS_PROP_NAME,
                HazelcastProperties.WINDOW_FRAMES_PROP_NAME, HazelcastProperties.CLOSE_FLUSH_MILLIS_PROP_NAME,
                HazelcastProperties.CLOSE_LEAVE_MILLIS_PROP_NAME);
    }
}
