package io.paravm;

import io.paravm.spi.Transport;
import io.paravm.spi.TransportProvider;
import io.paravm.spi.VirtualMachineFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * Opens a virtual machine over the transport chosen by name or by availability.
 *
 * <p>Selection: the name from {@link VmConfig#requestedTransport()} (config, then
 * {@code -Dparavm.transport}, then {@code PARAVM_TRANSPORT}) if given; otherwise the
 * available provider with the highest priority (ties broken by name). A provider is
 * skipped when {@code paravm.transport.<name>.disabled=true}. When nothing is usable the
 * exception lists every provider found and why each is unavailable.
 *
 * <pre>{@code
 * try (VirtualMachine vm = VirtualMachines.open()) {
 *     vm.spawnerBarrier();       // workers stay in here
 *     log.info("VM:\n{}", vm.formatSpawnerConfig());
 * }
 * }</pre>
 */
public final class VirtualMachines {

    /** Page describing the error codes in exception messages. */
    public static final String ERROR_CODES_URL = "docs/errors.md";

    private static final System.Logger LOG = System.getLogger("io.paravm");

    private VirtualMachines() {
    }

    /** Opens a VM with {@link VmConfig#defaults()}. */
    public static VirtualMachine open() {
        return open(VmConfig.defaults());
    }

    /**
     * Opens a VM with {@code config}.
     *
     * @param config how to open it
     * @return the open VM
     * @throws NullPointerException if {@code config} is null
     * @throws VmException if no transport is usable, or the engine fails to start
     */
    public static VirtualMachine open(VmConfig config) {
        Objects.requireNonNull(config, "config is null; pass VmConfig.defaults() or one from VmConfig.builder()");
        TransportProvider provider = select(config);
        VirtualMachineFactory factory = factory();
        Transport transport = provider.open(config);
        try {
            return factory.create(transport, config);
        } catch (RuntimeException | Error e) {
            transport.close();
            throw e;
        }
    }

    /** Returns every transport provider found on the class path, sorted by name. */
    public static List<TransportProvider> providers() {
        List<TransportProvider> found = new ArrayList<>();
        List<String> broken = new ArrayList<>();
        Iterator<TransportProvider> it = ServiceLoader.load(TransportProvider.class, loader()).iterator();
        while (true) {
            try {
                if (!it.hasNext()) break;
                found.add(it.next());
            } catch (ServiceConfigurationError e) {
                // One broken jar must not hide the others (as SLF4J does).
                broken.add(e.getMessage());
            }
        }
        for (String b : broken) {
            LOG.log(System.Logger.Level.WARNING, "ParaVM(W): a transport provider failed to load: " + b);
        }
        found.sort(Comparator.comparing(TransportProvider::name));
        return found;
    }

    /**
     * Chooses the provider {@link #open(VmConfig)} would use.
     *
     * @param config the configuration naming a transport, or not
     * @return the provider
     * @throws VmException if the named one is missing or unavailable, or none is available
     */
    public static TransportProvider select(VmConfig config) {
        Objects.requireNonNull(config, "config is null; pass VmConfig.defaults() or one from VmConfig.builder()");
        List<TransportProvider> all = providers();
        var requested = config.requestedTransport();
        if (requested.isPresent()) {
            String name = requested.get().toLowerCase(Locale.ROOT);
            for (TransportProvider p : all) {
                if (p.name().equals(name)) {
                    String cause = causeOf(p, config);
                    if (cause != null) {
                        throw new VmException("transport '" + name + "' was requested but is unavailable: "
                                + cause + " [" + ERROR_CODES_URL + "#transport-unavailable]");
                    }
                    return p;
                }
            }
            throw new VmException("transport '" + requested.get() + "' was requested (via "
                    + VmConfig.TRANSPORT_PROP_NAME + ", " + VmConfig.TRANSPORT_ENV_NAME + " or VmConfig) but "
                    + (all.isEmpty() ? "no transport jar is on the class path"
                    : "only these are on the class path: " + all.stream().map(TransportProvider::name)
                    .collect(Collectors.joining(", ")))
                    + "; add io.paravm:transport-" + name + " or name one of those [" + ERROR_CODES_URL
                    + "#unknown-transport]");
        }
        TransportProvider best = null;
        List<String> reasons = new ArrayList<>();
        for (TransportProvider p : all) {
            String cause = causeOf(p, config);
            if (cause != null) {
                reasons.add(p.name() + ": " + cause);
            } else if (best == null || p.priority() > best.priority()) {
                best = p;
            }
        }
        if (best == null) {
            throw new VmException(all.isEmpty()
                    ? "no ParaVM transport on the class path; add one of io.paravm:transport-openmpi, "
                    + "transport-mpj or transport-hazelcast [" + ERROR_CODES_URL + "#no-transport]"
                    : "no ParaVM transport is usable here; tried " + String.join("; ", reasons)
                    + " [" + ERROR_CODES_URL + "#no-transport]");
        }
        if (all.size() > 1) {
            LOG.log(System.Logger.Level.DEBUG, "ParaVM: transports found: "
                    + all.stream().map(p -> p.name() + "(priority " + p.priority() + ")")
                    .collect(Collectors.joining(", ")) + "; using " + best.name());
        }
        return best;
    }

    private static String causeOf(TransportProvider p, VmConfig config) {
        String disabledProp = "paravm.transport." + p.name() + ".disabled";
        if (Boolean.parseBoolean(config.property(disabledProp).orElse("false"))) {
            return "disabled by " + disabledProp + "=true";
        }
        try {
            return p.unavailabilityCause().orElse(null);
        } catch (RuntimeException | LinkageError e) {
            return "its availability check failed: " + e;
        }
    }

    private static VirtualMachineFactory factory() {
        for (VirtualMachineFactory f : ServiceLoader.load(VirtualMachineFactory.class, loader())) {
            return f;
        }
        throw new VmException("io.paravm:vm-core is not on the class path (it implements the VM over "
                + "the transport); add it, or depend on a transport jar, which brings it");
    }

    private static ClassLoader loader() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return cl != null ? cl : VirtualMachines.class.getClassLoader();
    }
}
