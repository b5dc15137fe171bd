package io.paravm.spi;

import java.util.Map;
import java.util.Set;

/**
 * The {@code paravm.*} settings one module reads; found with {@link java.util.ServiceLoader}
 * through {@code META-INF/services/io.paravm.spi.PropertyNames}. When a VM opens, every
 * {@code paravm.*} system property (and {@code PARAVM_*} environment variable) that no
 * present module names is warned about once, with the nearest known name; a setting of a
 * module that is not on the class path (its second name part is no present module's) is
 * not. Old names keep working through {@link #deprecatedNames()}, with a warning. An
 * environment variable is compared by its setting name ({@code PARAVM_HAZELCAST_SECRET} is
 * {@code paravm.hazelcast.secret}), and a name part {@code *} stands for any one part
 * ({@code paravm.transport.*.disabled}).
 *
 * <pre>{@code
 * public final class MyTransportPropertyNames implements PropertyNames {
 *     public Set<String> names() { return Set.of("paravm.mine.port", "paravm.mine.timeout.millis"); }
 *     public Map<String, String> deprecatedNames() { return Map.of("paravm.mine.timeout.ms", "paravm.mine.timeout.millis"); }
 * }
 * }</pre>
 */
public interface PropertyNames {

    /** Returns every {@code paravm.*} name the module reads. */
    Set<String> names();

    /** Returns old names still honoured, each mapped to the name that replaced it. */
    default Map<String, String> deprecatedNames() {
        return Map.of();
    }
}
