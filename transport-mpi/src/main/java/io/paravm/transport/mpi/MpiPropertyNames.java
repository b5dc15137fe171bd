package io.paravm.transport.mpi;

import io.paravm.spi.PropertyNames;

import java.util.Set;

/**
 * The {@code paravm.mpi.*} settings this module reads ({@link MpiProperties}), so they are
 * not warned about as unknown.
 *
 * <pre>{@code
 * ServiceLoader.load(PropertyNames.class).forEach(p -> known.addAll(p.names()));
 * }</pre>
 */
public final class MpiPropertyNames implements PropertyNames {
    @Override
    public Set<String> names() {
        return Set.of(MpiProperties.IMPLEMENTATION_PROP_NAME, MpiProperties.LIBRARY_PROP_NAME, MpiProperties.TAG_PROP_NAME,
                MpiProperties.EAGER_BYTES_PROP_NAME, MpiProperties.THREAD_LEVEL_PROP_NAME);
    }
}
