package io.paravm.spi;

import io.paravm.VmConfig;

import java.util.Optional;

/**
 * Makes {@link Transport}s for one engine; found with {@link java.util.ServiceLoader}
 * through {@code META-INF/services/io.paravm.spi.TransportProvider}.
 *
 * <pre>{@code
 * public final class MyProvider implements TransportProvider {
 *     public String name() { return "mine"; }
 *     public int priority() { return 10; }
 *     public Optional<String> unavailabilityCause() {
 *         return System.getenv("MINE_RANK") != null ? Optional.empty()
 *                 : Optional.of("not started by mine-run (MINE_RANK is not set)");
 *     }
 *     public Transport open(VmConfig config) { return new MyTransport(config); }
 * }
 * }</pre>
 */
public interface TransportProvider {

    /** Returns the name users select it by, e.g. {@code openmpi}. */
    String name();

    /**
     * Returns the rank in automatic selection: the available provider with the highest
     * priority wins. Engines that need a launcher rank above those that do not.
     */
    int priority();

    /**
     * Returns why this transport cannot be used here and what to do, or empty if it can.
     * Must not throw.
     */
    Optional<String> unavailabilityCause();

    /** Returns whether {@link #unavailabilityCause()} is empty. */
    default boolean isAvailable() {
        return unavailabilityCause().isEmpty();
    }

    /**
     * Starts the engine for this rank.
     *
     * @param config the VM configuration
     * @return the started transport
     * @throws io.paravm.VmException if the engine cannot start; the message says why
     */
    Transport open(VmConfig config);
}
