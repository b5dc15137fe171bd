package io.paravm.transport.mpi;

import io.paravm.VmException;

import java.net.InetAddress;
import java.util.Optional;

/**
 * Whether the {@code mpi} transport can be used by this process. Probed once, on first use;
 * never throws while loading. Available when this JVM is Java 22 or later, the process was
 * started by an MPI's {@code mpirun}, and that MPI's C library loads and is that MPI.
 *
 * <pre>{@code
 * if (!Mpi.isAvailable()) log.warn("not usable here: {}", Mpi.unavailabilityCause());
 * Mpi.ensureAvailability(); // throws with the cause
 * }</pre>
 */
public final class Mpi {

    /** The first Java release whose FFM API is final. */
    public static final int JAVA_FEATURE_NEEDED = 22;

    private static final Object[] PROBED = probe(); // {cause or null, binding, choice}
    private static final String UNAVAILABILITY_CAUSE = (String) PROBED[0];

    private Mpi() {
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

    /** The FFM binding; only once {@link #ensureAvailability()} passed. */
    static MpiBinding binding() {
        return (MpiBinding) PROBED[1];
    }

    /** The implementation and library this process uses; only once {@link #ensureAvailability()} passed. */
    static MpiChoice choice() {
        return (MpiChoice) PROBED[2];
    }

    /**
     * Returns why a JVM of {@code feature} cannot run this transport, or {@code null} if it can.
     *
     * @param feature the JVM's feature release ({@code Runtime.version().feature()})
     * @param host    the host it runs on, named in the message
     */
    static String javaCause(int feature, String host) {
        if (feature >= JAVA_FEATURE_NEEDED) return null;
        return "the mpi transport needs Java " + JAVA_FEATURE_NEEDED + " or later (it calls the C MPI library through "
                + "the FFM API), but the rank on host " + host + " runs Java " + feature + " (" + System.getProperty("java.home")
                + "); install a JDK " + JAVA_FEATURE_NEEDED + "+ on every node and point PARAVM_JAVA (or PARAVM_JDK22) at it, "
                + "or use the openmpi transport (-t openmpi, -Dparavm.transport=openmpi)";
    }

    private static Object[] probe() {
        int feature = Runtime.version().feature();
        // the host name only for the message: looking it up may cost a DNS round trip
        if (feature < JAVA_FEATURE_NEEDED) return new Object[] {javaCause(feature, hostName()), null, null};
        MpiChoice choice;
        try {
            choice = MpiChoice.of(name -> Optional.ofNullable(System.getProperty(name)), System.getenv());
        } catch (VmException e) {
            return new Object[] {e.getMessage(), null, null};
        }
        MpiBinding binding;
        try {
            binding = (MpiBinding) Class.forName(MpiBinding.FFM_CLASS, true, Mpi.class.getClassLoader())
                    .getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            return new Object[] {"transport-mpi's FFM classes (META-INF/versions/22) are missing or broken (" + e
                    + "): the jar was built without a JDK " + JAVA_FEATURE_NEEDED + "+; rebuild it with one (set PARAVM_JDK22 "
                    + "to its home), or use the openmpi transport", null, null};
        }
        try {
            return new Object[] {binding.probe(choice), binding, choice};
        } catch (RuntimeException | LinkageError e) {
            return new Object[] {"loading " + choice.library() + " failed: " + e, null, null};
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return Optional.ofNullable(System.getenv("HOSTNAME")).orElse("(unknown)");
        }
    }
}
