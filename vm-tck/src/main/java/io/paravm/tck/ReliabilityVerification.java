package io.paravm.tck;

import io.paravm.Received;
import io.paravm.Task;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.TaskResult;
import io.paravm.VirtualMachine;
import io.paravm.VmException;
import io.paravm.VmStatus;
import io.paravm.farm.TaskFarm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import java.util.zip.CRC32;

import static io.paravm.tck.TckTasks.resultOf;
import static io.paravm.tck.TckTasks.timeout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Long (~640 lines) on purpose: SPEC section 8 in one suite, one test method per rule in the
 * spec's order, each with the small tasks it sends to the workers and its measurements beside
 * it; the flow-control rules (section 9) moved to {@link FlowControlVerification}.
 *
 * <p>Load and ordering (docs/SPEC.md, section 8): floods of small messages, thousands of
 * failing tasks, a 256 MiB payload, and payloads whose serialization fails halfway. Slow
 * (about a minute per transport on an idle machine; more on Hazelcast), so the transport
 * modules run it in their {@code reliability} profile, in a job of 3 ranks whose JVMs have
 * room for the large payload ({@code -Xmx2g}); rules that need 2 worker slots are skipped
 * in smaller jobs.
 *
 * <p>Memory under load, as ParaVM behaves and this class checks it: a sender is not slowed
 * down by a receiver that falls behind (Hazelcast's window of frames in flight is
 * returned as frames arrive, not as they are read). The receiver keeps every message it
 * has not read yet, in its heap, at a bounded cost per message:
 * {@value #BACKLOG_BYTES_PER_MESSAGE_MAX} bytes at most for a small message (a 22-byte
 * frame), and once it has read them its heap returns to within
 * {@value #HEAP_SLACK_MIB} MiB of where it was. A receiver that may fall far behind needs
 * heap for that backlog.
 *
 * <pre>{@code
 * mpirun -np 3 java -Xmx2g -Dparavm.worker.slots=2 ... io.paravm.tck.TckLauncher \
 *     --verification io.paravm.tck.ReliabilityVerification --reports target/tck/reliability
 * }</pre>
 */
public class ReliabilityVerification extends SpawnerVerification {

    /** Messages in each flood (rules 8.1 and 8.2). */
    public static final int FLOOD_MESSAGES = 1_000_000;
    /**
     * Messages left waiting in rule 8.3. Fewer than a flood: a receiver waiting for one
     * sender looks through everything waiting from others at each frame it takes, so a
     * backlog of n costs it O(n^2) time (a million took 36 to 141 s here).
     */
    public static final int BACKLOG_MESSAGES = 100_000;
    /** Failing tasks in rule 8.3. */
    public static final int FAILING_TASKS = 10_000;
    /** The large payload of rule 8.4: 256 MiB. */
    public static final int LARGE_PAYLOAD_BYTES = 256 << 20;
    /** Stated bound: heap a receiver spends per small message waiting to be read. */
    public static final long BACKLOG_BYTES_PER_MESSAGE_MAX = 256;
    /** Stated bound: how far above its level before a load a JVM's heap (after GC) may stay after it. */
    public static final long HEAP_SLACK_MIB = 32;
    /** Stated bound: threads a JVM may have more after 10,000 failed tasks than before (engines' own pools). */
    public static final int THREAD_SLACK = 8;

    private static final TaskId SPAWNER = new TaskId(0, 0);

    /** How long one flood step may take: floods are long, so five times the TCK's single wait. */
    private static Duration floodWait() {
        return timeout().multipliedBy(5);
    }

    // ------------------------------------------------------------ measuring a JVM

    /** A JVM's heap in use after a full collection, and its live threads. */
    public record Footprint(long pid, long heapUsedBytes, int threads) implements Serializable {
    }

    /** Measures this JVM; {@code System.gc()} is a full, compacting collection on the JDK's default collector. */
    static Footprint footprint() {
        for (int i = 0; i < 3; i++) System.gc();
        return new Footprint(ProcessHandle.current().pid(), ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(),
                ManagementFactory.getThreadMXBean().getThreadCount());
    }

    /** One footprint per worker JVM (and the spawner's), keyed by pid; spawns into every free slot. */
    private Map<Long, Footprint> footprints() {
        VirtualMachine vm = vm();
        Map<Long, Footprint> byPid = new LinkedHashMap<>();
        List<TaskId> ids = vm.spawnFunction(w -> footprint(), vm.freeSlots(), null, true);
        TckTasks.Outcome o = TckTasks.collect(vm, ids);
        for (TaskId id : ids) {
            TaskResult r = o.results().get(id);
            assertTrue(r.success(), () -> "footprint task " + id + " failed:\n" + r.error());
            Footprint f = (Footprint) r.value();
            byPid.putIfAbsent(f.pid(), f);
        }
        Footprint mine = footprint();
        byPid.put(mine.pid(), mine); // under MPJ multicore the ranks are threads of this JVM: measure it last
        return byPid;
    }

    // ------------------------------------------------------------ roles

    /**
     * Waits for its role from the spawner: a {@link Task} it then runs, or anything else,
     * which it returns. Lets the spawner choose which task (on which rank) does what.
     */
    static Task<Object> awaitRole() {
        return w -> {
            Object role = w.receiveMessage(timeout(), SPAWNER).orElseThrow(
                    () -> new IllegalStateException("no role from the spawner in " + timeout())).message();
            if (role instanceof Task<?> t) return t.run(w);
            return role;
        };
    }

    /** Tasks in every free slot, each waiting for its role; the first is the receiver, the second on another rank if any. */
    private List<TaskId> spawnRoles() {
        VirtualMachine vm = vm();
        requireWorkers(2);
        List<TaskId> ids = new ArrayList<>(vm.spawnFunction(awaitRole(), vm.freeSlots(), null, true));
        TaskId receiver = ids.get(0);
        TaskId sender = ids.stream().filter(t -> t.rank() != receiver.rank()).findFirst().orElse(ids.get(1));
        ids.remove(sender);
        ids.add(1, sender);
        return ids;
    }

    /** Sends {@code count} messages {@code [senderIndex, sequence]} to {@code to}; returns the count. */
    static Task<Object> flood(TaskId to, int senderIndex, int count) {
        return w -> {
            for (int i = 0; i < count; i++) w.sendMessage(to, new int[]{senderIndex, i});
            return count;
        };
    }

    /** What a receiving task saw. */
    public record ReceiverReport(Footprint before, Footprint withBacklog, Footprint after, long received,
                                 String firstError) implements Serializable {
    }

    /**
     * Checks one message of a flood: from the expected sender, in order. Returns an error,
     * or null; advances {@code next}.
     */
    static String check(Received r, Map<TaskId, Integer> senderIndex, int[] next) {
        Integer index = senderIndex.get(r.sender());
        if (index == null) return "a message from " + r.sender() + ", which is not a sender: " + r.message();
        if (!(r.message() instanceof int[] m) || m.length != 2 || m[0] != index) {
            return "a message from " + r.sender() + " that it did not send: " + r.message();
        }
        if (m[1] != next[index]) {
            return "from " + r.sender() + " expected message " + next[index] + ", got " + m[1]
                    + (m[1] < next[index] ? " (a duplicate or reordered)" : " (one was lost or reordered)");
        }
        next[index]++;
        return null;
    }

    /**
     * Receives {@code perSender} messages from each of {@code senders}, checking each. With
     * {@code backlog}, first waits for the spawner's go (the senders flood meanwhile, and
     * everything waits in this JVM), measuring the heap before and then.
     */
    static Task<Object> receiver(List<TaskId> senders, int perSender, boolean backlog, long waitNanos) {
        return w -> {
            Duration wait = Duration.ofNanos(waitNanos);
            Map<TaskId, Integer> index = new HashMap<>();
            for (int i = 0; i < senders.size(); i++) index.put(senders.get(i), i);
            Footprint before = footprint();
            w.sendMessage(SPAWNER, "ready");
            Footprint withBacklog = null;
            if (backlog) {
                w.receiveMessage(wait, SPAWNER).orElseThrow(() -> new IllegalStateException("no go in " + wait));
                withBacklog = footprint();
            }
            int[] next = new int[senders.size()];
            long total = (long) perSender * senders.size();
            String error = null;
            long received = 0;
            long deadline = System.nanoTime() + wait.toNanos();
            while (received < total) {
                Received r = w.receiveMessage(Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))).orElse(null);
                if (r == null) {
                    error = "only " + received + " of " + total + " messages arrived within " + wait;
                    break;
                }
                received++;
                String e = check(r, index, next);
                if (e != null && error == null) error = "message " + received + ": " + e;
            }
            if (error == null && w.checkForIncoming()) {
                error = "more than " + total + " messages: " + w.receiveMessage(Duration.ZERO).orElseThrow().message();
            }
            return new ReceiverReport(before, withBacklog, footprint(), received, error);
        };
    }

    /** What the spawner has received from a group of tasks, gathered over several waits. */
    private final class Gathered {
        final Map<TaskId, TaskResult> results = new HashMap<>();
        final Set<TaskId> exited = new HashSet<>();
        final List<Received> others = new ArrayList<>();

        /** Receives until every task in {@code ids} has exited; fails past {@code wait}. */
        Gathered await(List<TaskId> ids, Duration wait) {
            VirtualMachine vm = vm();
            long deadline = System.nanoTime() + wait.toNanos();
            while (!exited.containsAll(ids)) {
                long left = deadline - System.nanoTime();
                Received r = vm.receiveMessage(Duration.ofNanos(Math.max(1, left))).orElseThrow(() -> new AssertionError(
                        "tasks " + ids + " did not all exit within " + wait + "; exited: " + exited));
                if (r.message() instanceof TaskResult res) results.put(r.sender(), res);
                else if (r.message() instanceof TaskExit e) assertTrue(exited.add(e.taskId()), "task " + e.taskId() + " exited twice");
                else others.add(r);
            }
            return this;
        }

        Object valueOf(TaskId id) {
            TaskResult r = results.get(id);
            assertNotNull(r, "no result from " + id);
            assertTrue(r.success(), () -> "task " + id + " failed:\n" + r.error());
            return r.value();
        }
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }

    // ------------------------------------------------------------ 8. load and ordering

    /**
     * Rule 8.1: a million small messages from one task to a task on another rank, which reads
     * them as they come: none lost, none duplicated, in order; its heap returns to its level.
     */
    @Test
    void required_spec8_1_floodFromOneTaskToAnother(TestReporter report) {
        floodOneToOne(FLOOD_MESSAGES, false, report);
    }

    /**
     * Runs a flood of {@code count} messages from a task to a task on another rank; with
     * {@code backlog} the receiver reads only once they have all been sent.
     */
    private void floodOneToOne(int count, boolean backlog, TestReporter report) {
        VirtualMachine vm = vm();
        List<TaskId> ids = spawnRoles();
        TaskId receiver = ids.get(0), sender = ids.get(1);
        for (TaskId idle : ids.subList(2, ids.size())) vm.sendMessage(idle, "idle");
        vm.sendMessage(receiver, receiver(List.of(sender), count, backlog, floodWait().toNanos()));
        assertEquals("ready", vm.receiveMessage(timeout(), receiver).orElseThrow().message());

        long start = System.nanoTime();
        vm.sendMessage(sender, flood(receiver, 0, count));
        Gathered g = new Gathered().await(List.of(sender), floodWait());
        assertEquals(count, g.valueOf(sender));
        long sentNanos = System.nanoTime() - start;
        if (backlog) vm.sendMessage(receiver, "go");
        g.await(ids, floodWait());
        assertTrue(g.others.isEmpty(), "nothing else arrived: " + g.others);
        ReceiverReport r = (ReceiverReport) g.valueOf(receiver);
        long totalNanos = System.nanoTime() - start;

        assertEquals(null, r.firstError());
        assertEquals(count, r.received());
        long left = r.after().heapUsedBytes() - r.before().heapUsedBytes();
        if (backlog) {
            long waiting = r.withBacklog().heapUsedBytes() - r.before().heapUsedBytes();
            report.publishEntry("figures", String.format("%d messages %s -> %s sent in %.1f s while the receiver waited "
                            + "for another sender, read in %.1f s more; waiting they took %s (%d B each), %s left after",
                    count, sender, receiver, sentNanos / 1e9, (totalNanos - sentNanos) / 1e9, mib(waiting),
                    waiting / count, mib(left)));
            assertTrue(waiting <= BACKLOG_BYTES_PER_MESSAGE_MAX * count, () -> "the receiver's heap grew by "
                    + mib(waiting) + " for " + count + " waiting messages: more than "
                    + BACKLOG_BYTES_PER_MESSAGE_MAX + " B each");
        } else {
            report.publishEntry("figures", String.format("%d messages %s -> %s in %.1f s (%.0f/s); %s left after",
                    count, sender, receiver, totalNanos / 1e9, count / (totalNanos / 1e9), mib(left)));
        }
        assertTrue(left <= HEAP_SLACK_MIB << 20, () -> "the receiver's heap is " + mib(left)
                + " above its level before the flood once every message was read");
    }

    /**
     * Rule 8.2: two senders (the spawner and a task on another rank) flood one task with a
     * million small messages in all, which it reads as they come: none lost, none duplicated,
     * in order per sender; its heap returns to its level afterwards.
     */
    @Test
    void required_spec8_2_twoSendersFloodOneTask(TestReporter report) {
        VirtualMachine vm = vm();
        List<TaskId> ids = spawnRoles();
        TaskId receiver = ids.get(0), sender = ids.get(1);
        int each = FLOOD_MESSAGES / 2;
        for (TaskId idle : ids.subList(2, ids.size())) vm.sendMessage(idle, "idle");
        vm.sendMessage(receiver, receiver(List.of(SPAWNER, sender), each, false, floodWait().toNanos()));
        assertEquals("ready", vm.receiveMessage(timeout(), receiver).orElseThrow().message());

        long start = System.nanoTime();
        vm.sendMessage(sender, flood(receiver, 1, each));
        for (int i = 0; i < each; i++) vm.sendMessage(receiver, new int[]{0, i});
        Gathered g = new Gathered().await(ids, floodWait());
        long nanos = System.nanoTime() - start;
        assertTrue(g.others.isEmpty(), "nothing else arrived: " + g.others);
        assertEquals(each, g.valueOf(sender));
        ReceiverReport r = (ReceiverReport) g.valueOf(receiver);
        assertEquals(null, r.firstError());
        assertEquals(2L * each, r.received());
        long left = r.after().heapUsedBytes() - r.before().heapUsedBytes();
        report.publishEntry("figures", String.format("%d messages from %s and %s -> %s in %.1f s (%.0f/s); %s left after",
                2 * each, SPAWNER, sender, receiver, nanos / 1e9, 2 * each / (nanos / 1e9), mib(left)));
        assertTrue(left <= HEAP_SLACK_MIB << 20, () -> "the receiver's heap is " + mib(left)
                + " above its level before the flood once every message was read");
    }

    /**
     * Rule 8.3: {@value #BACKLOG_MESSAGES} small messages wait for a receiver that is
     * waiting for another sender's message: each costs its heap at most
     * {@value #BACKLOG_BYTES_PER_MESSAGE_MAX} bytes; then it reads them all, in order, and
     * its heap returns to its level.
     */
    @Test
    void required_spec8_3_unreadMessagesCostABoundedHeap(TestReporter report) {
        floodOneToOne(BACKLOG_MESSAGES, true, report);
    }

    /** Throws an exception naming its task; its stack trace has a frame in this class. */
    static Task<Object> failing() {
        return w -> {
            throw new IllegalStateException("failing task " + w.taskId());
        };
    }

    /**
     * Rule 8.4: 10,000 tasks that throw: each is reported once, with the remote exception's
     * class, message and stack trace, then exits FAILED; every slot is free afterwards, and
     * no JVM of the VM has more threads or heap than before, beyond stated slack.
     */
    @Test
    void required_spec8_4_tenThousandFailingTasks(TestReporter report) {
        VirtualMachine vm = vm();
        runFailing(200, timeout()); // warm-up: classes, pools and buffers in place before measuring
        Map<Long, Footprint> before = footprints();
        long start = System.nanoTime();
        runFailing(FAILING_TASKS, floodWait());
        long nanos = System.nanoTime() - start;
        assertEquals(vm.slots() - 1, vm.freeSlots(), () -> "slots still busy:\n" + vm.formatSpawnerConfig());
        Map<Long, Footprint> after = footprints();
        StringBuilder figures = new StringBuilder(String.format("%d failing tasks in %.1f s (%.0f/s);", FAILING_TASKS,
                nanos / 1e9, FAILING_TASKS / (nanos / 1e9)));
        List<String> grown = new ArrayList<>();
        for (Footprint b : before.values()) {
            Footprint a = after.get(b.pid());
            assertNotNull(a, "JVM " + b.pid() + " was measured before but not after");
            figures.append(String.format(" pid %d: threads %d -> %d, heap %s -> %s;", b.pid(), b.threads(), a.threads(),
                    mib(b.heapUsedBytes()), mib(a.heapUsedBytes())));
            if (a.threads() > b.threads() + THREAD_SLACK) grown.add("pid " + b.pid() + " threads " + b.threads() + " -> " + a.threads());
            if (a.heapUsedBytes() > b.heapUsedBytes() + (HEAP_SLACK_MIB << 20)) {
                grown.add("pid " + b.pid() + " heap " + mib(b.heapUsedBytes()) + " -> " + mib(a.heapUsedBytes()));
            }
        }
        report.publishEntry("figures", figures.toString());
        assertTrue(grown.isEmpty(), () -> "grew beyond " + THREAD_SLACK + " threads or " + HEAP_SLACK_MIB + " MiB: " + grown);
    }

    /** Keeps every slot busy with failing tasks until {@code total} have been reported; checks each report. */
    private void runFailing(int total, Duration wait) {
        VirtualMachine vm = vm();
        Set<TaskId> running = new HashSet<>();
        Set<TaskId> reported = new HashSet<>();
        int started = 0, exited = 0;
        long deadline = System.nanoTime() + wait.toNanos();
        while (exited < total) {
            if (started < total && vm.freeSlots() > 0) {
                List<TaskId> ids = vm.spawnFunction(failing(), Math.min(vm.freeSlots(), total - started), null, true);
                started += ids.size();
                for (TaskId id : ids) assertTrue(running.add(id), "task id " + id + " given twice");
            }
            Received r = vm.receiveMessage(Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))).orElse(null);
            if (r == null) {
                throw new AssertionError("after " + exited + " of " + total + " failing tasks nothing more arrived within "
                        + wait + ":\n" + vm.formatSpawnerConfig());
            }
            if (r.message() instanceof TaskResult res) {
                TaskId id = r.sender();
                assertTrue(running.contains(id), "a result from " + id + ", which is not running");
                assertTrue(reported.add(id), "task " + id + " reported twice");
                assertFalse(res.success(), "task " + id + " threw, yet its result is a success");
                String error = res.error();
                assertNotNull(error, "task " + id + ": no remote error");
                assertTrue(error.contains("java.lang.IllegalStateException: failing task " + id), error);
                assertTrue(error.contains("\tat " + ReliabilityVerification.class.getName() + "."), "the remote stack trace "
                        + "names the throwing class: " + error);
            } else if (r.message() instanceof TaskExit e) {
                assertTrue(running.remove(e.taskId()), "task " + e.taskId() + " exited twice, or was never spawned");
                assertTrue(reported.remove(e.taskId()), "task " + e.taskId() + " exited before its result");
                assertEquals(TaskExit.Reason.FAILED, e.reason(), "task " + e.taskId());
                exited++;
            } else {
                throw new AssertionError("unexpected message " + r.message() + " from " + r.sender());
            }
        }
        assertTrue(running.isEmpty() && reported.isEmpty(), "all reported: " + running + reported);
    }

    /** A byte array with content that depends on every index and the seed. */
    static byte[] pattern(int size, int seed) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) b[i] = (byte) (i * 31 + (i >>> 11) + seed);
        return b;
    }

    static long crc(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return c.getValue();
    }

    /**
     * Rule 8.5: a 256 MiB {@code byte[]} arrives intact from the spawner to a task and from
     * a task to the spawner, and the VM stays usable.
     */
    @Test
    void required_spec8_5_largePayloadBothWays(TestReporter report) {
        VirtualMachine vm = vm();
        int size = LARGE_PAYLOAD_BYTES;
        TaskId id = vm.spawnFunction(w -> {
            long[] seen = lengthAndCrc(w.receiveMessage(timeout(), SPAWNER).orElseThrow().message());
            w.sendMessage(SPAWNER, pattern(size, 7));
            return seen;
        }).orElseThrow();
        long start = System.nanoTime();
        long sentCrc = sendPattern(id, size, 3);
        long[] back = lengthAndCrc(vm.receiveMessage(timeout(), id).orElseThrow().message());
        long nanos = System.nanoTime() - start;
        assertEquals(size, back[0], "the task's 256 MiB arrived whole");
        assertEquals(crc(pattern(size, 7)), back[1], "the task's 256 MiB arrived unchanged");
        long[] seen = (long[]) resultOf(vm, id);
        assertEquals(size, seen[0], "the spawner's 256 MiB arrived whole");
        assertEquals(sentCrc, seen[1], "the spawner's 256 MiB arrived unchanged");
        report.publishEntry("figures", String.format("%s to %s and back in %.1f s", mib(size), id, nanos / 1e9));
        assertEquals("still usable", resultOf(vm, vm.spawnFunction(w -> "still usable").orElseThrow()));
    }

    /** Sends a pattern and returns its checksum; the array is garbage once this returns. */
    private long sendPattern(TaskId to, int size, int seed) {
        byte[] out = pattern(size, seed);
        vm().sendMessage(to, out);
        return crc(out);
    }

    /** The length and checksum of a received {@code byte[]}; the array is garbage once this returns. */
    static long[] lengthAndCrc(Object bytes) {
        byte[] b = (byte[]) bytes;
        return new long[]{b.length, crc(b)};
    }

    /** Thrown by {@link FailsHalfway} when asked for the element it cannot give. */
    public static final class ChunkUnavailable extends RuntimeException {
        ChunkUnavailable(int index) {
            super("chunk " + index + " is not available");
        }
    }

    /**
     * A list of 64 KiB chunks whose element {@code failAt} throws: serializing it fails after
     * {@code failAt} chunks have been written.
     */
    public static final class FailsHalfway extends AbstractList<byte[]> {
        private final int size;
        private final int failAt;

        FailsHalfway(int size, int failAt) {
            this.size = size;
            this.failAt = failAt;
        }

        @Override
        public byte[] get(int index) {
            if (index == failAt) throw new ChunkUnavailable(index);
            return pattern(64 << 10, index);
        }

        @Override
        public int size() {
            return size;
        }
    }

    /** An exception whose Java serialization fails after its first fields were written. */
    public static final class BrokenException extends Exception {
        BrokenException() {
            super("written halfway");
        }

        private void writeObject(ObjectOutputStream out) throws IOException {
            out.defaultWriteObject();
            throw new java.io.NotSerializableException("BrokenException refuses to be written past its fields");
        }
    }

    /**
     * Rule 8.6: a message whose serialization fails halfway fails at its sender with a
     * {@link VmException} naming its type; the messages sent before and after it arrive, in
     * order, and nothing else is lost. A task whose result fails halfway reports a failed
     * {@code TaskResult} and frees its slot.
     */
    @Test
    void required_spec8_6_serializationFailingHalfwayLosesNothingElse() {
        VirtualMachine vm = vm();
        int n = 50;
        TaskId echo = vm.spawnFunction(TckTasks.echo(2 * n), 1, null, true).get(0);
        List<Object> broken = List.of(new FailsHalfway(64, 32), new BrokenException(),
                List.of("a", new FailsHalfway(8, 4)));
        for (int i = 0; i < 2 * n; i++) {
            if (i % (2 * n / broken.size()) == 1) {
                Object bad = broken.get(i / (2 * n / broken.size()));
                VmException e = assertThrows(VmException.class, () -> vm.sendMessage(echo, bad),
                        "sending a " + bad.getClass().getName() + " that fails halfway");
                assertTrue(e.getMessage().contains(bad.getClass().getName()), e.getMessage());
            }
            vm.sendMessage(echo, "message " + i);
        }
        for (int i = 0; i < 2 * n; i++) {
            assertEquals("message " + i, vm.receiveMessage(timeout(), echo).orElseThrow().message(),
                    "the messages around the failed ones arrive, in order");
        }
        assertEquals(2 * n, resultOf(vm, echo));

        // The same in a task: its failed sends throw there, the good ones arrive; then a result that fails halfway.
        TaskId task = vm.spawnFunction(w -> {
            List<String> failures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                try {
                    if (i % 10 == 5) w.sendMessage(SPAWNER, new FailsHalfway(64, 32));
                } catch (VmException e) {
                    failures.add(e.getMessage());
                }
                w.sendMessage(SPAWNER, "task message " + i);
            }
            if (failures.size() != n / 10) throw new AssertionError("expected " + n / 10 + " failed sends: " + failures);
            return new FailsHalfway(64, 32);
        }).orElseThrow();
        for (int i = 0; i < n; i++) {
            assertEquals("task message " + i, vm.receiveMessage(timeout(), task).orElseThrow().message());
        }
        TckTasks.Outcome o = TckTasks.collect(vm, List.of(task));
        TaskResult res = o.results().get(task);
        assertNotNull(res, "a result whose serialization failed is still reported");
        assertFalse(res.success());
        assertTrue(res.error().contains(FailsHalfway.class.getName()), res.error());
        assertEquals(TaskExit.Reason.FAILED, o.exits().get(task).reason());
        assertTrue(o.others().isEmpty(), "nothing else arrived: " + o.others());
        assertEquals("usable", resultOf(vm, vm.spawnFunction(w -> "usable", 1, List.of(vm.hostId(task)), true).get(0)));
    }

    /**
     * Rule 8.7: a task that does not return: the farm's per-task timeout fails its future
     * with {@link TimeoutException} and the run goes on (a {@code map} of 100 inputs completes
     * in the other slots), while the VM reports the task's slot busy, running that task,
     * until the task ends. (What becomes of a task that never ends when the VM closes: the
     * fault tests of each transport.)
     */
    @Test
    void required_spec8_7_aTaskPastTheFarmsTimeoutKeepsItsSlotBusyUntilItEnds() throws Exception {
        VirtualMachine vm = vm();
        requireWorkers(2);
        BlockingQueue<Received> others = new LinkedBlockingQueue<>();
        try (TaskFarm farm = TaskFarm.builder(vm).spawnPerTask(true).otherMessages(others::add).build()) {
            long waitNanos = floodWait().toNanos();
            CompletableFuture<Object> stuck = farm.submit(w -> {
                w.sendMessage(SPAWNER, w.taskId());
                return w.receiveMessage(Duration.ofNanos(waitNanos), SPAWNER).orElseThrow().message(); // until released
            }, Duration.ofMillis(500));
            Received started = others.poll(timeout().toSeconds(), TimeUnit.SECONDS);
            assertNotNull(started, "the task did not start within " + timeout());
            TaskId hung = (TaskId) started.message();
            ExecutionException e = assertThrows(ExecutionException.class, () -> stuck.get(timeout().toSeconds(), TimeUnit.SECONDS));
            assertInstanceOf(TimeoutException.class, e.getCause(), "the farm's timeout fired");

            try {
                List<Integer> xs = IntStream.range(0, 100).boxed().toList();
                assertEquals(xs.stream().map(x -> x * x).toList(), farm.map(x -> x * x, xs), "the run goes on");
                // map returns with the last results; those tasks' exits may still be on their way.
                awaitFreeSlots(vm.slots() - 2, "every slot but the hung task's is free again after the map");
                VmStatus.Slot slot = vm.status().slots().stream().filter(sl -> hung.equals(sl.task())).findFirst().orElse(null);
                assertNotNull(slot, "the VM still shows " + hung + " running:\n" + vm.formatSpawnerConfig());
            } finally {
                vm.sendMessage(hung, "release");
            }
            awaitFreeSlots(vm.slots() - 1, "the hung task's slot is freed once it ends");
            assertInstanceOf(TimeoutException.class, assertThrows(ExecutionException.class, stuck::get).getCause(),
                    "the late result was dropped");
        }
    }

    /** Waits (the farm's dispatcher takes the exits) until {@code n} slots are free; fails past the TCK timeout. */
    private void awaitFreeSlots(int n, String what) {
        VirtualMachine vm = vm();
        long deadline = System.nanoTime() + timeout().toNanos();
        while (vm.freeSlots() != n) {
            assertTrue(System.nanoTime() - deadline < 0, what + ": " + vm.freeSlots() + " free, not " + n + ", after "
                    + timeout() + ":\n" + vm.formatSpawnerConfig());
            LockSupport.parkNanos(10_000_000L);
        }
    }
}
