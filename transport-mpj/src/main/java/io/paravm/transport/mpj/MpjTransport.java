package io.paravm.transport.mpj;

import io.paravm.VmConfig;
import io.paravm.VmException;
import io.paravm.core.LocalRanks;
import io.paravm.core.PolledTransport;
import mpi.Intracomm;
import mpi.MPI;
import mpi.MPIException;
import mpi.Request;
import mpi.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Optional;

/**
 * Frames over MPJ Express's {@code COMM_WORLD}, one tag, bytes in {@code byte[]}s.
 *
 * <p>MPJ 0.44's {@code MPI.initThread} initialises nothing, so the engine is started with
 * {@code MPI.Init}; {@link PolledTransport} makes every engine call under one lock, waits
 * with back-off, and drains arriving frames while a send is pending. Receives poll with
 * {@code Iprobe}; the frame is then received with {@code Recv} from the probed source and
 * tag, which cannot take another frame because no other thread receives meanwhile.
 *
 * <p>Copies: a heap frame is sent from its own array; a direct one is copied once into a
 * reusable array (MPJ takes only arrays). Frames are received into a reusable array that
 * the returned {@link Frame} wraps.
 */
final class MpjTransport extends PolledTransport {

    private static final Logger LOG = LoggerFactory.getLogger(MpjTransport.class);
    private static final int TAG = MpjProperties.FRAME_TAG;
    private static final int MPJ_ARGS = 3; // rank, configuration, device name

    private final Intracomm world;
    private final String device;

    // Guarded by PolledTransport's engine lock (sendCopy: one sender at a time).
    private static final int RECEIVE_ARRAY_BYTES = 64 * 1024;
    private byte[] receiveArray = new byte[RECEIVE_ARRAY_BYTES];
    private ByteBuffer receiveView = ByteBuffer.wrap(receiveArray).order(ByteOrder.LITTLE_ENDIAN);
    private static final int SEND_COPY_BYTES = 64 * 1024;
    private byte[] sendCopy = new byte[SEND_COPY_BYTES];

    MpjTransport(VmConfig config) {
        super(config);
        String[] args = config.args();
        if (args.length < MPJ_ARGS) {
            throw new VmException("MPJ Express's arguments are missing: VmConfig.args() is " + Arrays.toString(args)
                    + ", but MPJ passes main [rank, configuration, device, user args...]; pass main's args "
                    + "unchanged to VmConfig.builder().args(args), and launch with: " + MpjProperties.LAUNCH_HINT);
        }
        device = args[2];
        try {
            String[] rest = MPI.Init(args);
            world = MPI.COMM_WORLD;
            joined(world.Rank(), world.Size(), MPI.Get_processor_name(),
                    rest != null ? rest : Arrays.copyOfRange(args, MPJ_ARGS, args.length), localRanks(world.Size()));
        } catch (RuntimeException e) {
            throw new VmException("MPJ Express failed to start on device " + device + " (MPI.Init with "
                    + Arrays.toString(Arrays.copyOf(args, MPJ_ARGS)) + "): " + e + "; is MPJ_HOME ("
                    + MpjHome.locate() + ") set up by scripts/install-mpj.sh, and was this started by: "
                    + MpjProperties.LAUNCH_HINT, e);
        }
        LOG.debug("MPJ rank {} of {} on {} ({})", rank(), size(), hostName(), device);
    }

    @Override
    public String name() {
        return "mpj";
    }

    /**
     * The doorbell's job when the ranks are threads of this JVM (multicore), where a frame sent is
     * in the receiver's queue when the send returns. Not on niodev, even with every rank on this
     * host: a frame crosses TCP and MPJ's reader thread, so it may show up well after the ring,
     * and a sleeper rung too early slept on it (a warm trivial spawn loop at -np 2 ran at 505
     * tasks/s against 7,274 polling; docs/waiting.md).
     */
    private Optional<LocalRanks> localRanks(int size) {
        if (ranksShareProcess()) return Optional.of(LocalRanks.ofJob("mpj " + ProcessHandle.current().pid(), size));
        return Optional.empty();
    }





    @Override
    public boolean ranksShareProcess() {
        return device.equals("smpdev") || device.equals("multicore");
    }

    @Override
    protected Pending startSend(int destination, ByteBuffer frame) throws MPIException {
        int n = frame.remaining();
        byte[] data;
        int offset;
        if (frame.hasArray()) {
            data = frame.array();
            offset = frame.arrayOffset() + frame.position();
        } else {
            // MPJ takes only arrays: copy a direct frame once.
            if (sendCopy.length < n) sendCopy = new byte[Math.max(n, 2 * sendCopy.length)];
            frame.get(frame.position(), sendCopy, 0, n);
            data = sendCopy;
            offset = 0;
        }
        Request request = world.Isend(data, offset, n, MPI.BYTE, destination, TAG);
        return () -> request.Test() != null;
    }

    @Override
    protected void shrinkBuffers() {
        if (receiveArray.length > RECEIVE_ARRAY_BYTES) {
            receiveArray = new byte[RECEIVE_ARRAY_BYTES];
            receiveView = ByteBuffer.wrap(receiveArray).order(ByteOrder.LITTLE_ENDIAN);
        }
        if (sendCopy.length > SEND_COPY_BYTES) sendCopy = new byte[SEND_COPY_BYTES];
    }

    @Override
    protected Frame pollEngine(int source, boolean keep) throws MPIException {
        Status status = world.Iprobe(source < 0 ? MPI.ANY_SOURCE : source, TAG);
        if (status == null) return null;
        int n = status.Get_count(MPI.BYTE);
        if (keep) {
            byte[] copy = new byte[n];
            world.Recv(copy, 0, n, MPI.BYTE, status.source, TAG);
            return new Frame(status.source, ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN));
        }
        if (receiveArray.length < n) {
            receiveArray = new byte[Math.max(n, 2 * receiveArray.length)];
            receiveView = ByteBuffer.wrap(receiveArray).order(ByteOrder.LITTLE_ENDIAN);
        }
        world.Recv(receiveArray, 0, n, MPI.BYTE, status.source, TAG);
        receiveView.clear().limit(n);
        return new Frame(status.source, receiveView);
    }

    @Override
    protected boolean probeEngine(int source) throws MPIException {
        return world.Iprobe(source < 0 ? MPI.ANY_SOURCE : source, TAG) != null;
    }

    @Override
    protected void closeEngine() {
        MPI.Finalize();
    }
}
