package io.paravm.transport.mpi;

import io.paravm.VmConfig;
import io.paravm.spi.Transport;

/**
 * The FFM half of the transport, compiled for Java 22 into the jar's
 * {@code META-INF/versions/22}: this interface, at Java 17, is how the rest of the module
 * reaches it without loading it on an older JVM.
 *
 * <pre>{@code
 * MpiBinding ffm = (MpiBinding) Class.forName(MpiBinding.FFM_CLASS).getDeclaredConstructor().newInstance();
 * String cause = ffm.probe(choice);
 * }</pre>
 */
interface MpiBinding {

    /** The class implementing this interface in {@code META-INF/versions/22}. */
    String FFM_CLASS = "io.paravm.transport.mpi.FfmMpiBinding";

    /**
     * Loads the chosen library (without starting MPI) and checks it is the chosen implementation.
     *
     * @param choice the implementation and library
     * @return why it cannot be used, naming what to do, or {@code null}
     */
    String probe(MpiChoice choice);

    /**
     * Starts MPI on this rank.
     *
     * @param config the VM's configuration
     * @param choice the implementation and library, as {@link #probe} accepted them
     * @return the transport
     */
    Transport open(VmConfig config, MpiChoice choice);

    /**
     * Raw calls on the library the transport started.
     *
     * @param choice the implementation and library
     * @return the calls
     */
    MpiRaw raw(MpiChoice choice);
}
