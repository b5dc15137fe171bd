package io.paravm.transport.mpi;

import io.paravm.VmConfig;
import io.paravm.VmException;
import io.paravm.spi.Transport;

/**
 * The FFM half of the transport (Java 22+, {@code META-INF/versions/22}): loads the MPI
 * library and opens {@link MpiTransport}s over it.
 *
 * <pre>{@code
 * MpiBinding ffm = new FfmMpiBinding();
 * String cause = ffm.probe(choice); // null: the library is the MPI that started this rank
 * }</pre>
 */
final class FfmMpiBinding implements MpiBinding {

    @Override
    public String probe(MpiChoice choice) {
        MpiLibrary library;
        try {
            library = MpiLibrary.load(choice);
        } catch (VmException e) {
            return e.getMessage();
        }
        String version = library.libraryVersion();
        MpiAbi actual = MpiAbi.ofLibraryVersion(version).orElse(null);
        if (actual == null) {
            return choice.library() + " is an MPI this transport does not know (MPI_Get_library_version: "
                    + firstLine(version) + "); it knows " + MpiAbi.KNOWN.stream().map(MpiAbi::displayName).toList()
                    + "; name one of their libraries with -D" + MpiProperties.LIBRARY_PROP_NAME + "=FILE";
        }
        if (actual != choice.abi()) {
            return choice.library() + " is " + actual.displayName() + "'s library, but this rank was started by "
                    + choice.abi().displayName() + "'s mpirun (" + choice.abi().launcherVariable() + " is set): every rank "
                    + "would start alone and call itself the spawner; start the job with " + actual.mpirun()
                    + ", or name " + choice.abi().displayName() + "'s library (" + choice.abi().soname() + ") with -D"
                    + MpiProperties.LIBRARY_PROP_NAME;
        }
        return null;
    }

    @Override
    public Transport open(VmConfig config, MpiChoice choice) {
        return new MpiTransport(config, choice);
    }

    @Override
    public MpiRaw raw(MpiChoice choice) {
        MpiLibrary mpi = MpiLibrary.load(choice); // the same library, already started: MPI's state is the library's
        java.lang.foreign.MemorySegment status = java.lang.foreign.Arena.ofAuto().allocate(choice.abi().statusBytes(), 8);
        java.lang.foreign.MemorySegment count = java.lang.foreign.Arena.ofAuto().allocate(4, 4);
        return new MpiRaw() {
            @Override
            public String libraryVersion() {
                return firstLine(mpi.libraryVersion());
            }

            @Override
            public void send(java.nio.ByteBuffer buffer, int n, int destination, int tag) {
                mpi.send(java.lang.foreign.MemorySegment.ofBuffer(buffer), n, destination, tag);
            }

            @Override
            public int receive(java.nio.ByteBuffer buffer, int n, int source, int tag) {
                synchronized (status) {
                    mpi.recv(java.lang.foreign.MemorySegment.ofBuffer(buffer), n, source, tag, status);
                    return mpi.byteCount(status, count);
                }
            }
        };
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
