package io.paravm.transport.openmpi;

/**
 * Settings of the Open MPI transport ({@code paravm.openmpi.*}), read from the VM
 * configuration's properties or system properties.
 *
 * <pre>{@code
 * VmConfig.builder().property(OpenMpiProperties.THREAD_LEVEL_PROP_NAME, "single").build();
 * }</pre>
 */
public final class OpenMpiProperties {

    /**
     * The thread level asked of {@code MPI_Init_thread}: {@code multiple} or {@code single}.
     * The transport serialises engine calls either way; {@code multiple} lets any thread
     * make them.
     */
    public static final String THREAD_LEVEL_PROP_NAME = "paravm.openmpi.thread.level";
    /** Default of {@link #THREAD_LEVEL_PROP_NAME}. */
    public static final String THREAD_LEVEL_DEFAULT = "multiple";

    /** Where Debian installs {@code libmpi_java.so}; pass it as {@code -Djava.library.path}. */
    public static final String LIBRARY_DIR_DEFAULT = "/usr/lib/x86_64-linux-gnu/openmpi/lib";

    /** The MPI tag every ParaVM frame uses (frames carry their own kind). */
    static final int FRAME_TAG = 7;

    private OpenMpiProperties() {
    }
}
