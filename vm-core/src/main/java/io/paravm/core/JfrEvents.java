package io.paravm.core;

import io.paravm.HostId;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.TaskResult;
import io.paravm.spi.FarmTaskEvent;
import io.paravm.spi.HostSample;
import io.paravm.spi.VmEventListener;
import io.paravm.spi.VmEvents;
import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Percentage;
import jdk.jfr.Period;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The VM's events as JFR events ({@code io.paravm.*}, category "ParaVM"), so that a run under
 * {@code -XX:StartFlightRecording}, or one recorded from JDK Mission Control, shows them with
 * no code of the user's. It listens to the VM's {@link VmEvents} only while a recording runs
 * (it follows the recorder's state changes), so a JVM that records nothing pays nothing.
 * Frames are too many for an event each: {@code io.paravm.Traffic} sums them per rank, once
 * a second.
 *
 * <pre>{@code
 * JfrEvents jfr = JfrEvents.follow(vm.events(), rank);   // when the VM opens
 * jfr.close();                                          // when it closes
 * }</pre>
 */
final class JfrEvents implements VmEventListener, FlightRecorderListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JfrEvents.class);

    private final VmEvents events;
    private final int rank;
    private final Runnable traffic = this::emitTraffic;
    /** Frames and bytes per rank since the last Traffic event: sent, bytes sent, received, bytes received. */
    private final ConcurrentHashMap<Integer, LongAdder[]> counts = new ConcurrentHashMap<>();
    private boolean listening; // guarded by this
    private boolean closed; // guarded by this

    private JfrEvents(VmEvents events, int rank) {
        this.events = events;
        this.rank = rank;
    }

    /**
     * Follows the flight recorder for a VM: listens to {@code events} while any recording runs.
     *
     * @return what to close when the VM closes, or null where this JVM has no JFR
     */
    static JfrEvents follow(VmEvents events, int rank) {
        try {
            JfrEvents jfr = new JfrEvents(events, rank);
            // Does not start the recorder: it calls recorderInitialized at once only if it already runs.
            FlightRecorder.addListener(jfr);
            return jfr;
        } catch (LinkageError | RuntimeException e) {
            LOG.debug("no JFR events for ParaVM in this JVM: {}", e.toString());
            return null;
        }
    }

    @Override
    public void recorderInitialized(FlightRecorder recorder) {
        follow(recorder);
    }

    @Override
    public void recordingStateChanged(Recording recording) {
        follow(FlightRecorder.getFlightRecorder());
    }

    private synchronized void follow(FlightRecorder recorder) {
        if (closed) return;
        boolean running = recorder.getRecordings().stream().anyMatch(r -> r.getState() == RecordingState.RUNNING);
        if (running == listening) return;
        listening = running;
        if (running) {
            FlightRecorder.addPeriodicEvent(Traffic.class, traffic);
            events.add(this);
        } else {
            events.remove(this);
            FlightRecorder.removePeriodicEvent(traffic);
            counts.clear();
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        FlightRecorder.removeListener(this);
        if (listening) {
            emitTraffic(); // the last second's frames
            events.remove(this);
            FlightRecorder.removePeriodicEvent(traffic);
            listening = false;
        }
    }

    // ---------------------------------------------------------------- the VM's events

    @Override
    public void taskSpawned(TaskId task, HostId host) {
        TaskSpawned e = new TaskSpawned();
        if (!e.shouldCommit()) return;
        e.task = task.toString();
        e.host = host.name();
        e.commit();
    }

    @Override
    public void taskStarted(TaskId task) {
        TaskStarted e = new TaskStarted();
        if (!e.shouldCommit()) return;
        e.task = task.toString();
        e.commit();
    }

    @Override
    public void taskResult(TaskId task, TaskResult result) {
        TaskResultEvent e = new TaskResultEvent();
        if (!e.shouldCommit()) return;
        e.task = task.toString();
        e.success = result.success();
        e.error = result.error();
        e.commit();
    }

    @Override
    public void taskExited(TaskId task, TaskExit.Reason reason) {
        TaskExited e = new TaskExited();
        if (!e.shouldCommit()) return;
        e.task = task.toString();
        e.reason = reason.name();
        e.commit();
    }

    @Override
    public void hostAdded(HostId host, int rank, int slots) {
        HostAdded e = new HostAdded();
        if (!e.shouldCommit()) return;
        e.host = host.name();
        e.rank = rank;
        e.slots = slots;
        e.commit();
    }

    @Override
    public void hostRemoved(HostId host, int rank) {
        HostRemoved e = new HostRemoved();
        if (!e.shouldCommit()) return;
        e.host = host.name();
        e.rank = rank;
        e.commit();
    }

    @Override
    public void frameSent(int to, int bytes) {
        LongAdder[] c = countsOf(to);
        c[0].increment();
        c[1].add(bytes);
    }

    @Override
    public void frameReceived(int from, int bytes) {
        LongAdder[] c = countsOf(from);
        c[2].increment();
        c[3].add(bytes);
    }

    private LongAdder[] countsOf(int peer) {
        LongAdder[] c = counts.get(peer);
        return c != null ? c : counts.computeIfAbsent(peer, k -> new LongAdder[] {
                new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder()});
    }

    private void emitTraffic() {
        counts.forEach((peer, c) -> {
            Traffic e = new Traffic();
            e.rank = rank;
            e.peer = peer;
            e.framesSent = c[0].sumThenReset();
            e.bytesSent = c[1].sumThenReset();
            e.framesReceived = c[2].sumThenReset();
            e.bytesReceived = c[3].sumThenReset();
            if (e.framesSent + e.framesReceived > 0) e.commit();
        });
    }

    @Override
    public void hostSampled(HostSample s) {
        HostSampled e = new HostSampled();
        if (!e.shouldCommit()) return;
        e.host = s.host().name();
        e.rank = s.rank();
        e.cpuLoad = (float) s.cpuLoad();
        e.heapUsed = s.heapUsedBytes();
        e.heapMax = s.heapMaxBytes();
        e.gcMillis = s.gcMillis();
        e.commit();
    }

    @Override
    public void farmTask(FarmTaskEvent f) {
        FarmTask e = new FarmTask();
        if (!e.shouldCommit()) return;
        e.kind = f.kind().name();
        e.worker = f.worker().toString();
        e.item = f.item();
        e.runTime = f.runNanos();
        e.sinceSubmit = f.sinceSubmitNanos();
        e.error = f.error();
        e.commit();
    }

    // ---------------------------------------------------------------- the event types

    @Name("io.paravm.TaskSpawned")
    @Label("Task Spawned")
    @Category("ParaVM")
    @Description("The spawner sent a task to a slot")
    @StackTrace(false)
    static final class TaskSpawned extends Event {
        @Label("Task") String task;
        @Label("Host") String host;
    }

    @Name("io.paravm.TaskStarted")
    @Label("Task Started")
    @Category("ParaVM")
    @Description("The spawner received a task's first frame")
    @StackTrace(false)
    static final class TaskStarted extends Event {
        @Label("Task") String task;
    }

    @Name("io.paravm.TaskResult")
    @Label("Task Result")
    @Category("ParaVM")
    @Description("A task's result arrived at the spawner")
    @StackTrace(false)
    static final class TaskResultEvent extends Event {
        @Label("Task") String task;
        @Label("Success") boolean success;
        @Label("Error") @Description("The remote stack trace of a task that threw") String error;
    }

    @Name("io.paravm.TaskExit")
    @Label("Task Exit")
    @Category("ParaVM")
    @Description("A task ended and freed its slot")
    @StackTrace(false)
    static final class TaskExited extends Event {
        @Label("Task") String task;
        @Label("Reason") String reason;
    }

    @Name("io.paravm.HostAdded")
    @Label("Host Added")
    @Category("ParaVM")
    @StackTrace(false)
    static final class HostAdded extends Event {
        @Label("Host") String host;
        @Label("Rank") int rank;
        @Label("Slots") int slots;
    }

    @Name("io.paravm.HostRemoved")
    @Label("Host Removed")
    @Category("ParaVM")
    @Description("A rank was lost")
    @StackTrace(false)
    static final class HostRemoved extends Event {
        @Label("Host") String host;
        @Label("Rank") int rank;
    }

    @Name("io.paravm.HostSample")
    @Label("Host Sample")
    @Category("ParaVM")
    @Description("A worker JVM's CPU, heap and GC, as it reported them")
    @StackTrace(false)
    static final class HostSampled extends Event {
        @Label("Host") String host;
        @Label("Rank") int rank;
        @Label("CPU Load") @Percentage float cpuLoad;
        @Label("Heap Used") @DataAmount long heapUsed;
        @Label("Heap Max") @DataAmount long heapMax;
        @Label("GC Time") @Timespan(Timespan.MILLISECONDS) long gcMillis;
    }

    @Name("io.paravm.FarmTask")
    @Label("Farm Task")
    @Category("ParaVM")
    @Description("A task farm's task was submitted, started, completed, failed, retried, timed out or cancelled")
    @StackTrace(false)
    static final class FarmTask extends Event {
        @Label("Kind") String kind;
        @Label("Worker") String worker;
        @Label("Item") String item;
        @Label("Run Time") @Timespan(Timespan.NANOSECONDS) long runTime;
        @Label("Since Submit") @Timespan(Timespan.NANOSECONDS) long sinceSubmit;
        @Label("Error") String error;
    }

    @Name("io.paravm.Traffic")
    @Label("Traffic")
    @Category("ParaVM")
    @Description("Frames and bytes this rank sent to and received from one rank, over the last period")
    @Period("1 s")
    @StackTrace(false)
    static final class Traffic extends Event {
        @Label("Rank") int rank;
        @Label("Peer Rank") int peer;
        @Label("Frames Sent") long framesSent;
        @Label("Bytes Sent") @DataAmount long bytesSent;
        @Label("Frames Received") long framesReceived;
        @Label("Bytes Received") @DataAmount long bytesReceived;
    }
}
