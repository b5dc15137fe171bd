package io.paravm.spi;

import io.paravm.HostId;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.TaskResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where a virtual machine's events go: the {@link VmEventListener}s registered on it. A VM
 * and the layers above it (the task farm) publish through {@link #listener()}; with no
 * listener registered that is {@code null}, so publishing costs one read and one null check:
 *
 * <pre>{@code
 * // a listener
 * vm.events().add(myListener);
 * ...
 * vm.events().remove(myListener);
 *
 * // a publisher, on its hot path: nothing is built unless someone listens
 * VmEventListener l = events.listener();
 * if (l != null) l.taskSpawned(id, host);
 * }</pre>
 *
 * <p>Thread-safe. A listener that throws is logged (once at WARNING, then at DEBUG) and
 * ignored: it cannot break the VM or the other listeners.
 */
public final class VmEvents {

    private static final System.Logger LOG = System.getLogger(VmEvents.class.getName());

    private final Runnable onFirstListener;
    /** The listeners as registered, in order; guarded by this. */
    private final List<VmEventListener> registered = new ArrayList<>();
    /** What publishers call: null, one guarded listener, or a fan-out; replaced whole on every change. */
    private volatile VmEventListener current;

    /** A hub with no listener. */
    public VmEvents() {
        this(() -> { });
    }

    /**
     * A hub that runs {@code onFirstListener} each time its first listener is added (the VM
     * then starts what only listeners need, such as the workers' load samples).
     *
     * @param onFirstListener run on the thread that adds the listener, after it is added
     */
    public VmEvents(Runnable onFirstListener) {
        this.onFirstListener = Objects.requireNonNull(onFirstListener, "onFirstListener");
    }

    /**
     * Registers {@code listener}; it is told of events from now on. Adding one twice makes
     * it be told twice.
     *
     * @param listener the listener
     * @throws NullPointerException if {@code listener} is null
     */
    public void add(VmEventListener listener) {
        Objects.requireNonNull(listener, "listener is null; pass a VmEventListener");
        boolean first;
        synchronized (this) {
            first = registered.isEmpty();
            registered.add(listener);
            rebuild();
        }
        if (first) onFirstListener.run();
    }

    /**
     * Unregisters {@code listener} (once, if added more often); nothing happens if it was not
     * registered.
     *
     * @param listener the listener
     */
    public synchronized void remove(VmEventListener listener) {
        if (registered.remove(listener)) rebuild();
    }

    /** Returns whether any listener is registered. */
    public boolean hasListeners() {
        return current != null;
    }

    /**
     * For publishers: the listener to tell, standing for all registered ones, or {@code null}
     * when there is none. Read it once per event and check it for null.
     *
     * @return the listener, or null
     */
    public VmEventListener listener() {
        return current;
    }

    private void rebuild() {
        int n = registered.size();
        if (n == 0) {
            current = null;
        } else if (n == 1) {
            current = new Guarded(registered.get(0));
        } else {
            VmEventListener[] all = new VmEventListener[n];
            for (int i = 0; i < n; i++) all[i] = new Guarded(registered.get(i));
            current = new FanOut(all);
        }
    }

    /** One listener, whose exceptions are logged and ignored. */
    private static final class Guarded implements VmEventListener {
        private final VmEventListener l;
        private volatile boolean warned;

        Guarded(VmEventListener l) {
            this.l = l;
        }

        private void failed(String event, RuntimeException e) {
            if (!warned) {
                warned = true;
                LOG.log(System.Logger.Level.WARNING, "ParaVM(W): the VM-event listener " + l.getClass().getName()
                        + " threw on " + event + "; it is ignored (further failures are logged at DEBUG)", e);
            } else {
                LOG.log(System.Logger.Level.DEBUG, "VM-event listener " + l.getClass().getName() + " threw on " + event, e);
            }
        }

        @Override
        public void taskSpawned(TaskId task, HostId host) {
            try {
                l.taskSpawned(task, host);
            } catch (RuntimeException e) {
                failed("taskSpawned", e);
            }
        }

        @Override
        public void taskStarted(TaskId task) {
            try {
                l.taskStarted(task);
            } catch (RuntimeException e) {
                failed("taskStarted", e);
            }
        }

        @Override
        public void taskResult(TaskId task, TaskResult result) {
            try {
                l.taskResult(task, result);
            } catch (RuntimeException e) {
                failed("taskResult", e);
            }
        }

        @Override
        public void taskExited(TaskId task, TaskExit.Reason reason) {
            try {
                l.taskExited(task, reason);
            } catch (RuntimeException e) {
                failed("taskExited", e);
            }
        }

        @Override
        public void hostAdded(HostId host, int rank, int slots) {
            try {
                l.hostAdded(host, rank, slots);
            } catch (RuntimeException e) {
                failed("hostAdded", e);
            }
        }

        @Override
        public void hostRemoved(HostId host, int rank) {
            try {
                l.hostRemoved(host, rank);
            } catch (RuntimeException e) {
                failed("hostRemoved", e);
            }
        }

        @Override
        public void frameSent(int rank, int bytes) {
            try {
                l.frameSent(rank, bytes);
            } catch (RuntimeException e) {
                failed("frameSent", e);
            }
        }

        @Override
        public void frameReceived(int rank, int bytes) {
            try {
                l.frameReceived(rank, bytes);
            } catch (RuntimeException e) {
                failed("frameReceived", e);
            }
        }

        @Override
        public void hostSampled(HostSample sample) {
            try {
                l.hostSampled(sample);
            } catch (RuntimeException e) {
                failed("hostSampled", e);
            }
        }

        @Override
        public void farmTask(FarmTaskEvent event) {
            try {
                l.farmTask(event);
            } catch (RuntimeException e) {
                failed("farmTask", e);
            }
        }
    }

    /** Several listeners, each told in the order registered. */
    private static final class FanOut implements VmEventListener {
        private final VmEventListener[] all;

        FanOut(VmEventListener[] all) {
            this.all = all;
        }

        @Override
        public void taskSpawned(TaskId task, HostId host) {
            for (VmEventListener l : all) l.taskSpawned(task, host);
        }

        @Override
        public void taskStarted(TaskId task) {
            for (VmEventListener l : all) l.taskStarted(task);
        }

        @Override
        public void taskResult(TaskId task, TaskResult result) {
            for (VmEventListener l : all) l.taskResult(task, result);
        }

        @Override
        public void taskExited(TaskId task, TaskExit.Reason reason) {
            for (VmEventListener l : all) l.taskExited(task, reason);
        }

        @Override
        public void hostAdded(HostId host, int rank, int slots) {
            for (VmEventListener l : all) l.hostAdded(host, rank, slots);
        }

        @Override
        public void hostRemoved(HostId host, int rank) {
            for (VmEventListener l : all) l.hostRemoved(host, rank);
        }

        @Override
        public void frameSent(int rank, int bytes) {
            for (VmEventListener l : all) l.frameSent(rank, bytes);
        }

        @Override
        public void frameReceived(int rank, int bytes) {
            for (VmEventListener l : all) l.frameReceived(rank, bytes);
        }

        @Override
        public void hostSampled(HostSample sample) {
            for (VmEventListener l : all) l.hostSampled(sample);
        }

        @Override
        public void farmTask(FarmTaskEvent event) {
            for (VmEventListener l : all) l.farmTask(event);
        }
    }
}
