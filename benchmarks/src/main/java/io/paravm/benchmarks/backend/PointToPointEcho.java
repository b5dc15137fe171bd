package io.paravm.benchmarks.backend;

import io.paravm.TaskId;
import io.paravm.VirtualMachine;
import io.paravm.benchmarks.VmTasks;

/**
 * The raw echo over an MPI-like engine's blocking send and receive (Open MPI's and MPJ's
 * Java bindings), both ends. The worker's end runs as a ParaVM task and then speaks only
 * the engine, until a message of zero elements ends it. Within one job only one
 * {@link Engine} class is ever loaded, so its calls stay monomorphic and are inlined: the
 * raw figure pays nothing for the indirection.
 *
 * <pre>{@code
 * Task<WorkerStats> task = w -> PointToPointEcho.serve(new MyEngine(), MyEngine.message(spec), spec);
 * RawChannel raw = new PointToPointEcho.Channel(vm, VmTasks.spawnOne(vm, task), spec, new MyEngine(), MyEngine.message(spec));
 * }</pre>
 */
final class PointToPointEcho {

    /** The MPI tag of raw benchmark messages, on both engines; ParaVM's transports use 7 only. */
    static final int RAW_TAG = 4242;

    /** An engine's blocking calls on its world communicator, with {@link #RAW_TAG}. */
    interface Engine {
        /** Sends {@code count} elements of {@code type} from {@code buf} to {@code rank}. */
        void send(Object buf, int count, Object type, int rank);

        /** Receives at most {@code count} elements into {@code buf} from {@code rank}. */
        void recv(Object buf, int count, Object type, int rank);

        /**
         * Receives like {@link #recv} and returns how many elements came. Only the worker's end
         * needs the count (for the end message); the spawner's timed path stays without it,
         * since Open MPI's count is one more call into the native library.
         */
        int recvCount(Object buf, int count, Object type, int rank);

        /** The engine's byte datatype (for the one-byte acknowledgement). */
        Object byteType();
    }

    /**
     * What one end exchanges.
     *
     * @param buffer the engine's buffer (an array or a direct buffer)
     * @param type   the engine's datatype of its elements
     * @param count  how many elements a message has
     */
    record Message(Object buffer, Object type, int count) {
    }

    private PointToPointEcho() {
    }

    /** The worker's end: echoes every message (window 1) or acknowledges every {@code window}-th. */
    static WorkerStats serve(Engine engine, Message m, RawSpec spec) {
        byte[] ack = new byte[1];
        long start = WorkerStats.threadAllocatedBytes();
        long n = 0;
        while (engine.recvCount(m.buffer(), m.count(), m.type(), 0) != 0) {
            n++;
            if (spec.window() == 1) {
                engine.send(m.buffer(), m.count(), m.type(), 0);
            } else if (n % spec.window() == 0) {
                engine.send(ack, 1, engine.byteType(), 0);
            }
        }
        return new WorkerStats(n, start < 0 ? -1 : WorkerStats.threadAllocatedBytes() - start);
    }

    /** The spawner's end. */
    static final class Channel implements RawChannel {
        private final VirtualMachine vm;
        private final TaskId echo;
        private final int window;
        private final Engine engine;
        private final Object buf;
        private final Object type;
        private final int count;
        private final int rank;
        private final byte[] ack = new byte[1];
        private WorkerStats stats;

        Channel(VirtualMachine vm, TaskId echo, RawSpec spec, Engine engine, Message m) {
            this.vm = vm;
            this.echo = echo;
            this.window = spec.window();
            this.engine = engine;
            this.buf = m.buffer();
            this.type = m.type();
            this.count = m.count();
            this.rank = echo.rank();
        }

        @Override
        public void exchange() {
            if (window == 1) {
                engine.send(buf, count, type, rank);
                engine.recv(buf, count, type, rank);
            } else {
                for (int i = 0; i < window; i++) engine.send(buf, count, type, rank);
                engine.recv(ack, 1, engine.byteType(), rank);
            }
        }

        @Override
        public WorkerStats stop() {
            if (stats != null) return stats;
            engine.send(buf, 0, type, rank);
            stats = (WorkerStats) VmTasks.awaitEnd(vm, echo);
            return stats;
        }
    }
}
