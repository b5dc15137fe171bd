package io.paravm.transport.mpi;

import io.paravm.VmConfig;
import io.paravm.VmException;
import io.paravm.core.LocalRanks;
import io.paravm.core.PolledTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Frames over {@code MPI_COMM_WORLD} of any C MPI library, called through FFM. The locking,
 * waiting and draining are {@link PolledTransport}'s. Receives are {@code MPI_Improbe} then
 * {@code MPI_Mrecv}, both critical calls (neither waits on a peer: the first polls, the second
 * copies a message already matched), the byte count read from the status as the
 * implementation's table lays it out: two calls into the library per frame, as few as a
 * receive with a probe can make. A frame that must outlive the next receive goes straight into
 * a new {@code byte[]}, the others into one reused off-heap buffer. Frames up to
 * {@link MpiProperties#EAGER_BYTES_PROP_NAME} go by {@code MPI_Send}, larger ones by
 * {@code MPI_Isend}, from the frame's own direct buffer (a heap frame is copied once into a
 * reused off-heap one: a non-blocking call never gets a heap array).
 */
final class MpiTransport extends PolledTransport {

    private static final Logger LOG = LoggerFactory.getLogger(MpiTransport.class);
    private static final int RECEIVE_BUFFER_BYTES = 64 * 1024;
    private static final Pending SENT = () -> true;

    private final MpiLibrary mpi;
    private final int tag;
    private final int eagerBytes;
    private final int anySource;

    // Guarded by PolledTransport's engine lock (sendCopy: by its one-sender lock).
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment flag;
    private final MemorySegment message;
    private final MemorySegment request;
    private final MemorySegment status;
    private final MemorySegment sendStatus;
    private ByteBuffer receiveBuffer = newDirect(RECEIVE_BUFFER_BYTES);
    private MemorySegment receiveSegment = MemorySegment.ofBuffer(receiveBuffer);
    private ByteBuffer sendCopy = newDirect(0);

    MpiTransport(VmConfig config, MpiChoice choice) {
        super(config);
        tag = MpiProperties.intSetting(config::property, MpiProperties.TAG_PROP_NAME, MpiProperties.TAG_DEFAULT, Integer.MIN_VALUE);
        eagerBytes = MpiProperties.intSetting(config::property, MpiProperties.EAGER_BYTES_PROP_NAME,
                MpiProperties.EAGER_BYTES_DEFAULT, 0);
        mpi = MpiLibrary.load(choice);
        MpiAbi abi = mpi.abi();
        anySource = abi.anySource();
        flag = arena.allocate(JAVA_INT);
        message = arena.allocate(8, 8); // an MPI_Message: a pointer (Open MPI) or an int (MPICH)
        request = arena.allocate(8, 8); // an MPI_Request, likewise
        status = arena.allocate(abi.statusBytes(), 8);
        sendStatus = arena.allocate(abi.statusBytes(), 8);
        String level = config.property(MpiProperties.THREAD_LEVEL_PROP_NAME).orElse(MpiProperties.THREAD_LEVEL_DEFAULT)
                .trim().toLowerCase(java.util.Locale.ROOT);
        if (!level.equals("serialized") && !level.equals("multiple")) {
            throw new VmException(MpiProperties.THREAD_LEVEL_PROP_NAME + "=" + level + " is not a thread level this "
                    + "transport asks for; use 'serialized' (the default) or 'multiple'");
        }
        int asked = level.equals("multiple") ? abi.threadSerialized() + 1 : abi.threadSerialized();
        int provided = mpi.initThread(asked);
        // From here on errors come back as codes (the default handler aborts the job first).
        mpi.errorsReturn();
        if (provided < asked) {
            mpi.finalizeMpi(); // leave MPI as found: a rank that exits without MPI_Finalize makes mpirun report a failure
            throw new VmException(abi.displayName() + "'s MPI_Init_thread provides thread level " + provided + ", below the "
                    + level + " level asked (" + asked + "; ParaVM needs serialized: one call at a time, from any thread); "
                    + "use an MPI built with thread support");
        }
        LOG.debug("{} ({}) started, thread level {}", abi.displayName(), choice.library(), provided);
        joined(mpi.rank(), mpi.size(), mpi.processorName(), config.args(), LocalRanks.fromLauncher(System.getenv()));
    }

    private static ByteBuffer newDirect(int bytes) {
        return ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public String name() {
        return MpiTransportProvider.NAME;
    }

    @Override
    protected Pending startSend(int destination, ByteBuffer frame) {
        int n = frame.remaining();
        ByteBuffer out = frame;
        if (!frame.isDirect()) {
            if (sendCopy.capacity() < n) sendCopy = newDirect(Math.max(n, 2 * sendCopy.capacity()));
            sendCopy.clear();
            sendCopy.put(frame.duplicate()).flip();
            out = sendCopy;
        }
        MemorySegment bytes = MemorySegment.ofBuffer(out);
        if (n <= eagerBytes) {
            // Eager: MPI_Send returns once the bytes are buffered, whether or not the receiver polls.
            mpi.send(bytes, n, destination, tag);
            return SENT;
        }
        mpi.isend(bytes, n, destination, tag, request);
        return () -> mpi.test(request, flag, sendStatus);
    }

    @Override
    protected Frame pollEngine(int source, boolean keep) {
        if (!mpi.improbe(source < 0 ? anySource : source, tag, flag, message, status)) return null;
        int n = mpi.statusByteCount(status);
        int from = mpi.statusSource(status);
        if (keep) {
            byte[] into = new byte[n];
            mpi.mrecv(MemorySegment.ofArray(into), n, message, status);
            return new Frame(from, ByteBuffer.wrap(into).order(ByteOrder.LITTLE_ENDIAN));
        }
        if (receiveBuffer.capacity() < n) {
            receiveBuffer = newDirect(Math.max(n, 2 * receiveBuffer.capacity()));
            receiveSegment = MemorySegment.ofBuffer(receiveBuffer);
        }
        mpi.mrecv(receiveSegment, n, message, status); // matched: a copy, never a wait on a peer
        receiveBuffer.clear().limit(n);
        return new Frame(from, receiveBuffer);
    }

    @Override
    protected boolean probeEngine(int source) {
        return mpi.iprobe(source < 0 ? anySource : source, tag, flag, status);
    }

    @Override
    protected void shrinkBuffers() {
        if (receiveBuffer.capacity() > RECEIVE_BUFFER_BYTES) {
            receiveBuffer = newDirect(RECEIVE_BUFFER_BYTES);
            receiveSegment = MemorySegment.ofBuffer(receiveBuffer);
        }
        if (sendCopy.capacity() > 0) sendCopy = newDirect(0);
    }

    @Override
    protected void closeEngine() {
        if (!mpi.isFinalized()) mpi.finalizeMpi();
    }
}
