package io.paravm.farm;

import io.paravm.Received;
import io.paravm.Task;
import io.paravm.TaskId;
import io.paravm.VirtualMachine;
import io.paravm.VmClosedException;
import io.paravm.VmException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The resident worker task: one per slot, it runs the farm's {@link Job}s one after the
 * other until told to stop. Before each job it takes every message already waiting, so a
 * {@link SkipJob} that arrived behind a queued job takes effect before that job starts.
 *
 * <p>It blocks for the next message without a deadline: it ends on {@link StopWorker},
 * when the spawner closes the VM, or when the spawner is lost (the VM's receive throws
 * {@link VmClosedException} then).
 */
final class FarmWorker implements Task<Void> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(FarmWorker.class);
    private static final Duration BLOCK = Duration.ofNanos(-1);

    @Override
    public Void run(VirtualMachine vm) {
        TaskId spawner = vm.parentTaskId();
        ArrayDeque<Job> pending = new ArrayDeque<>();
        Map<Integer, TaskFunction<Object, Object>> functions = new HashMap<>();
        while (true) {
            // Receiving only from the spawner: a decode failure is then surely one of its messages.
            Received r = vm.receiveMessage(pending.isEmpty() ? BLOCK : Duration.ZERO, spawner).orElse(null);
            if (r != null) {
                Object m = r.message();
                if (m instanceof Job job) {
                    pending.add(job);
                } else if (m instanceof InstallFunction install) {
                    if (install.function() == null) functions.remove(install.id());
                    else functions.put(install.id(), cast(install.function()));
                } else if (m instanceof SkipJob skip) {
                    skip(vm, spawner, pending, skip.id());
                } else if (m instanceof StopWorker) {
                    return null;
                } else {
                    LOG.warn("farm worker {} dropped a message that is not the farm's: {}", vm.taskId(),
                            m == null ? "null" : m.getClass().getName());
                }
                continue;
            }
            Job job = pending.poll();
            if (job != null) runJob(vm, spawner, job, functions);
        }
    }

    @SuppressWarnings("unchecked")
    private static TaskFunction<Object, Object> cast(TaskFunction<?, ?> f) {
        return (TaskFunction<Object, Object>) f;
    }

    private static void skip(VirtualMachine vm, TaskId spawner, ArrayDeque<Job> pending, long id) {
        for (Iterator<Job> it = pending.iterator(); it.hasNext(); ) {
            if (it.next().id() == id) {
                it.remove();
                vm.sendMessage(spawner, new Outcome(id, Outcome.SKIPPED, null));
                return;
            }
        }
        // Already run (its outcome is on its way) or never arrived: nothing to answer.
    }

    private static void runJob(VirtualMachine vm, TaskId spawner, Job job,
                               Map<Integer, TaskFunction<Object, Object>> functions) {
        Outcome outcome;
        try {
            Object value;
            if (job.fn() == 0) {
                value = ((Task<?>) job.arg()).run(vm);
            } else {
                TaskFunction<Object, Object> f = functions.get(job.fn());
                if (f == null) {
                    throw new IllegalStateException("farm function " + job.fn() + " is not installed on this worker");
                }
                value = f.apply(job.arg());
            }
            outcome = new Outcome(job.id(), Outcome.OK, value);
        } catch (Throwable t) {
            outcome = new Outcome(job.id(), Outcome.THREW, trace(vm, t));
        }
        try {
            vm.sendMessage(spawner, outcome);
        } catch (VmClosedException e) {
            throw e;
        } catch (VmException e) {
            // The value could not be serialized: report that instead of losing the job.
            vm.sendMessage(spawner, new Outcome(job.id(), Outcome.THREW, trace(vm, e)));
        }
    }

    static String trace(VirtualMachine vm, Throwable t) {
        StringWriter sw = new StringWriter();
        sw.append("farm task in ").append(String.valueOf(vm.taskId())).append(" on ")
                .append(vm.hostId().name()).append(" threw: ");
        t.printStackTrace(new PrintWriter(sw));
        return sw.toString();
    }
}
