package io.paravm.transport.openmpi;

import io.paravm.VmConfig;
import io.paravm.VmException;
import io.paravm.core.Backoff;
import io.paravm.spi.Transport;
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
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Frames over {@code MPI_COMM_WORLD}, one tag, bytes in direct buffers.
 *
 * <p>Every engine call is made under {@link #engine}: two Java threads inside Open MPI at
 * once were measured 300x slower here than one at a time. Receives probe with
 * {@code MPI_Improbe} (a matched probe, so a frame of any size is received into a buffer
 * sized from the probe) and back off when idle. Sends are {@code MPI_Isend}; while one
 * waits to complete, arriving frames are drained into {@link #backlog}, so two ranks
 * sending large frames to each other cannot deadlock.
 */
final class OpenMpiTransport implements Transport {

    private static final Logger LOG = LoggerFactory.getLogger(OpenMpiTransport.class);
    private static final int TAG = OpenMpiProperties.FRAME_TAG;

    private final ReentrantLock engine = new ReentrantLock();
    private final Comm world;
    private final int rank;
    private final int size;
    private final String host;
    private final String[] userArgs;

    private ByteBuffer receiveBuffer = MPI.newByteBuffer(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
    private ByteBuffer sendCopy = MPI.newByteBuffer(0);
    /** The one probe handle, reused (a new one per probe was a third of the receive path's garbage); guarded by {@link #engine}. */
    private final Message probeHandle = new Message();
    /** Frames drained while a send waited; guarded by {@link #engine}. */
    private final ArrayDeque<Frame> backlog = new ArrayDeque<>();
    private volatile boolean wakeup;
    private volatile boolean closed;

    OpenMpiTransport(VmConfig config) {
        try {
            String level = config.property(OpenMpiProperties.THREAD_LEVEL_PROP_NAME)
                    .orElse(OpenMpiProperties.THREAD_LEVEL_DEFAULT).toLowerCase(Locale.ROOT);
            String[] args = config.args();
            if (level.equals("single")) {
                userArgs = MPI.Init(args);
            } else if (level.equals("multiple")) {
                int provided = MPI.InitThread(args, MPI.THREAD_MULTIPLE);
                if (provided < MPI.THREAD_MULTIPLE) {
                    LOG.debug("Open MPI provides thread level {} (asked MULTIPLE); engine calls are serialised anyway", provided);
                }
                userArgs = args;
            } else {
                throw new VmException(OpenMpiProperties.THREAD_LEVEL_PROP_NAME + "=" + level
                        + " is not a thread level; use 'multiple' or 'single'");
            }
            world = MPI.COMM_WORLD;
            rank = world.getRank();
            size = world.getSize();
            host = MPI.getProcessorName();
        } catch (MPIException e) {
            throw new VmException("MPI_Init failed: " + e.getMessage() + "; is this process started by mpirun?", e);
        }
    }

    @Override
    public String name() {
        return "openmpi";
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
    public void send(int destination, ByteBuffer frame) {
        if (destination < 0 || destination >= size) {
            throw new VmException("rank " + destination + " outside [0, " + size + ") of MPI_COMM_WORLD");
        }
        int n = frame.remaining();
        engine.lock();
        try {
            checkOpen();
            ByteBuffer out = frame;
            if (!frame.isDirect() || frame.position() != 0) {
                // The bindings send a direct buffer from its start: copy anything else once.
                if (sendCopy.capacity() < n) sendCopy = MPI.newByteBuffer(Math.max(n, 2 * sendCopy.capacity()));
                sendCopy.clear();
                sendCopy.put(frame.duplicate()).flip();
                out = sendCopy;
            }
            Request request = world.iSend(out, n, MPI.BYTE, destination, TAG);
            Backoff idle = null;
            while (!request.test()) {
                if (!drainOne()) {
                    // A pending send is not idle: Open MPI moves a large frame only while it is
                    // polled, so yield (letting other threads in) for up to 50 ms before parking.
                    if (idle == null) idle = new Backoff(Backoff.SPIN_NS_DEFAULT, 50_000_000L, Backoff.MAX_PARK_NS_DEFAULT);
                    engine.unlock();
                    try {
                        idle.idle();
                    } finally {
                        engine.lock();
                    }
                }
            }
            request.free();
        } catch (MPIException e) {
            throw new VmException("MPI send of " + n + " bytes to rank " + destination + " failed: " + e.getMessage(), e);
        } finally {
            engine.unlock();
        }
    }

    /** Receives one waiting frame into the backlog, if any; engine lock held. */
    private boolean drainOne() throws MPIException {
        Status status = probeHandle.imProbe(MPI.ANY_SOURCE, TAG, world);
        if (status == null) return false;
        int n = status.getCount(MPI.BYTE);
        ByteBuffer copy = MPI.newByteBuffer(n).order(ByteOrder.LITTLE_ENDIAN);
        probeHandle.mRecv(copy, n, MPI.BYTE);
        copy.limit(n);
        backlog.add(new Frame(status.getSource(), copy));
        return true;
    }

    @Override
    public Frame receive(int source, long timeoutNanos) {
        int mpiSource = source < 0 ? MPI.ANY_SOURCE : source;
        long deadline = System.nanoTime() + Math.max(timeoutNanos, 0);
        Backoff idle = null;
        while (true) {
            engine.lock();
            try {
                checkOpen();
                Frame f = fromBacklog(source);
                if (f != null) return f;
                Status status = probeHandle.imProbe(mpiSource, TAG, world);
                if (status != null) {
                    int n = status.getCount(MPI.BYTE);
                    if (receiveBuffer.capacity() < n) {
                        receiveBuffer = MPI.newByteBuffer(Math.max(n, 2 * receiveBuffer.capacity()))
                                .order(ByteOrder.LITTLE_ENDIAN);
                    }
                    probeHandle.mRecv(receiveBuffer, n, MPI.BYTE);
                    receiveBuffer.clear().limit(n);
                    return new Frame(status.getSource(), receiveBuffer);
                }
            } catch (MPIException e) {
                throw new VmException("MPI receive failed: " + e.getMessage(), e);
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
            return world.iProbe(source < 0 ? MPI.ANY_SOURCE : source, TAG) != null;
        } catch (MPIException e) {
            throw new VmException("MPI probe failed: " + e.getMessage(), e);
        } finally {
            engine.unlock();
        }
    }

    @Override
    public void wakeup() {
        wakeup = true;
    }

    private void checkOpen() {
        if (closed) throw new VmException("the Open MPI transport of rank " + rank + " is closed (MPI_Finalize was called)");
    }

    @Override
    public void close() {
        engine.lock();
        try {
            if (closed) return;
            closed = true;
            if (!MPI.isFinalized()) MPI.Finalize();
        } catch (MPIException e) {
            LOG.warn("MPI_Finalize failed on rank {}: {}", rank, e.getMessage());
        } finally {
            engine.unlock();
        }
    }
}
