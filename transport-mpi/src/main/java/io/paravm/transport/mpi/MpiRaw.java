package io.paravm.transport.mpi;

import io.paravm.VmException;

import java.nio.ByteBuffer;

/**
 * Blocking point-to-point calls on the {@code MPI_COMM_WORLD} that the {@code mpi} transport
 * started in this process, for a program that also talks MPI itself (the benchmarks' raw
 * figure is measured with it). Use a tag other than {@link MpiProperties#TAG_PROP_NAME}'s,
 * and start the ranks with {@code -Dparavm.mpi.thread.level=multiple}: ParaVM's own threads
 * call MPI meanwhile. Buffers are direct {@code ByteBuffer}s, passed to MPI in place.
 *
 * <pre>{@code
 * try (VirtualMachine vm = VirtualMachines.open(VmConfig.builder().transport("mpi")
 *         .property(MpiProperties.THREAD_LEVEL_PROP_NAME, "multiple").build())) {
 *     MpiRaw mpi = MpiRaw.ofThisProcess();
 *     ByteBuffer b = ByteBuffer.allocateDirect(8);
 *     mpi.send(b, 8, 1, 4242);
 * }
 * }</pre>
 */
public interface MpiRaw {

    /**
     * Returns the calls, once the {@code mpi} transport has started MPI in this process.
     *
     * @return the calls
     * @throws UnsatisfiedLinkError if the transport cannot run here, with the cause
     */
    static MpiRaw ofThisProcess() {
        Mpi.ensureAvailability();
        return Mpi.binding().raw(Mpi.choice());
    }

    /** Returns {@code MPI_Get_library_version}'s first line. */
    String libraryVersion();

    /**
     * {@code MPI_Send} of the first {@code count} bytes of {@code buffer} from its position.
     *
     * @param buffer      a direct buffer
     * @param count       bytes
     * @param destination a rank
     * @param tag         the tag
     * @throws VmException with MPI's error text if MPI fails
     */
    void send(ByteBuffer buffer, int count, int destination, int tag);

    /**
     * {@code MPI_Recv} into {@code buffer} from its position, at most {@code count} bytes.
     *
     * @param buffer a direct buffer
     * @param count  bytes at most
     * @param source a rank
     * @param tag    the tag
     * @return the bytes received
     * @throws VmException with MPI's error text if MPI fails
     */
    int receive(ByteBuffer buffer, int count, int source, int tag);
}
