package io.paravm.transport.openmpi;

import io.paravm.VmConfig;
import io.paravm.VmException;
import io.paravm.core.LocalRanks;
import io.paravm.core.PolledTransport;
import mpi.Comm;
import mpi.MPI;
import mpi.MPIException;
import mpi.Message;
import mpi.Request;
import mpi.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * Frames over {@code MPI_COMM_WORLD}, one tag, bytes in direct buffers. The locking,
 * waiting and draining are {@link PolledTransport}'s: two Java threads inside Open MPI at
 * once were measured 300x slower here than one at a time. Receives use
 * {@code MPI_Improbe}/{@code MPI_Mrecv} (a matched probe, so a frame of any size is
 * received into a buffer sized from the probe); small frames are sent with {@code MPI_Send},
 * larger ones with {@code MPI_Isend}, from the frame's direct buffer
 * ({@link OpenMpiProperties#EAGER_BYTES_PROP_NAME}).
 */
final class OpenMpiTransport extends PolledTransport {

    private static final Logger LOG = LoggerFactory.getLogger(OpenMpiTransport.class);
    private static final int TAG = OpenMpiProperties.FRAME_TAG;

    private static final Pending SENT = () -> true;

    private final Comm world;

    // Guarded by PolledTransport's engine lock.
    private final Message probeHandle = new Message(); // reused: one per probe was a third of the receive garbage
    private static final int RECEIVE_BUFFER_BYTES = 64 * 1024;
    private ByteBuffer receiveBuffer = MPI.newByteBuffer(RECEIVE_BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private ByteBuffer sendCopy = MPI.newByteBuffer(0);
    private final int eagerBytes;

    OpenMpiTransport(VmConfig config) {
        super(config);
        eagerBytes = config.property(OpenMpiProperties.EAGER_BYTES_PROP_NAME).map(v -> {
            try {
                return Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw new VmException(OpenMpiProperties.EAGER_BYTES_PROP_NAME + "=" + v + " is not a number of bytes; "
                        + "use 0 to " + OpenMpiProperties.EAGER_BYTES_DEFAULT + " (the default)");
            }
        }).orElse(OpenMpiProperties.EAGER_BYTES_DEFAULT);
        if (eagerBytes < 0) {
            throw new VmException(OpenMpiProperties.EAGER_BYTES_PROP_NAME + "=" + eagerBytes + " is negative; use 0 to "
                    + "send every frame with MPI_Isend, or a size at or below the BTLs' eager limit");
        }
        try {
            String level = config.property(OpenMpiProperties.THREAD_LEVEL_PROP_NAME)
                    .orElse(OpenMpiProperties.THREAD_LEVEL_DEFAULT).toLowerCase(Locale.ROOT);
            String[] args = config.args();
            String[] userArgs;
            if (level.equals("single")) {
                userArgs = MPI.Init(args);
            } else if (level.equals("serialized") || level.equals("multiple")) {
                int asked = level.equals("multiple") ? MPI.THREAD_MULTIPLE : MPI.THREAD_SERIALIZED;
                int provided = MPI.InitThread(args, asked);
                if (provided < asked) {
                    LOG.debug("Open MPI provides thread level {} (asked {}); engine calls are serialised anyway", provided, level);
                }
                userArgs = args;
            } else {
                throw new VmException(OpenMpiProperties.THREAD_LEVEL_PROP_NAME + "=" + level
                        + " is not a thread level; use 'serialized' (the default), 'multiple' or 'single'");
            }
            world = MPI.COMM_WORLD;
            joined(world.getRank(), world.getSize(), MPI.getProcessorName(), userArgs, LocalRanks.fromLauncher(System.getenv()));
        } catch (MPIException e) {
            throw new VmException("MPI_Init failed: " + e.getMessage() + "; is this process started by mpirun?", e);
        }
    }

    @Override
    public String name() {
        return "openmpi";
    }

    @Override
    protected Pending startSend(int destination, ByteBuffer frame) throws MPIException {
        int n = frame.remaining();
        ByteBuffer out = frame;
        if (!frame.isDirect() || frame.position() != 0) {
            // The bindings send a direct buffer from its start: copy anything else once.
            if (sendCopy.capacity() < n) sendCopy = MPI.newByteBuffer(Math.max(n, 2 * sendCopy.capacity()));
            sendCopy.clear();
            sendCopy.put(frame.duplicate()).flip();
            out = sendCopy;
        }
        if (n <= eagerBytes) {
            // Eager: MPI_Send returns once the bytes are buffered, whether or not the receiver polls.
            world.send(out, n, MPI.BYTE, destination, TAG);
            return SENT;
        }
        Request request = world.iSend(out, n, MPI.BYTE, destination, TAG);
        return () -> {
            if (!request.test()) return false;
            request.free();
            return true;
        };
    }

    @Override
    protected void shrinkBuffers() {
        if (receiveBuffer.capacity() > RECEIVE_BUFFER_BYTES) {
            receiveBuffer = MPI.newByteBuffer(RECEIVE_BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        }
        if (sendCopy.capacity() > 0) sendCopy = MPI.newByteBuffer(0);
    }

    @Override
    protected Frame pollEngine(int source, boolean keep) throws MPIException {
        Status status = probeHandle.imProbe(source < 0 ? MPI.ANY_SOURCE : source, TAG, world);
        if (status == null) return null;
        int n = status.getCount(MPI.BYTE);
        ByteBuffer into = receiveBuffer;
        if (keep) {
            into = MPI.newByteBuffer(n).order(ByteOrder.LITTLE_ENDIAN);
        } else if (into.capacity() < n) {
            into = receiveBuffer = MPI.newByteBuffer(Math.max(n, 2 * into.capacity())).order(ByteOrder.LITTLE_ENDIAN);
        }
        probeHandle.mRecv(into, n, MPI.BYTE);
        into.clear().limit(n);
        return new Frame(status.getSource(), into);
    }

    @Override
    protected boolean probeEngine(int source) throws MPIException {
        return world.iProbe(source < 0 ? MPI.ANY_SOURCE : source, TAG) != null;
    }

    @Override
    protected void closeEngine() throws MPIException {
        if (!MPI.isFinalized()) MPI.Finalize();
    }
}
