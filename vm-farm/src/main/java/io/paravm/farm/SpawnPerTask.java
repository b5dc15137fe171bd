package io.paravm.farm;

import io.paravm.HostAdded;
import io.paravm.HostRemoved;
import io.paravm.Received;
import io.paravm.Task;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.TaskResult;
import io.paravm.VirtualMachine;
import io.paravm.VmException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * PyOPUS's way: every item is one {@code spawnFunction} with {@code sendBack}, at most one
 * per free slot. Its {@link TaskResult} resolves the item; a {@link TaskExit} without one
 * (the host was lost) runs it again. Nothing can be withdrawn from a spawned task, so a
 * cancelled or timed-out item's late result is only dropped.
 */
final class SpawnPerTask implements Placement {

    private static final Logger LOG = LoggerFactory.getLogger(SpawnPerTask.class);

    /** A map input as a task of its own: the function travels with every input. */
    private record Call(TaskFunction<Object, Object> function, Object input) implements Task<Object> {
        @Override
        public Object run(VirtualMachine vm) throws Exception {
            return function.apply(input);
        }
    }

    private final VirtualMachine vm;
    private final FarmLedger ledger;
    /** Spawned tasks not yet exited. */
    private final Map<TaskId, Item> running = new HashMap<>();

    SpawnPerTask(VirtualMachine vm, FarmLedger ledger) {
        this.vm = vm;
        this.ledger = ledger;
    }

    @Override
    public void start() {
        // Nothing resident: tasks are spawned as items arrive.
    }

    @Override
    public boolean place(Item item) {
        Task<?> task = item.fn == 0 ? (Task<?>) item.work : new Call(item.run.function, item.work);
        List<TaskId> ids;
        try {
            ids = vm.spawnFunction(task, 1, null, true);
        } catch (VmException e) {
            if (SendProbe.cannotSend(vm, task)) {
                ledger.unsendable(item, e);
                return true;
            }
            // The task is fine: the slot's rank is going away. Try again when the VM has noticed.
            LOG.warn("the task farm could not spawn a task: {}", e.getMessage());
            return false;
        }
        if (ids.isEmpty()) return false;
        TaskId id = ids.get(0);
        item.worker = id;
        item.reported = false;
        item.startedAt = System.nanoTime();
        ledger.itemStarted(item);
        if (item.timeoutNanos > 0) ledger.noteDeadline(item.startedAt + item.timeoutNanos);
        running.put(id, item);
        return true;
    }

    @Override
    public boolean onMessage(Received r) {
        Object m = r.message();
        Item item = running.get(r.sender());
        if (item != null && m instanceof TaskResult res) {
            item.reported = true;
            if (!item.resolved) {
                if (res.success()) ledger.succeeded(item, res.value());
                else ledger.threw(item, res.error());
            }
            return true;
        }
        if (m instanceof TaskExit exit) {
            Item ended = running.remove(exit.taskId());
            if (ended != null && !ended.reported && !ended.resolved) {
                ledger.lost(ended, "task " + exit.taskId() + " (it ended " + exit.reason() + " without a result)", true);
            }
            ledger.pump(); // a slot is free, whoever's task it was
            return ended != null;
        }
        if (m instanceof HostAdded) ledger.pump();
        if (m instanceof HostRemoved && running.isEmpty() && workers() == 0) {
            ledger.noWorkersLeft("the VM's last worker slot was lost");
        }
        return false;
    }

    @Override
    public void cancel(Item item) {
        // A spawned task cannot be withdrawn; its result will be dropped.
    }

    @Override
    public long checkTimeouts(long now) {
        long next = NO_DEADLINE;
        for (Map.Entry<TaskId, Item> e : running.entrySet()) {
            Item item = e.getValue();
            if (item.resolved || item.timeoutNanos == 0) continue;
            long deadline = item.startedAt + item.timeoutNanos;
            if (now - deadline >= 0) ledger.timedOut(item, "task " + e.getKey());
            else if (next == NO_DEADLINE || deadline - next < 0) next = deadline;
        }
        return next;
    }

    @Override
    public void forEachInFlight(Consumer<Item> action) {
        for (Item item : running.values().toArray(new Item[0])) action.accept(item);
    }

    @Override
    public void forget(MapRun run) {
        // The function travelled with every task.
    }

    @Override
    public void stop() {
        // Spawned tasks cannot be stopped; close() waits for their exits.
    }

    @Override
    public boolean ended() {
        return running.isEmpty();
    }

    @Override
    public int workers() {
        try {
            return vm.slots() - 1;
        } catch (VmException e) {
            return 0;
        }
    }

    @Override
    public int inFlight() {
        return running.size();
    }
}
