package io.paravm.transport.mpj;

/**
 * Whether MPJ Express can be used by this rank. Probed once per class loader (under the
 * multicore device every rank has its own); never throws while loading. Available when
 * MPJ's runtime started this JVM or thread: {@link MpjLauncher} sets
 * {@value MpjProperties#DEVICE_PROP_NAME}, and MPJ's own {@code MulticoreStarter} runs each
 * rank in a thread group of its smpdev device.
 *
 * <pre>{@code
 * if (!Mpj.isAvailable()) log.warn("not usable here: {}", Mpj.unavailabilityCause());
 * Mpj.ensureAvailability(); // throws with the cause
 * }</pre>
 */
public final class Mpj {

    private static final String SMPDEV_THREAD_GROUP = "xdev.smpdev.SMPDevProcess";
    private static final String UNAVAILABILITY_CAUSE = probe();

    private Mpj() {
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
        String device = System.getProperty(MpjProperties.DEVICE_PROP_NAME);
        ThreadGroup group = Thread.currentThread().getThreadGroup();
        boolean smpdevThread = group != null && group.getClass().getName().equals(SMPDEV_THREAD_GROUP);
        if (device == null && !smpdevThread) {
            return "this JVM was not started by MPJ Express (" + MpjProperties.DEVICE_PROP_NAME
                    + " is not set and this is no multicore rank thread); launch it with: " + MpjProperties.LAUNCH_HINT;
        }
        try {
            Class.forName("mpi.MPI", false, Mpj.class.getClassLoader());
            Class.forName("mpi.MPIException", false, Mpj.class.getClassLoader());
            return null;
        } catch (ClassNotFoundException | LinkageError e) {
            return "MPJ Express's classes (mpi.jar, mpiExp.jar; io.paravm.thirdparty.mpj:*) are not visible to "
                    + "the transport (" + e + "); run scripts/install-mpj.sh, depend on io.paravm:transport-mpj, "
                    + "and launch with: " + MpjProperties.LAUNCH_HINT;
        }
    }
}
