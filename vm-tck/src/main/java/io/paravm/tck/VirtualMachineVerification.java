package io.paravm.tck;

import io.paravm.HostId;
import io.paravm.MessageEncodingException;
import io.paravm.Received;
import io.paravm.SlotId;
import io.paravm.Task;
import io.paravm.TaskEndedException;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.TaskResult;
import io.paravm.VirtualMachine;
import io.paravm.VmException;
import io.paravm.VmStatus;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import static io.paravm.tck.TckTasks.collect;
import static io.paravm.tck.TckTasks.echo;
import static io.paravm.tck.TckTasks.resultOf;
import static io.paravm.tck.TckTasks.timeout;
import static io.paravm.tck.TckTasks.waitForOne;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/*
 * Over 400 lines on purpose: one test method per rule of docs/SPEC.md sections 1-7, in the
 * spec's order, so a transport's 7-line subclass inherits the whole contract from one class
 * and a reader checks a rule against the spec side by side. Load rules (section 8) and the
 * farm's rules live in their own suites.
 */
/**
 * <p>Long (~900 lines) because it is the whole of SPEC sections 1-7 in one suite, as the
 * Reactive Streams TCK keeps one class per role: a rule is a test method plus its task, and
 * sections that run in other jobs (flow control, reliability, farm) are classes of their own.
 *
 * The conformance suite for a {@link VirtualMachine} on one engine. A transport module
 * extends it with an empty (or capability-overriding) subclass and runs it through
 * {@link TckLauncher} inside a real job; the tests run on the spawner while the workers
 * sit in their spawn loops. Rules are numbered as in {@code docs/SPEC.md};
 * {@code required_} tests must pass, a test that needs more workers than the job has is
 * skipped with a message saying how many it needs.
 *
 * <pre>{@code
 * public class OpenMpiVerification extends VirtualMachineVerification {
 * }
 * }</pre>
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
public abstract class VirtualMachineVerification extends SpawnerVerification {

    /** Messages sent one way in the FIFO rule (3.8); default 100,000. */
    protected int fifoMessageCount() {
        return 100_000;
    }

    /** The largest payload the payload rule (3.9) sends; default 64 MiB. */
    protected int maxPayloadBytes() {
        return 64 << 20;
    }

    // ------------------------------------------------------------ 1. identity and bookkeeping

    /** Rule 1.1: the spawner is rank 0, task 0:0, with no parent, on a valid host. */
    @Test
    void required_spec1_1_spawnerIsTaskZeroWithoutParent() {
        VirtualMachine vm = vm();
        assertTrue(vm.isSpawner());
        assertEquals(new TaskId(0, 0), vm.taskId());
        assertFalse(vm.parentTaskId().isValid());
        assertEquals(TaskId.bad(), vm.parentTaskId());
        assertTrue(vm.hostId().isValid());
        assertEquals("0:0", vm.taskId().toString());
    }

    /** Rule 1.2: a task sees its own id, the spawner as parent, and its host. */
    @Test
    void required_spec1_2_taskSeesItsIdParentAndHost() {
        VirtualMachine vm = vm();
        TaskId id = vm.spawnFunction(w -> List.of(w.taskId(), w.parentTaskId(), w.hostId(), w.isSpawner()))
                .orElseThrow();
        List<?> seen = (List<?>) resultOf(vm, id);
        assertEquals(id, seen.get(0));
        assertEquals(new TaskId(0, 0), seen.get(1));
        assertEquals(vm.hostId(id), seen.get(2));
        assertEquals(false, seen.get(3));
        assertTrue(id.rank() > 0 && id.number() > 0, "spawned task ids have rank > 0 and number > 0: " + id);
    }

    /** The ranks of the workers, from {@code status()}: a worker offering several slots is listed once. */
    private Set<Integer> workerRanks() {
        Set<Integer> ranks = new TreeSet<>();
        for (VmStatus.Slot s : vm().status().slots()) if (s.rank() != 0) ranks.add(s.rank());
        return ranks;
    }

    /** The workers' slots, from {@code status()}: a worker offering two slots has two. */
    private Set<SlotId> workerSlots() {
        Set<SlotId> slots = new TreeSet<>();
        for (VmStatus.Slot s : vm().status().slots()) if (s.rank() != 0) slots.add(s.id());
        return slots;
    }

    /** Whether a slot of {@code rank} is free. */
    private static boolean hasFreeSlotOn(VirtualMachine vm, int rank) {
        return vm.freeSlotsSet().stream().anyMatch(s -> s.rank() == rank);
    }

    /**
     * Rule 1.3: slots count every rank's slots, the spawner's included (one per rank, or more
     * where workers run several tasks at once); at rest all worker slots are free.
     */
    @Test
    void required_spec1_3_slotsCountEveryRank() {
        VirtualMachine vm = vm();
        assertTrue(vm.slots() >= 2, "a VM has the spawner and at least one worker: " + vm.slots());
        assertEquals(vm.slots() - 1, vm.freeSlots());
        assertEquals(vm.slots(), vm.status().slots().size(), "status lists every slot");
        assertEquals(workerSlots(), vm.freeSlotsSet(), "at rest every worker slot is free");
        int perHost = vm.status().hosts().stream().mapToInt(h -> h.slots().size()).sum();
        assertEquals(vm.slots(), perHost, "the hosts' slots add up to slots()");
    }

    /** Rule 1.4: hosts, hosts with free slots and the host of a task agree with each other. */
    @Test
    void required_spec1_4_hostsAgree() {
        VirtualMachine vm = vm();
        List<HostId> hosts = vm.hosts();
        assertFalse(hosts.isEmpty());
        assertTrue(hosts.contains(vm.hostId()), "the spawner's host is a host: " + hosts);
        assertTrue(hosts.containsAll(vm.hostsWithFreeSlots()));
        assertFalse(vm.hostsWithFreeSlots().isEmpty());
        assertEquals(hosts.size(), new HashSet<>(hosts).size(), "hosts are listed once each");
        for (int r : workerRanks()) assertTrue(hosts.contains(vm.hostId(new TaskId(r, 1))));
    }

    /** Rule 1.5: formatSpawnerConfig and status show free slots, and a busy slot with its task. */
    @Test
    void required_spec1_5_configAndStatusShowBusySlots() {
        VirtualMachine vm = vm();
        String idle = vm.formatSpawnerConfig();
        assertTrue(idle.contains("ncpu=") && idle.contains("free slots: ["), idle);
        assertTrue(idle.contains("slot=   0 task=   0"), "the spawner's slot runs task 0:\n" + idle);

        TaskId id = vm.spawnFunction(waitForOne(), 1, null, true).get(0);
        String busy = vm.formatSpawnerConfig();
        VmStatus st = vm.status();
        VmStatus.Slot slot = st.slots().stream().filter(s -> id.equals(s.task())).findFirst().orElseThrow(
                () -> new AssertionError("status() shows no slot running " + id + ": " + st.slots()));
        assertEquals(id.rank(), slot.rank());
        assertFalse(slot.isFree());
        assertTrue(slot.pid() > 0);
        long slotsOfRank = st.slots().stream().filter(s -> s.rank() == id.rank()).count();
        String shown = slotsOfRank == 1 ? Integer.toString(id.rank()) : slot.id().toString();
        assertTrue(busy.contains(String.format("slot=%4s task=%4d", shown, id.number())), busy);
        assertEquals(vm.slots(), st.slots().size());
        assertEquals(vm.hosts().size(), st.hosts().size());
        assertEquals(vm.slots() - 2, vm.freeSlots(), "one worker slot is busy");
        assertFalse(vm.freeSlotsSet().contains(slot.id()), "the busy slot is not free");

        vm.sendMessage(id, "go");
        assertEquals("go", resultOf(vm, id));
        assertTrue(vm.freeSlotsSet().contains(slot.id()));
        assertTrue(vm.status().slots().stream().filter(s -> s.id().equals(slot.id())).findFirst().orElseThrow().isFree());
    }

    /**
     * Rule 1.6: where a worker offers several slots, every slot query counts slots as
     * {@code freeSlots()} does: {@code freeSlotsSet()} holds one entry per free slot,
     * {@code status()} and {@code formatSpawnerConfig()} list each, and a rank with one busy slot
     * still has its other slots free, its host among {@code hostsWithFreeSlots()}.
     */
    @Test
    void required_spec1_6_slotQueriesCountSlotsNotRanks() {
        requireSlotsPerWorker(2);
        VirtualMachine vm = vm();
        assertSlotQueriesAgree(vm);
        TaskId id = vm.spawnFunction(waitForOne(), 1, null, true).get(0);
        VmStatus.Slot busy = vm.status().slots().stream().filter(s -> id.equals(s.task())).findFirst().orElseThrow();
        assertSlotQueriesAgree(vm);
        assertFalse(vm.freeSlotsSet().contains(busy.id()), "the busy slot " + busy.id() + " is not free");
        List<SlotId> siblings = vm.status().slots().stream()
                .filter(s -> s.rank() == busy.rank() && !s.id().equals(busy.id())).map(VmStatus.Slot::id).toList();
        assertTrue(vm.freeSlotsSet().containsAll(siblings), "rank " + busy.rank() + " still has free slots " + siblings
                + " while " + busy.id() + " runs " + id + ": " + vm.freeSlotsSet());
        if (!siblings.isEmpty()) {
            assertTrue(vm.hostsWithFreeSlots().contains(busy.host()), "a host with a free slot: " + busy.host());
        }
        vm.sendMessage(id, "done");
        assertEquals("done", resultOf(vm, id));
        assertSlotQueriesAgree(vm);
    }

    /** Every slot query agrees with {@code freeSlots()} and {@code slots()}. */
    private static void assertSlotQueriesAgree(VirtualMachine vm) {
        VmStatus st = vm.status();
        Set<SlotId> free = vm.freeSlotsSet();
        assertEquals(vm.freeSlots(), free.size(), "freeSlotsSet() has one entry per free slot: " + free);
        Set<SlotId> freeInStatus = new TreeSet<>();
        for (VmStatus.Slot s : st.slots()) if (s.isFree() && s.rank() != 0) freeInStatus.add(s.id());
        assertEquals(freeInStatus, free, "status() shows the same free slots");
        assertEquals(vm.freeSlots(), st.hosts().stream().mapToInt(h -> h.freeSlots().size()).sum(),
                "the hosts' free slots add up to freeSlots()");
        Set<HostId> withFree = new HashSet<>();
        for (VmStatus.Host h : st.hosts()) if (!h.freeSlots().isEmpty()) withFree.add(h.host());
        assertEquals(withFree, vm.hostsWithFreeSlots());
        String config = vm.formatSpawnerConfig();
        int listed = 0;
        for (String line : config.split("\\R")) {
            int at = line.indexOf("free slots: [");
            if (at < 0) continue;
            String list = line.substring(at + "free slots: [".length(), line.lastIndexOf(']'));
            if (!list.isBlank()) listed += list.split(", ").length;
        }
        assertEquals(vm.freeSlots(), listed, "formatSpawnerConfig() lists each free slot:\n" + config);
    }

    // ------------------------------------------------------------ 2. spawning and results

    /** Rule 2.1: spawnFunction spawns at most count tasks, into free slots only, with distinct ids. */
    @Test
    void required_spec2_1_spawnHonoursCount() {
        VirtualMachine vm = vm();
        List<TaskId> one = vm.spawnFunction(w -> 1, 1, null, true);
        assertEquals(1, one.size());
        List<TaskId> rest = vm.spawnFunction(w -> 2, 1000, null, true);
        assertEquals(workers() - 1, rest.size(), "spawns into every remaining free slot, no more");
        List<TaskId> all = new ArrayList<>(one);
        all.addAll(rest);
        assertEquals(all.size(), new HashSet<>(all).size());
        for (int r : workerRanks()) {
            long slotsOfRank = vm.status().slots().stream().filter(s -> s.rank() == r).count();
            assertEquals(slotsOfRank, all.stream().filter(t -> t.rank() == r).count(), "one task per slot of rank " + r);
        }
        assertEquals(0, vm.freeSlots());
        TckTasks.Outcome o = collect(vm, all);
        assertEquals(all.size(), o.results().size());
        assertEquals(vm.slots() - 1, vm.freeSlots());
        assertEquals(List.of(), vm.spawnFunction(w -> 3, 0, null, true), "count 0 spawns nothing");
    }

    /** Rule 2.2: with a target host list, tasks start only on those hosts. */
    @Test
    void required_spec2_2_spawnOnTargetHosts() {
        VirtualMachine vm = vm();
        HostId target = vm.hostsWithFreeSlots().iterator().next();
        List<TaskId> ids = vm.spawnFunction(w -> w.hostId(), 1000, List.of(target), true);
        assertFalse(ids.isEmpty());
        TckTasks.Outcome o = collect(vm, ids);
        for (TaskId id : ids) {
            assertEquals(target, vm.hostId(id));
            assertEquals(target, o.results().get(id).value());
        }
    }

    /** Rule 2.3: without sendBack a task sends only its TaskExit. */
    @Test
    void required_spec2_3_noSendBackMeansOnlyExit() {
        VirtualMachine vm = vm();
        List<TaskId> ids = vm.spawnFunction(w -> "unseen", 1, null, false);
        TckTasks.Outcome o = collect(vm, ids);
        assertTrue(o.results().isEmpty(), "no TaskResult without sendBack: " + o.results());
        assertEquals(TaskExit.Reason.FINISHED, o.exits().get(ids.get(0)).reason());
    }

    /** Rule 2.4: with no free slot, spawnFunction returns no task and does not wait. */
    @Test
    void required_spec2_4_noFreeSlotSpawnsNothing() {
        VirtualMachine vm = vm();
        List<TaskId> blockers = vm.spawnFunction(waitForOne(), workers(), null, true);
        assertEquals(workers(), blockers.size());
        assertEquals(0, vm.freeSlots());
        assertTrue(vm.freeSlotsSet().isEmpty());
        assertTrue(vm.hostsWithFreeSlots().isEmpty());
        assertEquals(List.of(), vm.spawnFunction(w -> 1, 1, null, true));
        assertTrue(vm.spawnFunction(w -> 1).isEmpty());
        for (TaskId b : blockers) vm.sendMessage(b, "release");
        TckTasks.Outcome o = collect(vm, blockers);
        for (TaskId b : blockers) assertEquals("release", o.results().get(b).value());
    }

    /** Rule 2.5: a task's return value comes back in a TaskResult, then its TaskExit frees the slot. */
    @Test
    void required_spec2_5_resultThenExit() {
        VirtualMachine vm = vm();
        double x = 2.0;
        TaskId id = vm.spawnFunction(w -> Math.sqrt(x) * 10).orElseThrow();
        List<Object> order = new ArrayList<>();
        long deadline = System.nanoTime() + timeout().toNanos();
        while (order.size() < 2 && System.nanoTime() < deadline) {
            vm.receiveMessage(timeout()).ifPresent(r -> {
                assertEquals(id, r.sender());
                order.add(r.message());
            });
        }
        TaskResult res = assertInstanceOf(TaskResult.class, order.get(0), "TaskResult comes first");
        assertTrue(res.success());
        assertEquals(Math.sqrt(2.0) * 10, (Double) res.value(), 0.0);
        assertNull(res.error());
        TaskExit exit = assertInstanceOf(TaskExit.class, order.get(1), "then TaskExit");
        assertEquals(id, exit.taskId());
        assertEquals(TaskExit.Reason.FINISHED, exit.reason());
        assertTrue(hasFreeSlotOn(vm, id.rank()));
    }

    private static void assertNull(Object o) {
        assertTrue(o == null, "expected null, got " + o);
    }

    /** Rule 2.6: a task that throws reports failure with the remote stack trace; its slot is freed. */
    @Test
    void required_spec2_6_exceptionCarriesRemoteStackTrace() {
        VirtualMachine vm = vm();
        TaskId id = vm.spawnFunction(w -> {
            throw new IllegalArgumentException("boom at " + w.taskId());
        }).orElseThrow();
        TckTasks.Outcome o = collect(vm, List.of(id));
        TaskResult res = o.results().get(id);
        assertFalse(res.success());
        assertNull(res.value());
        assertTrue(res.error().contains("IllegalArgumentException"), res.error());
        assertTrue(res.error().contains("boom at " + id), res.error());
        assertTrue(res.error().contains("\tat "), "a stack trace: " + res.error());
        assertEquals(TaskExit.Reason.FAILED, o.exits().get(id).reason());
        assertTrue(hasFreeSlotOn(vm, id.rank()));
        // the worker is still usable
        assertEquals(7, resultOf(vm, vm.spawnFunction(w -> 7).orElseThrow()));
    }

    /** Rule 2.7: every task ends with exactly one TaskExit and slots recycle, over many tasks. */
    @Test
    void required_spec2_7_manyTasksRecycleSlots() {
        VirtualMachine vm = vm();
        int total = 500, done = 0, started = 0;
        Map<TaskId, Integer> inputs = new LinkedHashMap<>();
        long sum = 0, expected = 0;
        long deadline = System.nanoTime() + timeout().toNanos();
        while (done < total) {
            while (started < total && vm.freeSlots() > 0) {
                int n = started++;
                expected += (long) n * n;
                TaskId id = vm.spawnFunction(w -> n * n).orElseThrow();
                inputs.put(id, n);
            }
            Received r = vm.receiveMessage(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))
                    .orElseThrow(() -> new AssertionError("stalled:\n" + vm.formatSpawnerConfig()));
            if (r.message() instanceof TaskResult res) sum += (Integer) res.value();
            if (r.message() instanceof TaskExit) done++;
        }
        assertEquals(expected, sum);
        assertEquals(total, inputs.size(), "task ids are never reused");
    }

    // ------------------------------------------------------------ 3. messages

    /** Rule 3.1: spawner and task exchange messages both ways. */
    @Test
    void required_spec3_1_spawnerAndTaskExchangeMessages() {
        VirtualMachine vm = vm();
        TaskId id = vm.spawnFunction(echo(3), 1, null, true).get(0);
        for (String m : List.of("a", "b", "c")) {
            vm.sendMessage(id, m);
            Received r = vm.receiveMessage(timeout(), id).orElseThrow();
            assertEquals(id, r.sender());
            assertEquals(m, r.message());
        }
        assertEquals(3, resultOf(vm, id));
    }

    /** Rule 3.2: tasks on different workers message each other. */
    @Test
    void required_spec3_2_workerToWorker() {
        requireWorkers(2);
        VirtualMachine vm = vm();
        // A waits for a message from any task and reports who sent it.
        TaskId a = vm.spawnFunction(w -> {
            Received r = w.receiveMessage(timeout()).orElseThrow();
            return List.of(r.sender(), r.message());
        }).orElseThrow();
        TaskId b = vm.spawnFunction(w -> {
            w.sendMessage(a, "from " + w.taskId());
            return null;
        }).orElseThrow();
        TckTasks.Outcome o = collect(vm, List.of(a, b));
        assertEquals(List.of(b, "from " + b), o.results().get(a).value());
    }

    /** Rule 3.3: a zero timeout polls: it returns empty at once when nothing waits. */
    @Test
    void required_spec3_3_pollReturnsEmpty() {
        VirtualMachine vm = vm();
        assertTrue(vm.receiveMessage(Duration.ZERO).isEmpty());
        assertFalse(vm.checkForIncoming());
    }

    /** Rule 3.4: a positive timeout returns empty near the timeout, not before and not long after. */
    @Test
    void required_spec3_4_timedReceiveReturnsNearTimeout() {
        VirtualMachine vm = vm();
        Duration t = Duration.ofMillis(300);
        long start = System.nanoTime();
        assertTrue(vm.receiveMessage(t).isEmpty());
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(elapsedMs >= 290, "returned after " + elapsedMs + " ms, before the 300 ms timeout");
        assertTrue(elapsedMs < 300 + 5_000, "returned " + elapsedMs + " ms after a 300 ms timeout: not 'near'");
    }

    /** Rule 3.5: a negative timeout blocks until a message arrives. */
    @Test
    void required_spec3_5_blockingReceiveWaits() {
        VirtualMachine vm = vm();
        TaskId id = vm.spawnFunction(w -> {
            w.sendMessage(w.parentTaskId(), "late");
            return null;
        }, 1, null, false).get(0);
        Received r = vm.receiveMessage(Duration.ofSeconds(-1)).orElseThrow();
        assertEquals(id, r.sender());
        assertEquals("late", r.message());
        collect(vm, List.of(id));
    }

    /** Rule 3.6: receiving from a given task skips other senders' messages, which stay queued. */
    @Test
    void required_spec3_6_receiveFromGivenTask() {
        requireWorkers(2);
        VirtualMachine vm = vm();
        List<TaskId> ids = vm.spawnFunction(w -> {
            w.sendMessage(w.parentTaskId(), "hi from " + w.taskId());
            return null;
        }, 2, null, false);
        TaskId second = ids.get(1);
        Received r = vm.receiveMessage(timeout(), second).orElseThrow();
        assertEquals(second, r.sender());
        assertEquals("hi from " + second, r.message());
        Received first = vm.receiveMessage(timeout(), ids.get(0)).orElseThrow();
        assertEquals("hi from " + ids.get(0), first.message());
        collect(vm, ids);
    }

    /** Rule 3.7: checkForIncoming reports a waiting message and does not consume it. */
    @Test
    void required_spec3_7_checkForIncomingDoesNotConsume() {
        VirtualMachine vm = vm();
        TaskId id = vm.spawnFunction(TckTasks.greetThenWait("peek"), 1, null, true).get(0);
        TckTasks.awaitIncoming(vm, id);
        assertTrue(vm.checkForIncoming(id), "asking again does not consume");
        assertTrue(vm.checkForIncoming());
        assertEquals("peek", vm.receiveMessage(Duration.ZERO, id).orElseThrow().message());
        vm.sendMessage(id, "done");
        assertEquals("done", resultOf(vm, id));
    }

    /** Rule 3.8: messages between a pair arrive in the order sent, both ways, over many messages. */
    @Test
    void required_spec3_8_fifoBetweenPair() {
        VirtualMachine vm = vm();
        int n = fifoMessageCount();
        TaskId id = vm.spawnFunction(w -> {
            for (int i = 0; i < n; i++) w.sendMessage(w.parentTaskId(), i);
            int expected = 0;
            while (expected < n) {
                Object m = w.receiveMessage(timeout(), w.parentTaskId()).orElseThrow().message();
                if (!Integer.valueOf(expected).equals(m)) return "out of order: expected " + expected + ", got " + m;
                expected++;
            }
            return "ok";
        }).orElseThrow();
        for (int i = 0; i < n; i++) {
            Object m = vm.receiveMessage(timeout(), id).orElseThrow().message();
            assertEquals(i, m, "message " + i + " from the task");
        }
        for (int i = 0; i < n; i++) vm.sendMessage(id, i);
        assertEquals("ok", resultOf(vm, id));
    }

    /** Rule 3.9: byte[] payloads from 0 B to the maximum arrive intact. */
    @Test
    void required_spec3_9_payloadSizes() {
        VirtualMachine vm = vm();
        List<Integer> sizes = new ArrayList<>(List.of(0, 1, 1024, 64 << 10, 1 << 20, 16 << 20, 64 << 20));
        sizes.removeIf(s -> s > maxPayloadBytes());
        TaskId id = vm.spawnFunction(echo(sizes.size()), 1, null, true).get(0);
        for (int size : sizes) {
            byte[] data = new byte[size];
            for (int i = 0; i < size; i++) data[i] = (byte) (i * 31 + (i >>> 8));
            vm.sendMessage(id, data);
            byte[] back = (byte[]) vm.receiveMessage(timeout(), id).orElseThrow().message();
            assertEquals(size, back.length);
            assertTrue(Arrays.equals(data, back), "payload of " + size + " bytes came back changed");
        }
        assertEquals(sizes.size(), resultOf(vm, id));
    }

    /** A user's record type. */
    public record Point(double x, double y, String label) implements Serializable {
    }

    /** An enum of the user's. */
    public enum Colour { RED, GREEN }

    /** Rule 3.10: records, collections, enums, lambdas, primitive arrays, strings and buffers round-trip. */
    @Test
    void required_spec3_10_valueTypesRoundTrip() {
        VirtualMachine vm = vm();
        Function<Integer, Integer> twice = (Function<Integer, Integer> & Serializable) v -> 2 * v;
        Map<String, List<Integer>> map = new LinkedHashMap<>();
        map.put("a", List.of(1, 2));
        map.put("b", new ArrayList<>(List.of(3)));
        List<Object> values = List.of(new Point(1.5, -2, "p"), map, Set.of("x"), Colour.GREEN,
                new int[]{1, 2, 3}, new long[]{1L << 40}, new double[]{Math.PI, -0.0}, new float[]{1.5f},
                new short[]{-3}, new char[]{'é', 'z'}, "unicode ✓ ÿ", 42L, new TaskId(3, 4),
                new IllegalStateException("carried"));
        TaskId id = vm.spawnFunction(echo(values.size() + 2), 1, null, true).get(0);
        for (Object v : values) {
            vm.sendMessage(id, v);
            Object back = vm.receiveMessage(timeout(), id).orElseThrow().message();
            if (v instanceof int[] a) assertArrayEquals(a, (int[]) back);
            else if (v instanceof long[] a) assertArrayEquals(a, (long[]) back);
            else if (v instanceof double[] a) assertArrayEquals(a, (double[]) back);
            else if (v instanceof float[] a) assertArrayEquals(a, (float[]) back);
            else if (v instanceof short[] a) assertArrayEquals(a, (short[]) back);
            else if (v instanceof char[] a) assertArrayEquals(a, (char[]) back);
            else if (v instanceof Exception e) {
                Exception got = assertInstanceOf(IllegalStateException.class, back);
                assertEquals(e.getMessage(), got.getMessage());
                assertTrue(got.getStackTrace().length > 0, "the stack trace travels");
            } else assertEquals(v, back);
        }
        vm.sendMessage(id, twice);
        @SuppressWarnings("unchecked")
        Function<Integer, Integer> back = (Function<Integer, Integer>) vm.receiveMessage(timeout(), id).orElseThrow().message();
        assertEquals(42, back.apply(21));
        vm.sendMessage(id, ByteBuffer.wrap(new byte[]{9, 8, 7}));
        ByteBuffer buf = (ByteBuffer) vm.receiveMessage(timeout(), id).orElseThrow().message();
        assertEquals(ByteBuffer.wrap(new byte[]{9, 8, 7}), buf);
        assertEquals(values.size() + 2, resultOf(vm, id));
    }

    /** Rule 3.11: a message a worker sends to a task that has ended is discarded, never given to a later task. */
    @Test
    void required_spec3_11_messagesToEndedTasksAreDiscarded() {
        requireWorkers(2);
        VirtualMachine vm = vm();
        TaskId ended = vm.spawnFunction(w -> null, 1, null, false).get(0);
        collect(vm, List.of(ended));
        // One relay per worker; one of them messages the ended task, the rest are released.
        List<TaskId> relays = vm.spawnFunction(TckTasks.relay(), 1000, null, true);
        // Another rank's task if there is one; else a task on the same rank (a worker with several slots).
        TaskId sender = relays.stream().filter(t -> t.rank() != ended.rank()).findFirst().orElse(relays.get(0));
        for (TaskId t : relays) vm.sendMessage(t, t.equals(sender) ? ended : "release");
        TckTasks.Outcome o = collect(vm, relays);
        assertEquals(ended, o.results().get(sender).value(), "the relay sent to the ended task");
        // Fresh tasks everywhere, the ended task's rank included, see only what is sent to them.
        List<TaskId> fresh = vm.spawnFunction(waitForOne(), 1000, null, true);
        assertTrue(fresh.stream().anyMatch(t -> t.rank() == ended.rank()));
        for (TaskId t : fresh) vm.sendMessage(t, "only this");
        TckTasks.Outcome after = collect(vm, fresh);
        for (TaskId t : fresh) assertEquals("only this", after.results().get(t).value(), "task " + t);
    }

    /**
     * Rule 3.12: where a worker runs several tasks, {@code checkForIncoming(from)} and
     * {@code receiveMessage(timeout, from)} match the task, not its rank: a message from one task
     * does not answer for another task on the same rank.
     */
    @Test
    void required_spec3_12_filteredCallsMatchTheTaskNotItsRank() {
        requireSlotsPerWorker(2);
        VirtualMachine vm = vm();
        List<TaskId> all = vm.spawnFunction(TckTasks.sameRankSender(), 1000, null, true);
        Map<Integer, List<TaskId>> byRank = new LinkedHashMap<>();
        for (TaskId t : all) byRank.computeIfAbsent(t.rank(), r -> new ArrayList<>()).add(t);
        List<TaskId> pair = byRank.values().stream().filter(ts -> ts.size() >= 2).findFirst().orElseThrow(
                () -> new AssertionError("no worker ran two tasks at once: " + byRank));
        TaskId first = pair.get(0);
        TaskId second = pair.get(1);
        for (TaskId t : all) if (!t.equals(first) && !t.equals(second)) vm.sendMessage(t, "release");
        vm.sendMessage(second, "second");
        vm.sendMessage(first, second);
        assertEquals("from the second", vm.receiveMessage(timeout(), second).orElseThrow().message());
        // The first sent before it told the second to go, from the same rank: its message is here too.
        assertFalse(vm.checkForIncoming(second), "a message from " + first + " answered for " + second
                + ", another task on rank " + second.rank());
        assertTrue(vm.receiveMessage(Duration.ZERO, second).isEmpty(), "nothing more from " + second);
        assertTrue(vm.checkForIncoming(first), "the message from " + first + " waits");
        assertEquals("from the first", vm.receiveMessage(Duration.ZERO, first).orElseThrow().message());
        vm.sendMessage(first, "done");
        vm.sendMessage(second, "done");
        TckTasks.Outcome o = collect(vm, all);
        assertEquals(second, o.results().get(first).value());
        assertEquals("second", o.results().get(second).value());
    }

    // ------------------------------------------------------------ 4. bad input

    /** Rule 4.1: an invalid destination is refused with a clear error, and the VM stays usable. */
    @Test
    void required_spec4_1_invalidDestinationRefused() {
        VirtualMachine vm = vm();
        VmException e = assertThrows(VmException.class, () -> vm.sendMessage(TaskId.bad(), "x"));
        assertTrue(e.getMessage().contains("not a valid task id"), e.getMessage());
        assertNullRefused("destination", () -> vm.sendMessage(null, "x"));
        e = assertThrows(VmException.class, () -> vm.sendMessage(new TaskId(9999, 1), "x"));
        assertTrue(e.getMessage().contains("9999"), e.getMessage());
        e = assertThrows(VmException.class, () -> vm.sendMessage(new TaskId(0, 5), "x"));
        assertTrue(e.getMessage().contains("0:0"), e.getMessage());
        assertUsable(vm);
    }

    /** Rule 4.2: a stale (ended) or never-spawned task id is refused on the spawner. */
    @Test
    void required_spec4_2_staleAndUnknownTaskRefused() {
        VirtualMachine vm = vm();
        TaskId ended = vm.spawnFunction(w -> null, 1, null, false).get(0);
        collect(vm, List.of(ended));
        VmException e = assertThrows(TaskEndedException.class, () -> vm.sendMessage(ended, "late"));
        assertTrue(e.getMessage().contains("has ended"), e.getMessage());
        TaskId never = new TaskId(1, 1_000_000);
        e = assertThrows(VmException.class, () -> vm.sendMessage(never, "x"));
        assertTrue(e.getMessage().contains("never spawned"), e.getMessage());
        assertUsable(vm);
    }

    /** Rule 4.3: a payload that cannot be serialized fails at the sender; nothing is sent. */
    @Test
    void required_spec4_3_unserializablePayloadFailsAtSender() {
        VirtualMachine vm = vm();
        TaskId id = vm.spawnFunction(echo(1), 1, null, true).get(0);
        Runnable notSerializable = () -> { };
        VmException e = assertThrows(MessageEncodingException.class, () -> vm.sendMessage(id, notSerializable));
        assertTrue(e.getMessage().contains("not serializable"), e.getMessage());
        VmException e2 = assertThrows(MessageEncodingException.class, () -> vm.sendMessage(id, new Holder(Thread.currentThread())));
        assertTrue(e2.getMessage().contains(Holder.class.getName()), e2.getMessage());
        vm.sendMessage(id, "after");
        assertEquals("after", vm.receiveMessage(timeout(), id).orElseThrow().message(),
                "the failed sends sent nothing: the echo's first message is the good one");
        assertEquals(1, resultOf(vm, id));
    }

    /** Holds something Kryo cannot write. */
    static final class Holder {
        final Object inner;

        Holder(Object inner) {
            this.inner = inner;
        }
    }

    /** Rule 4.4: spawner-only calls on a worker fail with a message naming the call and the fix. */
    @Test
    void required_spec4_4_spawnerOnlyCallsFailOnWorker() {
        VirtualMachine vm = vm();
        TaskId id = vm.spawnFunction(w -> {
            List<String> errors = new ArrayList<>();
            List<Task<Object>> calls = List.of(x -> x.slots(), x -> x.freeSlots(), x -> x.freeSlotsSet(),
                    x -> x.hosts(), x -> x.hostsWithFreeSlots(), x -> x.formatSpawnerConfig(), x -> x.status(),
                    x -> x.hostId(x.taskId()), x -> x.spawnFunction(y -> 1, 1, null, true));
            for (Task<Object> c : calls) {
                try {
                    c.run(w);
                    errors.add("no error");
                } catch (VmException ex) {
                    errors.add(ex.getMessage());
                }
            }
            return errors;
        }).orElseThrow();
        @SuppressWarnings("unchecked")
        List<String> errors = (List<String>) resultOf(vm, id);
        assertEquals(9, errors.size());
        for (String m : errors) assertTrue(m.contains("works only on the spawner"), m);
        assertThrows(VmException.class, vm::runWorkerLoop, "the spawner has no spawn loop");
    }

    /** Rule 4.5: a null task, a negative count and an unknown target host are refused; nothing is spawned. */
    @Test
    void required_spec4_5_badSpawnArgumentsRefused() {
        VirtualMachine vm = vm();
        int free = vm.freeSlots();
        assertNullRefused("task", () -> vm.spawnFunction(null, 1, null, true));
        VmException e = assertThrows(VmException.class, () -> vm.spawnFunction(w -> 1, -1, null, true));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        e = assertThrows(VmException.class, () -> vm.spawnFunction(w -> 1, 1, List.of(new HostId("no-such-host.invalid")), true));
        assertTrue(e.getMessage().contains("no-such-host.invalid"), e.getMessage());
        assertEquals(free, vm.freeSlots(), "nothing was spawned");
        assertUsable(vm);
    }

    /** Rule 4.6: a task's return value that cannot be serialized is reported as a failure, not lost. */
    @Test
    void required_spec4_6_unserializableResultReported() {
        VirtualMachine vm = vm();
        TaskId id = vm.spawnFunction(w -> new Holder(Thread.currentThread())).orElseThrow();
        TckTasks.Outcome o = collect(vm, List.of(id));
        TaskResult res = o.results().get(id);
        assertFalse(res.success());
        assertTrue(res.error().contains("serialize"), res.error());
        assertUsable(vm);
    }

    /** What a bad call must leave as it was: slots, free slots, hosts, and no message waiting. */
    private record Bookkeeping(int slots, Set<SlotId> free, List<HostId> hosts) {
        static Bookkeeping of(VirtualMachine vm) {
            return new Bookkeeping(vm.slots(), new TreeSet<>(vm.freeSlotsSet()), vm.hosts());
        }
    }

    private static void assertNothingChanged(VirtualMachine vm, Bookkeeping before) {
        assertEquals(before, Bookkeeping.of(vm), "a refused call changed the bookkeeping");
        assertFalse(vm.checkForIncoming(), "a refused call made a message arrive");
    }

    /** Asserts {@code call} throws a NullPointerException whose message names {@code parameter}. */
    private static void assertNullRefused(String parameter, org.junit.jupiter.api.function.Executable call) {
        NullPointerException e = assertThrows(NullPointerException.class, call, "a null " + parameter);
        assertTrue(e.getMessage() != null && e.getMessage().contains(parameter),
                "the message should name the parameter " + parameter + ": " + e.getMessage());
    }

    /** Asserts {@code call} throws a VmException whose message contains {@code naming}. */
    private static void assertRefused(String naming, org.junit.jupiter.api.function.Executable call) {
        VmException e = assertThrows(VmException.class, call, "expected a VmException naming " + naming);
        assertTrue(e.getMessage().contains(naming), "the message should name " + naming + ": " + e.getMessage());
    }

    /** Rule 4.7: bad arguments to receiveMessage and checkForIncoming are refused; nothing is consumed. */
    @Test
    void required_spec4_7_badReceiveArgumentsRefused() {
        VirtualMachine vm = vm();
        TaskId id = vm.spawnFunction(TckTasks.greetThenWait("waiting")).orElseThrow();
        TckTasks.awaitIncoming(vm, id);
        Bookkeeping before = Bookkeeping.of(vm);
        assertNullRefused("timeout", () -> vm.receiveMessage(null));
        assertNullRefused("timeout", () -> vm.receiveMessage(null, id));
        assertNullRefused("from", () -> vm.receiveMessage(Duration.ZERO, null));
        assertRefused("has no rank", () -> vm.receiveMessage(Duration.ZERO, TaskId.bad()));
        assertRefused("9999", () -> vm.receiveMessage(Duration.ZERO, new TaskId(9999, 1)));
        assertNullRefused("from", () -> vm.checkForIncoming(null));
        assertRefused("has no rank", () -> vm.checkForIncoming(TaskId.bad()));
        assertRefused("9999", () -> vm.checkForIncoming(new TaskId(9999, 1)));
        assertEquals(before, Bookkeeping.of(vm));
        assertEquals("waiting", vm.receiveMessage(timeout(), id).orElseThrow().message(), "the waiting message is still there");
        vm.sendMessage(id, "done");
        assertEquals("done", resultOf(vm, id));
    }

    /** Rule 4.8: hostId of a null, invalid or unknown task is refused, naming it. */
    @Test
    void required_spec4_8_badHostQueriesRefused() {
        VirtualMachine vm = vm();
        Bookkeeping before = Bookkeeping.of(vm);
        assertNullRefused("task", () -> vm.hostId(null));
        assertRefused("has no rank", () -> vm.hostId(TaskId.bad()));
        assertRefused("9999", () -> vm.hostId(new TaskId(9999, 1)));
        assertNothingChanged(vm, before);
    }

    /** Rule 4.9: on a worker, bad destinations and receive arguments are refused; the task goes on. */
    @Test
    void required_spec4_9_badCallsOnAWorkerRefused() {
        VirtualMachine vm = vm();
        Bookkeeping before = Bookkeeping.of(vm);
        TaskId id = vm.spawnFunction(w -> {
            Map<String, String> errors = new LinkedHashMap<>();
            Map<String, Task<Object>> calls = new LinkedHashMap<>();
            calls.put("NullPointerException: destination", x -> {
                x.sendMessage(null, "m");
                return null;
            });
            calls.put("not a valid task id", x -> {
                x.sendMessage(TaskId.bad(), "m");
                return null;
            });
            calls.put("9999", x -> {
                x.sendMessage(new TaskId(9999, 1), "m");
                return null;
            });
            calls.put("0:5", x -> {
                x.sendMessage(new TaskId(0, 5), "m");
                return null;
            });
            calls.put("NullPointerException: timeout", x -> x.receiveMessage(null));
            calls.put("has no rank", x -> x.receiveMessage(Duration.ZERO, TaskId.bad()));
            calls.put("rank 9999", x -> x.checkForIncoming(new TaskId(9999, 1)));
            for (Map.Entry<String, Task<Object>> c : calls.entrySet()) {
                try {
                    c.getValue().run(w);
                    errors.put(c.getKey(), "no error");
                } catch (VmException | NullPointerException ex) {
                    errors.put(c.getKey(), (ex instanceof VmException ? "VmException: " : "NullPointerException: ")
                            + ex.getMessage());
                }
            }
            w.sendMessage(w.parentTaskId(), "after the bad calls");
            return errors;
        }).orElseThrow();
        assertEquals("after the bad calls", vm.receiveMessage(timeout(), id).orElseThrow().message(),
                "nothing the bad sends tried reached the spawner first");
        @SuppressWarnings("unchecked")
        Map<String, String> errors = (Map<String, String>) resultOf(vm, id);
        assertEquals(7, errors.size());
        String npe = "NullPointerException: ";
        errors.forEach((naming, message) -> assertTrue(naming.startsWith(npe)
                ? message.startsWith(npe) && message.contains(naming.substring(npe.length()))
                : message.startsWith("VmException: ") && message.contains(naming), "should name " + naming + ": " + message));
        assertNothingChanged(vm, before);
    }

    /** Rule 4.10: a target host list holding null, an invalid or an unknown host is refused; nothing is spawned. */
    @Test
    void required_spec4_10_badTargetHostsRefused() {
        VirtualMachine vm = vm();
        Bookkeeping before = Bookkeeping.of(vm);
        HostId real = vm.hostsWithFreeSlots().iterator().next();
        assertNullRefused("targets", () -> vm.spawnFunction(w -> 1, 1, Arrays.asList(real, null), true));
        assertRefused("not valid", () -> vm.spawnFunction(w -> 1, 1, List.of(HostId.bad()), true));
        assertRefused("no-such-host.invalid", () -> vm.spawnFunction(w -> 1, 1,
                List.of(real, new HostId("no-such-host.invalid")), true));
        assertNothingChanged(vm, before);
        assertEquals(List.of(), vm.spawnFunction(w -> 1, 1, List.of(), true), "an empty target list spawns nothing");
        assertUsable(vm);
    }

    /**
     * Rule 4.11: a message or a result holding a class outside the deserialization allow-list
     * (here {@code java.net.URI}) fails at its sender, naming the class and
     * {@code paravm.codec.allow}; nothing is sent.
     */
    @Test
    void required_spec4_11_classesOutsideTheAllowListRefusedAtTheSender() {
        VirtualMachine vm = vm();
        TaskId id = vm.spawnFunction(echo(1), 1, null, true).get(0);
        VmException e = assertThrows(VmException.class,
                () -> vm.sendMessage(id, List.of(java.net.URI.create("http://example.invalid/"))));
        assertTrue(e.getMessage().contains("java.net.URI") && e.getMessage().contains("paravm.codec.allow"), e.getMessage());
        vm.sendMessage(id, "after");
        assertEquals("after", vm.receiveMessage(timeout(), id).orElseThrow().message(), "the refused message was not sent");
        assertEquals(1, resultOf(vm, id));
        TaskId uri = vm.spawnFunction(w -> java.net.URI.create("http://example.invalid/")).orElseThrow();
        TaskResult res = collect(vm, List.of(uri)).results().get(uri);
        assertFalse(res.success());
        assertTrue(res.error().contains("java.net.URI") && res.error().contains("paravm.codec.allow"), res.error());
        assertUsable(vm);
    }

    private static void assertUsable(VirtualMachine vm) {
        TaskId id = vm.spawnFunction(echo(1), 1, null, true).get(0);
        vm.sendMessage(id, "still usable");
        assertEquals("still usable", vm.receiveMessage(timeout(), id).orElseThrow().message());
        assertEquals(1, resultOf(vm, id));
    }

    /**
     * Computes (polls the file system, never the VM) until {@code marker} exists, at most 30 s; then reads one message from the spawner: returns "released LENGTH", or
     * "never released" if the marker did not come.
     */
    static Task<String> computesUntil(String marker) {
        return vm -> {
            long deadline = System.nanoTime() + 30_000_000_000L;
            java.nio.file.Path m = java.nio.file.Path.of(marker);
            boolean released = false;
            while (System.nanoTime() < deadline && !(released = java.nio.file.Files.exists(m))) {
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000); // the user's computation
            }
            Object message = vm.receiveMessage(timeout(), vm.parentTaskId())
                    .orElseThrow(() -> new IllegalStateException("no message")).message();
            return (released ? "released " : "never released ") + ((byte[]) message).length;
        };
    }

    /**
     * Rule 3.13: a task that computes without looking at the VM does not hold up a sender: a
     * 16 MiB message to it (past any MPI eager limit, so the engine completes the send only
     * when the receiving rank polls) returns while the task still computes, because the
     * task's rank drains the engine meanwhile. (With one slot per worker the task runs on the
     * thread that would otherwise poll.)
     */
    @Test
    void required_spec3_13_aComputingTaskDoesNotHoldUpItsSender(org.junit.jupiter.api.TestReporter report) throws Exception {
        requireWorkers(1);
        VirtualMachine vm = vm();
        java.nio.file.Path marker = java.nio.file.Files.createTempFile("paravm-tck-release-", ".marker");
        java.nio.file.Files.delete(marker);
        try {
            TaskId computing = vm.spawnFunction(computesUntil(marker.toString())).orElseThrow();
            long t0 = System.nanoTime();
            vm.sendMessage(computing, new byte[16 << 20]);
            long sentMillis = (System.nanoTime() - t0) / 1_000_000;
            java.nio.file.Files.createFile(marker);
            String got = (String) resultOf(vm, computing);
            report.publishEntry("figures", "a 16 MiB message to a computing task: sendMessage returned after "
                    + sentMillis + " ms; the task says: " + got);
            assertEquals("released " + (16 << 20), got, "sendMessage returned only once the task stopped computing");
        } finally {
            java.nio.file.Files.deleteIfExists(marker);
        }
    }
}
