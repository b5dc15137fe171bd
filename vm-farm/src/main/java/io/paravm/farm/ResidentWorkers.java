package io.paravm.farm;

import io.paravm.HostAdded;
import io.paravm.HostId;
import io.paravm.Received;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.TaskResult;
import io.paravm.VirtualMachine;
import io.paravm.VmException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The default placement: one {@link FarmWorker} task per slot, each sent up to
 * {@code inFlightPerSlot} jobs ahead. A worker's jobs run in the order sent, so the first
 * job in its list is the one running: its timeout counts from when it got there.
 */
final class ResidentWorkers implements Placement {

    private static final Logger LOG = LoggerFactory.getLogger(ResidentWorkers.class);
    /** Worker tasks that die other than by our stop are replaced at most this often per farm. */
    private static final int MAX_REPLACEMENTS = 100;

    /** The spawner's view of one resident worker task. */
    private static final class Worker {
        final TaskId id;
        /** Jobs sent and not reported back, in the order sent (tombstones included). */
        final ArrayDeque<Item> sent = new ArrayDeque<>();
        /** Functions installed on it; {@code lastFn} is the fast path. */
        final Set<Integer> functions = new HashSet<>();
        int lastFn;
        /** Its first job was resolved (timed out, cancelled) but still runs: send nothing more. */
        boolean blocked;
        /** Gone or going: send nothing more. */
        boolean dead;
        /**
         * Its unread bound had no room for the next job while it worked on others: pass it
         * over until it reports a job or {@link #forgetFull()} (it may have read since).
         */
        boolean full;

        Worker(TaskId id) {
            this.id = id;
        }

        boolean hasFunction(int fn) {
            return fn == lastFn || functions.contains(fn);
        }
    }

    private final VirtualMachine vm;
    private final FarmLedger ledger;
    private final int inFlightPerSlot;
    /** Workers whose {@code full} is set. */
    private int fullWorkers;
    private final Map<TaskId, Worker> workers = new HashMap<>();
    /** Workers that ended: what they still send (a lost rank's last words) is dropped. */
    private final Set<TaskId> former = new HashSet<>();
    /** The same workers, for scanning in a fixed order from a rotating start. */
    private final List<Worker> order = new ArrayList<>();
    private int next;
    private int inFlight;
    /** The id of the last job sent; each dispatch gets the next. */
    private long wireSequence;
    /** Worker tasks that ended other than by our stop. */
    private int unexpectedExits;

    ResidentWorkers(VirtualMachine vm, FarmLedger ledger, int inFlightPerSlot) {
        this.vm = vm;
        this.ledger = ledger;
        this.inFlightPerSlot = inFlightPerSlot;
    }

    @Override
    public void start() {
        int free = vm.freeSlots();
        if (free == 0) {
            LOG.warn("the task farm found no free slot for its workers (slots()={}); it gets workers only from "
                    + "hosts that join later", vm.slots());
            return;
        }
        spawnWorkers(free, null);
    }

    private void spawnWorkers(int count, Collection<HostId> hosts) {
        for (TaskId id : vm.spawnFunction(new FarmWorker(), count, hosts, true)) {
            Worker w = new Worker(id);
            workers.put(id, w);
            order.add(w);
        }
        LOG.debug("the task farm runs on {} resident workers", workers.size());
    }

    @Override
    public boolean place(Item item) {
        int n = order.size();
        for (int k = 0; k < n; k++) {
            int i = next + k;
            if (i >= n) i -= n;
            Worker w = order.get(i);
            if (w.dead || w.blocked || w.full || w.sent.size() >= inFlightPerSlot) continue;
            if (!send(w, item)) {
                w.full = true; // try the next worker
                fullWorkers++;
                continue;
            }
            next = i + 1 < n ? i + 1 : 0;
            return true;
        }
        return false;
    }

    /**
     * Sends {@code item} to {@code w}; false if {@code w} already works on jobs and its unread
     * bound has no room for this one now. The dispatcher must not wait for that room: the
     * worker reads its next job only when it finishes the one it runs, which may take longer
     * than the send timeout, and meanwhile the other workers' results would wait too.
     */
    private boolean send(Worker w, Item item) {
        try {
            if (item.fn != 0 && !w.hasFunction(item.fn)) {
                vm.sendMessage(w.id, new InstallFunction(item.fn, item.run.function));
                w.functions.add(item.fn);
            }
            if (item.fn != 0) w.lastFn = item.fn;
            long wire = ++wireSequence;
            Job job = new Job(wire, item.fn, item.work);
            if (w.sent.isEmpty()) {
                vm.sendMessage(w.id, job); // an idle worker waits in receive: it reads at once
            } else if (!vm.trySendMessage(w.id, job, Duration.ZERO)) {
                return false;
            }
            item.wire = wire;
        } catch (VmException e) {
            if (SendProbe.cannotSend(vm, item.fn != 0 && !w.hasFunction(item.fn) ? item.run.function : item.work)) {
                ledger.unsendable(item, e);
            } else {
                LOG.warn("the task farm could not reach its worker {}: {}", w.id, e.getMessage());
                w.dead = true;
                ledger.requeue(item);
            }
            return true;
        }
        item.worker = w.id;
        item.startedAt = 0;
        w.sent.addLast(item);
        inFlight++;
        if (w.sent.size() == 1) started(item);
        return true;
    }

    /** {@code item} is now first in its worker's list: it runs now. */
    private void started(Item item) {
        item.startedAt = System.nanoTime();
        ledger.itemStarted(item);
        if (item.timeoutNanos > 0 && !item.resolved) ledger.noteDeadline(item.startedAt + item.timeoutNanos);
    }

    @Override
    public boolean onMessage(Received r) {
        Object m = r.message();
        Worker w = workers.get(r.sender());
        if (w != null) {
            if (m instanceof Outcome o) {
                outcome(w, o);
                return true;
            }
            if (m instanceof TaskResult res) {
                if (!res.success()) {
                    LOG.warn("task farm worker {} failed:\n{}", w.id, res.error());
                    ledger.workerError(res.error());
                }
                return true;
            }
            if (m instanceof TaskExit exit) {
                ended(w, exit.reason());
                return true;
            }
            return false; // a farm task's own message to its parent
        }
        if (m instanceof Outcome || (former.contains(r.sender()) && (m instanceof TaskResult || m instanceof TaskExit))) {
            LOG.debug("the task farm dropped {} from its former worker {}", m, r.sender());
            return true;
        }
        if (m instanceof HostAdded added && !ledger.isStopping()) {
            spawnWorkers(added.slots().size(), List.of(added.host()));
            ledger.pump();
        }
        return false;
    }

    @Override
    public boolean anyFull() {
        return fullWorkers > 0;
    }

    @Override
    public void forgetFull() {
        for (Worker w : order) w.full = false;
        fullWorkers = 0;
    }

    private void outcome(Worker w, Outcome o) {
        if (w.full) {
            w.full = false;
            fullWorkers--;
        }
        Item item = null;
        boolean first = true;
        for (Iterator<Item> it = w.sent.iterator(); it.hasNext(); ) {
            Item candidate = it.next();
            if (candidate.wire == o.id()) {
                it.remove();
                item = candidate;
                break;
            }
            first = false;
        }
        if (item == null) {
            LOG.debug("the task farm dropped a report for unknown job {} from {}", o.id(), w.id);
            return;
        }
        if (!item.tombstone) inFlight--;
        if (first) {
            w.blocked = false;
            Item head = w.sent.peekFirst();
            if (head != null) started(head);
        }
        if (!item.resolved) {
            switch (o.status()) {
                case Outcome.OK -> ledger.succeeded(item, o.value());
                case Outcome.THREW -> ledger.threw(item, String.valueOf(o.value()));
                default -> ledger.requeue(item); // skipped although we did not ask: send it again
            }
        }
        ledger.pump();
    }

    /** A worker task ended: its jobs run again elsewhere; a crashed one is replaced. */
    private void ended(Worker w, TaskExit.Reason reason) {
        workers.remove(w.id);
        order.remove(w);
        if (w.full) {
            w.full = false;
            fullWorkers--;
        }
        former.add(w.id);
        if (next >= order.size()) next = 0;
        w.dead = true;
        String where = "worker " + w.id + (reason == TaskExit.Reason.LOST ? " (its host was lost)" : " (it " + reason + ")");
        // Only the first job had started; the ones behind it never ran and are not counted as lost runs.
        Item[] sent = w.sent.toArray(new Item[0]);
        for (Item item : sent) if (!item.tombstone) inFlight--;
        for (int i = sent.length - 1; i >= 0; i--) {
            if (!sent[i].resolved) ledger.lost(sent[i], where, i == 0);
        }
        w.sent.clear();
        if (ledger.isStopping()) return;
        if (reason == TaskExit.Reason.LOST) {
            LOG.info("task farm worker {} was lost; {} workers left", w.id, workers.size()); // vm-core has warned of the rank
        } else if (unexpectedExits++ < MAX_REPLACEMENTS) {
            // It died of something in a message (e.g. a class missing on that rank): start a fresh one.
            LOG.warn("task farm worker {} ended ({}); starting a replacement", w.id, reason);
            spawnWorkers(1, null);
        }
        if (workers.isEmpty()) ledger.noWorkersLeft("its last worker, " + w.id + ", ended: " + reason);
        ledger.pump();
    }

    @Override
    public void cancel(Item item) {
        Worker w = item.worker == null ? null : workers.get(item.worker);
        if (w == null) return;
        skip(w, item.wire);
        if (w.sent.peekFirst() == item) blockBehind(w, item);
    }

    private void skip(Worker w, long wire) {
        try {
            vm.sendMessage(w.id, new SkipJob(wire));
        } catch (VmException e) {
            LOG.debug("could not withdraw job {} from {}: {}", wire, w.id, e.getMessage());
        }
    }

    /**
     * The first job of {@code w} is resolved but still runs: block the worker and move the
     * jobs queued behind it to other workers (a tombstone keeps each one's place until the
     * worker confirms the skip).
     */
    private void blockBehind(Worker w, Item head) {
        w.blocked = true;
        List<Item> moved = new ArrayList<>();
        for (Iterator<Item> it = w.sent.iterator(); it.hasNext(); ) {
            Item item = it.next();
            if (item == head || item.tombstone) continue;
            skip(w, item.wire);
            if (!item.resolved) {
                inFlight--;
                moved.add(item);
            }
        }
        if (moved.isEmpty()) return;
        // Replace the moved items by tombstones, keeping the order.
        ArrayDeque<Item> kept = new ArrayDeque<>();
        for (Item item : w.sent) kept.add(moved.contains(item) ? Item.tombstone(item.wire) : item);
        w.sent.clear();
        w.sent.addAll(kept);
        for (int i = moved.size() - 1; i >= 0; i--) ledger.requeue(moved.get(i));
        ledger.pump();
    }

    @Override
    public long checkTimeouts(long now) {
        long nextDeadline = NO_DEADLINE;
        for (int i = 0; i < order.size(); i++) {
            Worker w = order.get(i);
            Item head = w.sent.peekFirst();
            if (head == null || head.resolved || head.timeoutNanos == 0 || head.startedAt == 0) continue;
            long deadline = head.startedAt + head.timeoutNanos;
            if (now - deadline >= 0) {
                ledger.timedOut(head, "worker " + w.id);
                blockBehind(w, head);
            } else if (nextDeadline == NO_DEADLINE || deadline - nextDeadline < 0) {
                nextDeadline = deadline;
            }
        }
        return nextDeadline;
    }

    @Override
    public void forEachInFlight(Consumer<Item> action) {
        for (Worker w : order) {
            for (Item item : w.sent.toArray(new Item[0])) {
                if (!item.tombstone) action.accept(item);
            }
        }
    }

    @Override
    public void forget(MapRun run) {
        for (Worker w : order) {
            if (!w.dead && w.functions.remove(run.fnId)) {
                if (w.lastFn == run.fnId) w.lastFn = 0;
                try {
                    vm.sendMessage(w.id, new InstallFunction(run.fnId, null));
                } catch (VmException e) {
                    LOG.debug("could not tell {} to drop function {}: {}", w.id, run.fnId, e.getMessage());
                }
            }
        }
    }

    @Override
    public void stop() {
        for (Worker w : order) {
            try {
                vm.sendMessage(w.id, new StopWorker());
            } catch (VmException e) {
                LOG.debug("could not stop task farm worker {}: {}", w.id, e.getMessage());
            }
        }
    }

    @Override
    public boolean ended() {
        return workers.isEmpty();
    }

    @Override
    public int workers() {
        int live = 0;
        for (Worker w : order) if (!w.dead) live++;
        return live;
    }

    @Override
    public int inFlight() {
        return inFlight;
    }
}
