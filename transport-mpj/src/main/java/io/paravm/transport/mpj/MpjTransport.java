package io.paravm.transport.mpj;

import io.paravm.VmConfig;
import io.paravm.VmException;
import io.paravm.core.Backoff;
import io.paravm.spi.Transport;
import mpi.Intracomm;
import mpi.MPI;
import mpi.MPIException;
import mpi.Request;
import mpi.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Frames over MPJ Express's {@code COMM_WORLD}, one tag, bytes in {@code byte[]}s.
 *
 * <p>MPJ 0.44's {@code MPI.initThread} initialises nothing, so the engine is started with
 * {@code MPI.Init} and every engine call is made under {@link #engine}, one thread at a
 * time. Receives poll with {@code Iprobe}; the frame is then received with {@code Recv}
 * from the probed source and tag, which cannot take another frame because no other thread
 * receives meanwhile; idle waits back off ({@link Backoff}) with the lock released. Sends
 * are {@code Isend}; while one waits to complete, arriving frames are drained into
 * {@link #backlog}, so two ranks sending large frames to each other cannot deadlock.
 *
 * <p>Copies: a heap frame is sent from its own array; a direct one is copied once into a
 * reusable array (MPJ takes only arrays). Frames are received into a reusable array that
 * the returned {@link Frame} wraps.
 */
final class MpjTransport implements Transport {

    private static final Logger LOG = LoggerFactory.getLogger(MpjTransport.class);
    private static final int TAG = MpjProperties.FRAME_TAG;
    private static final int MPJ_ARGS = 3; // rank, configuration, device name

    private final ReentrantLock engine = new ReentrantLock();
    private final ReentrantLock sending = new ReentrantLock();
    private final Intracomm world;
    private final int rank;
    private final int size;
    private final String host;
    private final String device;
    private final String[] userArgs;

    private byte[] receiveArray = new byte[64 * 1024];
    private ByteBuffer receiveView = ByteBuffer.wrap(receiveArray).order(ByteOrder.LITTLE_ENDIAN);
    private byte[] sendCopy = new byte[64 * 1024];                      // guarded by sending
    /** Frames drained while a send waited; guarded by {@link #engine}. */
    private final ArrayDeque<Frame> backlog = new ArrayDeque<>();
    private volatile boolean wakeup;
    private volatile boolean closed;

    MpjTransport(VmConfig config) {
        String[] args = config.args();
        if (args.length < MPJ_ARGS) {
            throw new VmException("MPJ Express's arguments are missing: VmConfig.args() is " + Arrays.toString(args)
                    + ", but MPJ passes main [rank, configuration, device, user args...]; pass main's args "
                    + "unchanged to VmConfig.builder().args(args), and launch with: " + MpjProperties.LAUNCH_HINT);
        }
        device = args[2];
        try {
            String[] rest = MPI.Init(args);
            userArgs = rest != null ? rest : Arrays.copyOfRange(args, MPJ_ARGS, args.length);
            world = MPI.COMM_WORLD;
            rank = world.Rank();
            size = world.Size();
            host = MPI.Get_processor_name();
        } catch (RuntimeException e) {
            throw new VmException("MPJ Express failed to start on device " + device + " (MPI.Init with "
                    + Arrays.toString(Arrays.copyOf(args, MPJ_ARGS)) + "): " + e + "; is MPJ_HOME ("
                    + MpjProperties.home() + ") set up by scripts/install-mpj.sh, and was this started by: "
                    + MpjProperties.LAUNCH_HINT, e);
        }
        LOG.debug("MPJ rank {} of {} on {} ({})", rank, size, host, device);
    }

    @Override
    public String name() {
        return "mpj";
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public String hostName() {
        return host;
    }

    @Override
    public String[] userArgs() {
        return userArgs.clone();
    }

    @Override
    public boolean ranksShareProcess() {
        return device.equals("smpdev") || device.equals("multicore");
    }

    @Override
    public void send(int destination, ByteBuffer frame) {
        if (destination < 0 || destination >= size) {
            throw new VmException("rank " + destination + " outside [0, " + size + ") of MPJ's COMM_WORLD");
        }
        int n = frame.remaining();
        sending.lock();
        engine.lock();
        try {
            checkOpen();
            byte[] data;
            int offset;
            if (frame.hasArray()) {
                data = frame.array();
                offset = frame.arrayOffset() + frame.position();
            } else {
                if (sendCopy.length < n) sendCopy = new byte[Math.max(n, 2 * sendCopy.length)];
                frame.get(frame.position(), sendCopy, 0, n);
                data = sendCopy;
                offset = 0;
            }
            Request request = world.Isend(data, offset, n, MPI.BYTE, destination, TAG);
            Backoff idle = null;
            while (request.Test() == null) {
                if (drainOne()) continue;
                if (idle == null) idle = new Backoff();
                engine.unlock();
                try {
                    idle.idle();
                } finally {
                    engine.lock();
                }
            }
        } catch (MPIException e) {
            throw new VmException("MPJ send of " + n + " bytes to rank " + destination + " failed: " + e, e);
        } finally {
            engine.unlock();
            sending.unlock();
        }
    }

    /** Receives one waiting frame into the backlog, if any; engine lock held. */
    private boolean drainOne() throws MPIException {
        Status status = world.Iprobe(MPI.ANY_SOURCE, TAG);
        if (status == null) return false;
        int n = status.Get_count(MPI.BYTE);
        byte[] copy = new byte[n];
        world.Recv(copy, 0, n, MPI.BYTE, status.source, TAG);
        backlog.add(new Frame(status.source, ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN)));
        return true;
    }

    @Override
    public Frame receive(int source, long timeoutNanos) {
        int mpjSource = source < 0 ? MPI.ANY_SOURCE : source;
        long deadline = System.nanoTime() + Math.max(timeoutNanos, 0);
        Backoff idle = null;
        while (true) {
            engine.lock();
            try {
                checkOpen();
                Frame f = fromBacklog(source);
                if (f != null) return f;
                Status status = world.Iprobe(mpjSource, TAG);
                if (status != null) {
                    int n = status.Get_count(MPI.BYTE);
                    if (receiveArray.length < n) {
                        receiveArray = new byte[Math.max(n, 2 * receiveArray.length)];
                        receiveView = ByteBuffer.wrap(receiveArray).order(ByteOrder.LITTLE_ENDIAN);
                    }
                    world.Recv(receiveArray, 0, n, MPI.BYTE, status.source, TAG);
                    receiveView.clear().limit(n);
                    return new Frame(status.source, receiveView);
                }
            } catch (MPIException e) {
                throw new VmException("MPJ receive on rank " + rank + " failed: " + e, e);
            } finally {
                engine.unlock();
            }
            if (wakeup) {
                wakeup = false;
                return null;
            }
            if (timeoutNanos == 0) return null;
            if (timeoutNanos > 0 && System.nanoTime() - deadline >= 0) return null;
            if (idle == null) idle = new Backoff();
            if (timeoutNanos > 0) idle.idleUntil(deadline);
            else idle.idle();
        }
    }

    private Frame fromBacklog(int source) {
        if (backlog.isEmpty()) return null;
        for (Iterator<Frame> it = backlog.iterator(); it.hasNext(); ) {
            Frame f = it.next();
            if (source < 0 || f.source() == source) {
                it.remove();
                return f;
            }
        }
        return null;
    }

    @Override
    public boolean probe(int source) {
        engine.lock();
        try {
            checkOpen();
            for (Frame f : backlog) if (source < 0 || f.source() == source) return true;
            return world.Iprobe(source < 0 ? MPI.ANY_SOURCE : source, TAG) != null;
        } catch (MPIException e) {
            throw new VmException("MPJ probe on rank " + rank + " failed: " + e, e);
        } finally {
            engine.unlock();
        }
    }

    @Override
    public void wakeup() {
        wakeup = true;
    }

    private void checkOpen() {
        if (closed) throw new VmException("the MPJ transport of rank " + rank + " is closed (MPI.Finalize was called)");
    }

    @Override
    public void close() {
        engine.lock();
        try {
            if (closed) return;
            closed = true;
            MPI.Finalize();
        } catch (RuntimeException e) {
            LOG.warn("MPI.Finalize failed on MPJ rank {}: {}", rank, e.toString());
        } finally {
            engine.unlock();
        }
    }
}
