package io.paravm.core;

import io.paravm.VmConfig;
import io.paravm.VmException;
import io.paravm.spi.PropertyNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks the {@code paravm.*} settings given when a VM opens (its {@link VmConfig}
 * properties, system properties, {@code PARAVM_*} environment variables) against the names
 * the present modules' {@link PropertyNames} providers declare: a name no module reads is
 * warned about, naming the nearest known one, and an old name still honoured is warned about
 * as deprecated. A setting whose second part ({@code paravm.<module>.}) is no present
 * module's is left alone (that module may be absent from this class path) unless it is within
 * {@value #NEAR} edits of a known name (a typo). Each warning is logged once per JVM.
 *
 * <pre>{@code
 * SettingsCheck.warnOnce(config, loader);   // "paravm.worker.slot is not read by ...; did you mean paravm.worker.slots?"
 * }</pre>
 */
final class SettingsCheck {

    private static final Logger LOG = LoggerFactory.getLogger(SettingsCheck.class);
    /** Edits within which a setting of an unknown module is still taken for a typo of a known name. */
    static final int NEAR = 2;
    private static final String PREFIX = "paravm.";
    private static final String ENV_PREFIX = "PARAVM_";
    /**
     * Warnings logged already: once per JVM, since ranks may be threads of one JVM (MPJ
     * multicore) and a program may open several VMs.
     */
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    /**
     * Parses the value of setting {@code name}, a whole number of 1 or more.
     *
     * @throws VmException naming the setting and the value, if it is not one
     */
    static long positiveLong(String name, String value) {
        long v;
        try {
            v = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            v = 0;
        }
        if (v < 1) {
            throw new VmException(name + " = '" + value + "' is not a whole number of 1 or more; set a positive "
                    + "number, or leave it unset for the default");
        }
        return v;
    }

    /**
     * The names the present modules read, and the deprecated names they still honour.
     *
     * @param names      known names; a part {@code *} stands for any one part
     * @param deprecated old name to the name that replaced it
     */
    record Known(Set<String> names, Map<String, String> deprecated) {

        /** The names of every {@link PropertyNames} provider {@code loader} sees. */
        static Known load(ClassLoader loader) {
            Set<String> names = new TreeSet<>();
            Map<String, String> deprecated = new HashMap<>();
            Iterator<PropertyNames> it = ServiceLoader.load(PropertyNames.class, loader).iterator();
            while (true) {
                try {
                    if (!it.hasNext()) break;
                    PropertyNames p = it.next();
                    names.addAll(p.names());
                    deprecated.putAll(p.deprecatedNames());
                } catch (ServiceConfigurationError e) {
                    warn("a " + PropertyNames.class.getName() + " provider on the class path does not load, so its "
                            + "settings are not checked: " + e.getMessage() + "; remove the broken jar or fix its "
                            + "META-INF/services entry");
                }
            }
            return new Known(names, deprecated);
        }

        /** The modules (second name parts) with a known name. */
        Set<String> modules() {
            Set<String> modules = new HashSet<>();
            for (String n : names) {
                String m = part(n, 1);
                if (m != null) modules.add(m);
            }
            return modules;
        }

        boolean reads(String name) {
            for (String n : names) if (matches(n, name)) return true;
            return false;
        }
    }

    private SettingsCheck() {
    }

    /**
     * Warns once per JVM about each unknown or deprecated setting given to this VM.
     *
     * @param config the VM's settings
     * @param loader the class loader the VM's modules are found with
     */
    static void warnOnce(VmConfig config, ClassLoader loader) {
        Set<String> given = new TreeSet<>();
        for (String k : config.properties().keySet()) if (k.startsWith(PREFIX)) given.add(k);
        for (String k : System.getProperties().stringPropertyNames()) if (k.startsWith(PREFIX)) given.add(k);
        for (String k : System.getenv().keySet()) if (k.startsWith(ENV_PREFIX)) given.add(k);
        if (given.isEmpty()) return;
        for (String w : warnings(given, Known.load(loader))) warn(w);
    }

    private static void warn(String warning) {
        if (WARNED.add(warning)) LOG.warn(warning);
    }

    /**
     * The warnings for {@code given}.
     *
     * @param given setting names as given: {@code paravm.x.y}, or {@code PARAVM_X_Y} for an
     *              environment variable
     * @param known what the present modules read
     * @return one warning per unknown or deprecated setting, in the order given
     */
    static List<String> warnings(Collection<String> given, Known known) {
        Set<String> modules = known.modules();
        List<String> warnings = new ArrayList<>();
        for (String setting : given) {
            String name = settingName(setting);
            if (known.reads(name)) continue;
            String replacement = known.deprecated().get(name);
            if (replacement != null) {
                warnings.add(describe(setting) + " is the deprecated name of " + replacement + "; set "
                        + replacement + " instead (the old name is still honoured for now)");
                continue;
            }
            String nearest = null;
            int distance = Integer.MAX_VALUE;
            for (String n : known.names()) {
                int d = distance(name, instantiate(n, name));
                if (d < distance) {
                    distance = d;
                    nearest = instantiate(n, name);
                }
            }
            if (nearest != null && (modules.contains(part(name, 1)) || distance <= NEAR)) {
                warnings.add(describe(setting) + " is not a setting any ParaVM module on the class path reads, so it "
                        + "has no effect; the nearest known setting is " + nearest + " (see docs/configuration.md)");
            }
        }
        return warnings;
    }

    private static String describe(String setting) {
        return setting.startsWith(ENV_PREFIX) ? "environment variable " + setting : "setting " + setting;
    }

    /** {@code PARAVM_X_Y} as the setting {@code paravm.x.y}; a property name as it is. */
    static String settingName(String given) {
        return given.startsWith(ENV_PREFIX) ? given.toLowerCase(Locale.ROOT).replace('_', '.') : given;
    }

    /** Part {@code i} of a dotted name, or null. */
    private static String part(String name, int i) {
        String[] parts = name.split("\\.", -1);
        return i < parts.length ? parts[i] : null;
    }

    /** Whether {@code name} is {@code pattern}, where a pattern part {@code *} matches any one part. */
    static boolean matches(String pattern, String name) {
        if (!pattern.contains("*")) return pattern.equals(name);
        String[] p = pattern.split("\\.", -1), n = name.split("\\.", -1);
        if (p.length != n.length) return false;
        for (int i = 0; i < p.length; i++) if (!p[i].equals("*") && !p[i].equals(n[i])) return false;
        return true;
    }

    /** {@code pattern} with each {@code *} part replaced by {@code name}'s part there (or kept). */
    private static String instantiate(String pattern, String name) {
        if (!pattern.contains("*")) return pattern;
        String[] p = pattern.split("\\.", -1), n = name.split("\\.", -1);
        for (int i = 0; i < p.length; i++) if (p[i].equals("*") && i < n.length) p[i] = n[i];
        return String.join(".", p);
    }

    /** The edit (Levenshtein) distance between two names. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(substitute, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
