package io.paravm.transport.openmpi;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

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
     * The thread level asked of {@code MPI_Init_thread}: {@code serialized}, {@code multiple}
     * or {@code single}. The transport makes one engine call at a time, from whichever
     * thread, which is exactly {@code MPI_THREAD_SERIALIZED}; ask {@code multiple} only if
     * your own code calls MPI from other threads while ParaVM runs (Open MPI then locks
     * inside every call, which costs about 0.03 µs per call here).
     */
    public static final String THREAD_LEVEL_PROP_NAME = "paravm.openmpi.thread.level";
    /** Default of {@link #THREAD_LEVEL_PROP_NAME}. */
    public static final String THREAD_LEVEL_DEFAULT = "serialized";

    /**
     * Frames up to this many bytes are sent with a blocking {@code MPI_Send}, one call into
     * the engine instead of {@code MPI_Isend}, {@code MPI_Test} and a free. Safe only while
     * such a send completes without the receiver: keep it at or below the smallest eager
     * limit of the BTLs in use (shared memory {@code btl_vader_eager_limit} is 4 KiB, TCP
     * 64 KiB). Larger frames go by {@code MPI_Isend}, and this rank drains what arrives
     * meanwhile, so two ranks sending large frames to each other cannot deadlock. 0 sends
     * every frame that way.
     */
    public static final String EAGER_BYTES_PROP_NAME = "paravm.openmpi.eager.bytes";
    /** Default of {@link #EAGER_BYTES_PROP_NAME}: 4000 bytes, under vader's 4 KiB with its headers. */
    public static final int EAGER_BYTES_DEFAULT = 4000;

    /** Where Debian installs {@code libmpi_java.so}; pass it as {@code -Djava.library.path}. */
    public static final String LIBRARY_DIR_DEFAULT = "/usr/lib/x86_64-linux-gnu/openmpi/lib";

    /**
     * Where Linux distributions put {@code libmpi_java.so}, Debian's first (what
     * {@code scripts/install-openmpi-java.sh} uses): the folders {@link #libraryDir()} looks in.
     */
    public static final List<String> LIBRARY_DIRS = List.of(LIBRARY_DIR_DEFAULT, "/usr/lib/aarch64-linux-gnu/openmpi/lib",
            "/usr/lib64/openmpi/lib", "/usr/lib/openmpi/lib", "/usr/local/lib", "/opt/openmpi/lib");

    /**
     * The directory holding {@code libmpi_java.so}, which the launch recipe passes to every
     * rank as {@code -Djava.library.path}; the environment variable
     * {@value #LIBRARY_DIR_ENV_NAME} is read when it is unset. Default: the first of
     * {@link #LIBRARY_DIRS} that holds the library.
     */
    public static final String LIBRARY_DIR_PROP_NAME = "paravm.openmpi.libdir";
    /** The environment variable read when {@link #LIBRARY_DIR_PROP_NAME} is unset. */
    public static final String LIBRARY_DIR_ENV_NAME = "PARAVM_OPENMPI_LIBDIR";

    /** The file name of Open MPI's Java bindings' native library. */
    static final String JAVA_BINDINGS_LIBRARY = "libmpi_java.so";

    /** The MPI tag every ParaVM frame uses (frames carry their own kind). */
    static final int FRAME_TAG = 7;

    private OpenMpiProperties() {
    }

    /**
     * Returns the directory of {@code libmpi_java.so}: the one {@link #LIBRARY_DIR_PROP_NAME}
     * or {@value #LIBRARY_DIR_ENV_NAME} names (whether or not the library is there), else
     * the first of {@link #LIBRARY_DIRS} holding it, else none.
     */
    static Optional<Path> libraryDir() {
        String named = System.getProperty(LIBRARY_DIR_PROP_NAME, System.getenv(LIBRARY_DIR_ENV_NAME));
        if (named != null && !named.isBlank()) return Optional.of(Path.of(named));
        return LIBRARY_DIRS.stream().map(Path::of).filter(OpenMpiProperties::holdsJavaBindings).findFirst();
    }

    /** Returns whether {@code dir} holds {@code libmpi_java.so}. */
    static boolean holdsJavaBindings(Path dir) {
        return Files.exists(dir.resolve(JAVA_BINDINGS_LIBRARY));
    }
}
