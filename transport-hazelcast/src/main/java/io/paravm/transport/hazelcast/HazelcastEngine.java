package io.paravm.transport.hazelcast;

/**
 * Whether Hazelcast can be used by this process: its classes load. Probed once; never
 * throws while loading.
 *
 * <pre>{@code
 * if (!HazelcastEngine.isAvailable()) log.warn("not usable here: {}", HazelcastEngine.unavailabilityCause());
 * HazelcastEngine.ensureAvailability(); // throws with the cause
 * }</pre>
 */
public final class HazelcastEngine {

    private static final String UNAVAILABILITY_CAUSE = probe();

    private HazelcastEngine() {
    }

    /** Returns whether the transport can be used here. */
    public static boolean isAvailable() {
        return UNAVAILABILITY_CAUSE == null;
    }

    /** Returns why the transport cannot be used here and what to do, or {@code null}. */
    public static String unavailabilityCause() {
        return UNAVAILABILITY_CAUSE;
    }

    /** Throws {@link UnsatisfiedLinkError} with the cause if the transport cannot be used here. */
    public static void ensureAvailability() {
        if (UNAVAILABILITY_CAUSE != null) throw new UnsatisfiedLinkError(UNAVAILABILITY_CAUSE);
    }

    private static String probe() {
        try {
            Class.forName("com.hazelcast.core.Hazelcast", false, HazelcastEngine.class.getClassLoader());
            return null;
        } catch (ClassNotFoundException | LinkageError e) {
            return "Hazelcast's classes (com.hazelcast:hazelcast) are not on the class path (" + e
                    + "); depend on io.paravm:transport-hazelcast, which brings them";
        }
    }
}
