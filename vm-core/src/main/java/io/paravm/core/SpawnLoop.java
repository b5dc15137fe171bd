package io.paravm.core;

import io.paravm.Task;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.TaskResult;
import io.paravm.VirtualMachine;
import io.paravm.VmClosedException;
import io.paravm.VmException;
import io.paravm.spi.Transport;
import io.paravm.spi.Transport.Frame;
import io.paravm.core.TaskRouter.RunningTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A worker's spawn loop: waits for spawn requests and runs their tasks (one at a time, as in
 * PyOPUS, on the loop's own thread; or several on threads of this JVM), each ending with its
 * {@code TaskResult} and {@code TaskExit}, until the spawner says exit or is gone.
 *
 * <p>Frames: while a task runs, the thread that waits for frames (the task in a receive, or
 * the loop waiting for work) routes each through the {@link TaskRouter}. With one slot the
 * task runs on the loop's thread, so nothing but the task itself ever pumps while it runs and
 * no frame is copied on the way.
 *
 * <pre>{@code
 * new SpawnLoop(vm, channel, router, host, debug, slots, folders).run();   // until the spawner says exit
 * }</pre>
 */
final class SpawnLoop {

    private static final Logger LOG = LoggerFactory.getLogger(SpawnLoop.class);

    /** A task to run, and the spawn request that started it. */
    private record Started(RunningTask task, Frame spawnFrame) {
    }

    /** What the loop's wait returns once the spawner is gone: no more work. */
    private static final Started NO_MORE_WORK = new Started(null, null);

    private final VirtualMachine vm;
    private final FrameChannel channel;
    private final TaskRouter router;
    private final String host;
    private final int debug;
    private final int slots;
    private final TaskFolders folders;
    private final ThreadLocal<RunningTask> taskOfThread = new ThreadLocal<>();

    /** The loop's wait for work: a spawn request and a free slot, or the spawner's end. */
    private final FrameChannel.Inbox<Started> work = new FrameChannel.Inbox<>() {
        @Override
        public Started waiting() {
            if (router.spawnerGone()) return NO_MORE_WORK;
            Frame request = router.nextSpawnRequest(slots);
            return request == null ? null : new Started(router.start(request), request);
        }

        @Override
        public Started arrived(Frame frame) {
            router.route(frame, TaskRouter.NO_TASK, Transport.ANY_SOURCE, CoreVirtualMachine.ANY_TASK); // the loop is no task: nothing comes back
            return null;
        }
    };

    SpawnLoop(VirtualMachine vm, FrameChannel channel, TaskRouter router, String host, int debug, int slots,
              TaskFolders folders) {
        this.vm = vm;
        this.channel = channel;
        this.router = router;
        this.host = host;
        this.debug = debug;
        this.slots = slots;
        this.folders = folders;
    }

    int slots() {
        return slots;
    }

    /** The task the calling thread runs (or the only one running), or null. */
    RunningTask callerTask() {
        RunningTask t = taskOfThread.get();
        return t != null ? t : router.soleTask();
    }

    int callerTaskNumber() {
        RunningTask t = callerTask();
        return t == null ? TaskRouter.NO_TASK : t.number();
    }

    /** Runs tasks until the spawner says exit or is lost. */
    void run() {
        if (slots == 1) {
            for (Started s; (s = nextTask()) != null; ) runTask(s);
            return;
        }
        int rank = channel.transport().rank();
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(slots, r -> {
            Thread t = new Thread(r, "paravm-task-" + rank + "-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            for (Started s; (s = nextTask()) != null; ) {
                Started task = s;
                threads.execute(() -> runTask(task));
            }
        } finally {
            threads.shutdown();
            try {
                if (!threads.awaitTermination(10, TimeUnit.SECONDS)) {
                    LOG.warn("worker rank {}: tasks still running 10 s after the spawn loop ended: {}", rank, router.running());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits (without a deadline: a worker idles until work or exit) for a spawn request and a free slot. */
    private Started nextTask() {
        Started s = channel.receive(-1, Transport.ANY_SOURCE, work, "the spawn loop").orElse(NO_MORE_WORK);
        return s == NO_MORE_WORK ? null : s;
    }

    private void runTask(Started started) {
        RunningTask t = started.task();
        TaskId id = t.id();
        if (debug > 0) logFrom(t.number(), "task " + id + " started on " + host);
        boolean sendBack = true;
        boolean keep = false;
        TaskResult result;
        try {
            SpawnRequest request = (SpawnRequest) channel.codec().decode(Envelope.payload(started.spawnFrame().payload()));
            sendBack = request.sendBack();
            keep = request.keepFolder();
            router.setWorkDir(t, folders.prepare(id, request));
            taskOfThread.set(t);
            Task<?> task = request.task();
            Object value = task.run(vm);
            result = TaskResult.of(value);
        } catch (Throwable e) {
            result = TaskResult.failed(remoteTrace(id, e));
            if (debug > 0) logFrom(t.number(), "task " + id + " failed: " + e);
        } finally {
            taskOfThread.remove();
        }
        end(t, keep); // before the exit, which frees the slot on the spawner
        if (sendBack) {
            try {
                channel.sendEnd(t.number(), reasonOf(result), result); // the result and the exit in one frame
            } catch (VmClosedException e) {
                throw e;
            } catch (VmException e) { // the value cannot be sent: its failure can, nothing was sent
                result = TaskResult.failed(remoteTrace(id, e));
                channel.sendEnd(t.number(), reasonOf(result), result);
            }
        } else {
            channel.sendEnd(t.number(), reasonOf(result), null);
        }
        if (debug > 0) logFrom(TaskRouter.NO_TASK, "task " + id + " ended");
    }

    private static TaskExit.Reason reasonOf(TaskResult result) {
        return result.success() ? TaskExit.Reason.FINISHED : TaskExit.Reason.FAILED;
    }

    private void end(RunningTask t, boolean keep) {
        router.end(t);
        folders.finish(t.workDir(), keep);
    }

    /** Sends a line for the spawner's log on behalf of task {@code number}. */
    void logFrom(int number, String text) {
        channel.send(0, FrameKind.LOG, number, 0, text);
    }

    private String remoteTrace(TaskId id, Throwable t) {
        StringWriter sw = new StringWriter();
        sw.append("task ").append(String.valueOf(id)).append(" on ").append(host).append(" failed: ");
        t.printStackTrace(new PrintWriter(sw));
        return sw.toString();
    }

    /** Removes this worker's storage folder (unless folders are kept). */
    void close() {
        folders.close();
    }

    /** The folder the calling task runs in, or null. */
    Path callerWorkDir() {
        RunningTask t = callerTask();
        return t == null ? null : t.workDir();
    }
}
