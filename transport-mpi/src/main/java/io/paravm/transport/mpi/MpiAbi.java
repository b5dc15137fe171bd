package io.paravm.transport.mpi;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the FFM code needs to know about one MPI implementation's binary interface: its
 * library, how its handles look, the constants it uses and the layout of its
 * {@code MPI_Status}. Adding an implementation (Intel MPI, the MPI-5 standard ABI) is adding
 * one constant here. Each value is checked against the installed {@code mpi.h} by a test.
 *
 * <pre>{@code
 * MpiAbi abi = MpiAbi.OPEN_MPI;
 * String soname = abi.soname();                     // libmpi.so.40
 * MpiAbi.Handle world = abi.commWorld();            // the address of ompi_mpi_comm_world
 * }</pre>
 *
 * @param name             the implementation's name, as {@code paravm.mpi.implementation} and {@code --mpi} take it
 * @param displayName      its name for people, e.g. {@code Open MPI}
 * @param soname           the library loaded by default (by soname, never the alternatives' {@code libmpi.so})
 * @param versionPrefix    how {@code MPI_Get_library_version}'s text starts for this implementation
 * @param pointerHandles   whether handles ({@code MPI_Comm}, {@code MPI_Datatype}, ...) are pointers; else {@code int}s
 * @param commWorld        {@code MPI_COMM_WORLD}
 * @param byteType         {@code MPI_BYTE}
 * @param errorsReturn     {@code MPI_ERRORS_RETURN}
 * @param anySource        {@code MPI_ANY_SOURCE}
 * @param threadSerialized {@code MPI_THREAD_SERIALIZED} ({@code MPI_THREAD_MULTIPLE} is one more in both)
 * @param statusBytes      {@code sizeof(MPI_Status)}
 * @param statusSource     the offset of {@code MPI_SOURCE} in {@code MPI_Status}
 * @param statusTag        the offset of {@code MPI_TAG}
 * @param statusError      the offset of {@code MPI_ERROR}
 * @param statusCount      the offset of the received byte count in {@code MPI_Status}, what
 *                         {@code MPI_Get_count} with {@code MPI_BYTE} returns
 * @param statusCountSplit false: the count is one {@code size_t} (Open MPI's {@code _ucount});
 *                         true: an {@code int} of its low 32 bits, then an {@code int} holding its
 *                         high bits above the cancelled bit (MPICH's {@code count_lo},
 *                         {@code count_hi_and_cancelled})
 * @param maxErrorString   {@code MPI_MAX_ERROR_STRING}
 * @param maxProcessorName {@code MPI_MAX_PROCESSOR_NAME}
 * @param launcherVariable an environment variable only this implementation's {@code mpirun} sets in a rank
 * @param mpirun           this implementation's own {@code mpirun}, named so the alternatives' choice does not matter
 * @param mpicc            its compiler wrapper (the benchmarks' C ping-pong)
 * @param versionCommand   a command printing its version without loading it in a JVM
 */
public record MpiAbi(String name, String displayName, String soname, String versionPrefix, boolean pointerHandles,
                     Handle commWorld, Handle byteType, Handle errorsReturn, int anySource, int threadSerialized,
                     int statusBytes, int statusSource, int statusTag, int statusError, int statusCount,
                     boolean statusCountSplit, int maxErrorString,
                     int maxProcessorName, String launcherVariable, String mpirun, String mpicc,
                     List<String> versionCommand) {

    /**
     * A predefined handle: the address of a global symbol of the library (Open MPI), or an
     * integer constant (MPICH).
     *
     * @param symbol the symbol whose address is the handle, or {@code null}
     * @param value  the handle's value when {@code symbol} is {@code null}
     */
    public record Handle(String symbol, long value) {
        static Handle symbol(String symbol) {
            return new Handle(Objects.requireNonNull(symbol), 0);
        }

        static Handle value(long value) {
            return new Handle(null, value);
        }
    }

    /** Open MPI 4.x ({@code /usr/lib/x86_64-linux-gnu/openmpi/include/mpi.h}). */
    public static final MpiAbi OPEN_MPI = new MpiAbi("openmpi", "Open MPI", "libmpi.so.40", "Open MPI", true,
            Handle.symbol("ompi_mpi_comm_world"), Handle.symbol("ompi_mpi_byte"), Handle.symbol("ompi_mpi_errors_return"),
            -1, 2,
            24, 0, 4, 8, 16, false, // struct ompi_status_public_t { int MPI_SOURCE, MPI_TAG, MPI_ERROR, _cancelled; size_t _ucount; }
            256, 256, "OMPI_COMM_WORLD_SIZE", "mpirun.openmpi", "mpicc.openmpi", List.of("ompi_info", "--version"));

    /** MPICH 4.x ({@code /usr/include/x86_64-linux-gnu/mpich/mpi.h}). */
    public static final MpiAbi MPICH = new MpiAbi("mpich", "MPICH", "libmpich.so.12", "MPICH", false,
            Handle.value(0x44000000), Handle.value(0x4c00010d), Handle.value(0x54000001),
            -2, 2,
            20, 8, 12, 16, 0, true, // struct MPI_Status { int count_lo, count_hi_and_cancelled, MPI_SOURCE, MPI_TAG, MPI_ERROR; }
            512, 128, "PMI_RANK", "mpirun.mpich", "mpicc.mpich", List.of("mpichversion"));

    /** Every implementation this transport knows, in the order they are tried. */
    public static final List<MpiAbi> KNOWN = List.of(OPEN_MPI, MPICH);

    /**
     * Returns the implementation called {@code name}.
     *
     * @param name {@code openmpi} or {@code mpich}
     * @return it, or empty
     */
    public static Optional<MpiAbi> named(String name) {
        return KNOWN.stream().filter(a -> a.name.equalsIgnoreCase(name.trim())).findFirst();
    }

    /**
     * Returns the implementation whose {@code mpirun} started this process, read from the
     * environment it gave the rank; empty when none did.
     *
     * @param env the process's environment
     * @return the implementation, or empty
     */
    public static Optional<MpiAbi> startedBy(Map<String, String> env) {
        return KNOWN.stream().filter(a -> env.containsKey(a.launcherVariable)).findFirst();
    }

    /**
     * Returns the implementation whose {@code MPI_Get_library_version} text this is.
     *
     * @param libraryVersion the text
     * @return the implementation, or empty for one this transport does not know
     */
    public static Optional<MpiAbi> ofLibraryVersion(String libraryVersion) {
        String v = libraryVersion.trim();
        return KNOWN.stream().filter(a -> v.startsWith(a.versionPrefix)).findFirst();
    }
}
