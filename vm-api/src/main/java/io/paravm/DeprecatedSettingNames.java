package io.paravm;

import io.paravm.spi.PropertyNames;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Finds the old names a setting is still read under, as the {@link PropertyNames}
 * providers on the class path declare them, so that every module reading settings through
 * {@link VmConfig#property(String)} honours its renamed keys. (vm-core warns once about each
 * old name in use when a VM opens.)
 *
 * <pre>{@code
 * List<String> old = DeprecatedSettingNames.of("paravm.core.orphan.grace.millis");
 * // [paravm.core.orphan.grace.ms]
 * }</pre>
 */
final class DeprecatedSettingNames {

    private DeprecatedSettingNames() {
    }

    /**
     * @param name a setting's current name
     * @return its deprecated names, in the order the providers are found; empty for most
     */
    static List<String> of(String name) {
        List<String> old = new ArrayList<>();
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        Iterator<PropertyNames> it = ServiceLoader.load(PropertyNames.class,
                cl != null ? cl : VmConfig.class.getClassLoader()).iterator();
        while (true) {
            try {
                if (!it.hasNext()) break;
                it.next().deprecatedNames().forEach((oldName, newName) -> {
                    if (newName.equals(name)) old.add(oldName);
                });
            } catch (ServiceConfigurationError e) {
                // A broken provider is reported by vm-core's check of the settings; its names are not honoured.
            }
        }
        return old;
    }
}
