package io.paravm.transport.mpi;

import io.paravm.VmException;

import java.util.function.Function;
import java.util.Optional;

/**
 * Settings of the {@code mpi} transport ({@code paravm.mpi.*}), read from the VM
 * configuration's properties or system properties.
 *
 * <pre>{@code
 * VmConfig.builder().property(MpiProperties.LIBRARY_PROP_NAME, "/opt/mpich/lib/libmpi.so.12").build();
 * }</pre>
 */
public final class MpiProperties {

    /**
     * The MPI implementation the rank's library is: {@code openmpi} or {@code mpich}. Default:
     * the one whose {@code mpirun} started the rank ({@code OMPI_COMM_WORLD_SIZE} set: Open MPI;
     * {@code PMI_RANK}: MPICH's hydra). Naming another than the one that started the rank is
     * an error: the ranks would each start alone and all call themselves the spawner.
     */
    public static final String IMPLEMENTATION_PROP_NAME = "paravm.mpi.implementation";

    /**
     * The MPI library to load, a file or a soname; the environment variable
     * {@value #LIBRARY_ENV_NAME} is read when it is unset. Default: the implementation's soname
     * ({@code libmpi.so.40} for Open MPI, {@code libmpich.so.12} for MPICH), found where the
     * system's loader looks.
     */
    public static final String LIBRARY_PROP_NAME = "paravm.mpi.library";
    /** The environment variable read when {@link #LIBRARY_PROP_NAME} is unset. */
    public static final String LIBRARY_ENV_NAME = "PARAVM_MPI_LIBRARY";

    /**
     * The MPI tag every ParaVM frame uses on {@code MPI_COMM_WORLD}, so a program that also
     * calls MPI itself can keep clear of it. 0 to the implementation's {@code MPI_TAG_UB}
     * (at least 32767).
     */
    public static final String TAG_PROP_NAME = "paravm.mpi.tag";
    /** Default of {@link #TAG_PROP_NAME}. */
    public static final int TAG_DEFAULT = 7;

    /**
     * Frames up to this many bytes are sent with one blocking {@code MPI_Send}; larger ones by
     * {@code MPI_Isend} while this rank drains what arrives (two ranks sending large frames to
     * each other cannot deadlock). Keep it at or below the smallest eager limit of the
     * implementation's transports in use; 0 sends every frame by {@code MPI_Isend}.
     */
    public static final String EAGER_BYTES_PROP_NAME = "paravm.mpi.eager.bytes";
    /** Default of {@link #EAGER_BYTES_PROP_NAME}: 4000 bytes, under Open MPI's shared memory 4 KiB with headers. */
    public static final int EAGER_BYTES_DEFAULT = 4000;

    /**
     * The thread level asked of {@code MPI_Init_thread}: {@code serialized} (ParaVM makes one
     * engine call at a time, from whichever thread) or {@code multiple}, which your program
     * needs if it calls MPI itself ({@link MpiRaw}) while ParaVM runs: ParaVM's threads call
     * MPI meanwhile (a rank drains the engine while its task computes).
     */
    public static final String THREAD_LEVEL_PROP_NAME = "paravm.mpi.thread.level";
    /** Default of {@link #THREAD_LEVEL_PROP_NAME}. */
    public static final String THREAD_LEVEL_DEFAULT = "serialized";

    private MpiProperties() {
    }

    /**
     * Reads an int setting.
     *
     * @param settings where settings are read
     * @param name     the setting
     * @param def      its default
     * @param min      its least value
     * @return its value
     * @throws VmException naming the setting and the valid range if it is not such an int
     */
    static int intSetting(Function<String, Optional<String>> settings, String name, int def, int min) {
        Optional<String> v = settings.apply(name);
        if (v.isEmpty()) return def;
        try {
            int n = Integer.parseInt(v.get().trim());
            if (n >= min) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new VmException(name + "=" + v.get() + " is not a whole number of at least " + min + "; leave it out for "
                + "the default, " + def);
    }
}
