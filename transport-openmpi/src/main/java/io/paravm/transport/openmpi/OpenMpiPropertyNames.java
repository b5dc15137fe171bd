package io.paravm.transport.openmpi;

import io.paravm.spi.PropertyNames;

import java.util.Set;

/**
 * The {@code paravm.openmpi.*} settings this module reads ({@link OpenMpiProperties}), so
 * they are not warned about as unknown.
 *
 * <pre>{@code
 * ServiceLoader.load(PropertyNames.class).forEach(p -> known.addAll(p.names()));
 * }</pre>
 */
public final class OpenMpiPropertyNames implements PropertyNames {
    @Override
    public Set<String> names() {
        return Set.of(OpenMpiProperties.THREAD_LEVEL_PROP_NAME, OpenMpiProperties.EAGER_BYTES_PROP_NAME,
                OpenMpiProperties.LIBRARY_DIR_PROP_NAME);
    }
}
