package io.paravm.transport.openmpi;

/**
 * Whether Open MPI's Java bindings can be used by this process. Probed once, on first
 * use; never throws while loading. Available when the process was started by
 * {@code mpirun} and {@code libmpi_java} loads.
 *
 * <pre>{@code
 * if (!OpenMpi.isAvailable()) log.warn("not usable here: {}", OpenMpi.unavailabilityCause());
 * OpenMpi.ensureAvailability(); // throws with the cause
 * }</pre>
 */
public final class OpenMpi {

    private static final String UNAVAILABILITY_CAUSE = probe();

    private OpenMpi() {
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
        if (System.getenv("OMPI_COMM_WORLD_SIZE") == null) {
            return "this process was not started by Open MPI's mpirun (OMPI_COMM_WORLD_SIZE is not set); launch it "
                    + "with: mpirun.openmpi -np N java -cp CLASSPATH -Djava.library.path=" + OpenMpiProperties.LIBRARY_DIR_DEFAULT
                    + " MAIN (add --oversubscribe past the number of cores; as root, set OMPI_ALLOW_RUN_AS_ROOT=1 "
                    + "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1)";
        }
        try {
            Class.forName("mpi.MPI", true, OpenMpi.class.getClassLoader());
            return null;
        } catch (ClassNotFoundException | NoClassDefFoundError e) {
            return "Open MPI's Java classes (mpi.jar, org.open-mpi:mpi) are not on the class path; run "
                    + "scripts/install-openmpi-java.sh and depend on io.paravm:transport-openmpi";
        } catch (UnsatisfiedLinkError e) {
            return "libmpi_java could not be loaded (" + e.getMessage() + "); install openmpi-bin and "
                    + "libopenmpi-dev (scripts/install-openmpi-java.sh) and pass -Djava.library.path="
                    + OpenMpiProperties.LIBRARY_DIR_DEFAULT + " (java.library.path is now "
                    + System.getProperty("java.library.path") + ")";
        } catch (LinkageError | RuntimeException e) {
            return "Open MPI's Java bindings failed to initialise: " + e;
        }
    }
}
