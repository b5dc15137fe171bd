package io.paravm.core;

import io.paravm.Received;
import io.paravm.Task;
import io.paravm.TaskId;
import io.paravm.VirtualMachine;
import io.paravm.VmClosedException;
import io.paravm.VmConfig;
import io.paravm.VmException;
import io.paravm.farm.FarmProgress;
import io.paravm.farm.FarmStats;
import io.paravm.farm.RemoteTaskException;
import io.paravm.farm.TaskFarm;
import io.paravm.farm.TaskFunction;
import io.paravm.farm.TaskLostException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The task farm ({@code io.paravm.farm}) over vm-core with ranks as threads of this JVM:
 * 3 ranks, so 2 workers (ranks 1 and 2). It sits in vm-core's package for the in-memory double
 * of vm-core's test-jar; of the farm it uses only the public API. Tasks run in this JVM, so they share the static
 * gates and counters below (keyed per test); real transports run the same rules through
 * the TCK's {@code FarmVerification}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TaskFarmTest {

    private static final long WAIT_S = 60;
    /** Gates tasks wait on, by name; a task that finds none waits for nothing. */
    private static final Map<String, CountDownLatch> GATES = new ConcurrentHashMap<>();
    /** How often each named task ran. */
    private static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();
    /** Task starts, as "name@rank", in order. */
    private static final BlockingQueue<String> STARTS = new LinkedBlockingQueue<>();

    private InMemoryVms vms;
    private TaskFarm farm;

    @AfterEach
    void tearDown() {
        GATES.values().forEach(CountDownLatch::countDown); // never leave a task blocked
        try {
            if (farm != null) farm.close();
        } finally {
            if (vms != null) vms.close();
            GATES.clear();
            RUNS.clear();
            STARTS.clear();
        }
    }

    private VirtualMachine vm() {
        if (vms == null) vms = new InMemoryVms(3);
        return vms.spawner;
    }

    private static CountDownLatch gate(String name) {
        CountDownLatch g = new CountDownLatch(1);
        GATES.put(name, g);
        return g;
    }

    private static int runs(String name) {
        AtomicInteger n = RUNS.get(name);
        return n == null ? 0 : n.get();
    }

    /** Counts a run of {@code name}, reports its start, waits for its gate (if any), returns {@code value}. */
    private static <R> Task<R> gated(String name, R value) {
        return w -> {
            RUNS.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
            STARTS.add(name + "@" + w.taskId().rank());
            CountDownLatch g = GATES.get(name);
            if (g != null && !g.await(WAIT_S, TimeUnit.SECONDS)) throw new IllegalStateException("gate " + name + " stayed shut");
            return value;
        };
    }

    private static Task<Integer> rank() {
        return w -> w.taskId().rank();
    }

    private static Task<Object> throwing(String name, int timesBeforeSuccess) {
        return w -> {
            int run = RUNS.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
            if (run <= timesBeforeSuccess) throw new IllegalStateException("boom " + name + " run " + run);
            return "ok after " + run;
        };
    }

    private static TaskFunction<Integer, Integer> square() {
        return x -> x * x;
    }

    private static String awaitStart() throws InterruptedException {
        String s = STARTS.poll(WAIT_S, TimeUnit.SECONDS);
        assertNotNull(s, "no task started within " + WAIT_S + " s");
        return s;
    }

    /** Waits for the next task start and returns the rank it started on. */
    private static int awaitStartRank() throws InterruptedException {
        String s = awaitStart();
        return Integer.parseInt(s.substring(s.indexOf('@') + 1));
    }

    /** Two gated tasks, "a" and "b", keeping both workers busy until released. */
    private record Busy(CountDownLatch gate, CompletableFuture<String> a, CompletableFuture<String> b) {
        void releaseAndCheck() throws Exception {
            gate.countDown();
            assertEquals("A", get(a));
            assertEquals("B", get(b));
        }
    }

    /** Occupies both workers (with one task in flight per worker, nothing more is sent to them). */
    private Busy occupyBothWorkers() throws InterruptedException {
        CountDownLatch g = gate("a");
        GATES.put("b", g);
        Busy busy = new Busy(g, farm.submit(gated("a", "A")), farm.submit(gated("b", "B")));
        awaitStart();
        awaitStart();
        return busy;
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(WAIT_S, TimeUnit.SECONDS);
    }

    private static Throwable failureOf(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(WAIT_S, TimeUnit.SECONDS));
        return e.getCause();
    }

    // ------------------------------------------------------------------ map

    @Test
    void mapReturnsEveryResultInInputOrder() {
        farm = TaskFarm.on(vm());
        List<Integer> xs = IntStream.range(0, 1000).boxed().toList();
        List<Integer> ys = farm.map(square(), xs);
        assertEquals(xs.stream().map(x -> x * x).toList(), ys);
        FarmStats s = farm.stats();
        assertEquals(1000, s.submitted());
        assertEquals(1000, s.completed());
        assertEquals(0, s.failed() + s.retried() + s.timedOut() + s.cancelled());
        assertEquals(0, s.queued());
        assertEquals(0, s.inFlight());
        assertEquals(2, s.workers());
    }

    @Test
    void mapOfNothingIsEmptyAndMapsCanFollowEachOther() {
        farm = TaskFarm.on(vm());
        assertEquals(List.of(), farm.map(square(), List.of()));
        assertEquals(List.of(1, 4, 9), farm.map(square(), List.of(1, 2, 3)));
        assertEquals(List.of("a!", "b!"), farm.map((TaskFunction<String, String>) s -> s + "!", List.of("a", "b")));
    }

    @Test
    void mapResultsMayBeNull() {
        farm = TaskFarm.on(vm());
        List<String> ys = farm.map((TaskFunction<Integer, String>) x -> x % 2 == 0 ? null : "odd", List.of(0, 1, 2));
        assertEquals(java.util.Arrays.asList(null, "odd", null), ys);
    }

    @Test
    void mapFromSeveralThreadsAtOnceKeepsEachCallsOrder() throws Exception {
        farm = TaskFarm.on(vm());
        List<CompletableFuture<List<Integer>>> calls = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int offset = t * 1000;
            List<Integer> xs = IntStream.range(offset, offset + 300).boxed().toList();
            calls.add(CompletableFuture.supplyAsync(() -> farm.map(square(), xs)));
        }
        for (int t = 0; t < 4; t++) {
            int offset = t * 1000;
            assertEquals(IntStream.range(offset, offset + 300).mapToObj(x -> x * x).toList(), get(calls.get(t)));
        }
    }

    @Test
    void workIsSpreadOverEveryWorker() throws Exception {
        farm = TaskFarm.on(vm());
        List<CompletableFuture<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 20; i++) fs.add(farm.submit(rank()));
        Set<Integer> ranks = new HashSet<>();
        for (CompletableFuture<Integer> f : fs) ranks.add(get(f));
        assertEquals(Set.of(1, 2), ranks, "both workers ran tasks");
    }

    @Test
    void aSlowWorkerGetsLessWhileTheOtherTakesTheRest() throws Exception {
        farm = TaskFarm.builder(vm()).inFlightPerSlot(1).build();
        CountDownLatch slow = gate("slow");
        CompletableFuture<String> blocked = farm.submit(gated("slow", "slow done"));
        int slowRank = awaitStartRank();
        List<CompletableFuture<Integer>> rest = new ArrayList<>();
        for (int i = 0; i < 30; i++) rest.add(farm.submit(rank()));
        for (CompletableFuture<Integer> f : rest) {
            assertEquals(3 - slowRank, get(f), "every task went to the worker that had room");
        }
        slow.countDown();
        assertEquals("slow done", get(blocked));
    }

    /**
     * A worker whose unread bound has no room for its next job (large inputs, several in flight)
     * gets it once it has read the ones waiting; meanwhile the farm sends to the other worker and
     * handles results, instead of waiting in {@code sendMessage} (and, past the send timeout,
     * taking a busy worker for a dead one and stalling).
     */
    @Test
    void aWorkerWithNoRoomForItsNextJobGetsItOnceItReadsWhileTheFarmGoesOn() throws Exception {
        vms = new InMemoryVms(3, VmConfig.builder().unreadBound(1 << 20).sendTimeout(Duration.ofSeconds(2)).build());
        farm = TaskFarm.builder(vms.spawner).inFlightPerSlot(3).build();
        CountDownLatch g = gate("big");
        byte[] input = new byte[600 << 10]; // two unread such jobs do not fit in 1 MiB
        List<CompletableFuture<Integer>> fs = new ArrayList<>();
        // Both workers start their first job before more are sent: a worker reads what waits before
        // it starts a job, so one sent in that window (its credit back as soon as it is read) would be
        // held in the worker, not unread, and that worker would take a third (seen once in CI: 5 in
        // flight, 1 queued).
        for (int i = 0; i < 2; i++) fs.add(farm.submit(bigGatedJob(i, input)));
        awaitStart();
        awaitStart();
        for (int i = 2; i < 6; i++) fs.add(farm.submit(bigGatedJob(i, input)));
        // Each worker runs one job and holds one unread: two are sent, the other two wait in the queue.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (!(farm.stats().inFlight() == 4 && farm.stats().queued() == 2)) {
            assertTrue(System.nanoTime() < deadline, () -> "never 4 in flight and 2 queued: " + farm.stats() + " "
                    + fs.stream().filter(CompletableFuture::isCompletedExceptionally).map(TaskFarmTest::failureOf).toList());
            LockSupport.parkNanos(1_000_000);
        }
        g.countDown();
        for (int i = 0; i < 6; i++) assertEquals(i * 1000 + (600 << 10) % 1000, get(fs.get(i)), "result " + i);
        assertEquals(6, runs("big"), "every job ran exactly once");
        assertEquals(2, farm.stats().workers(), "both workers are still the farm's");
        List<CompletableFuture<Integer>> after = new ArrayList<>();
        for (int i = 0; i < 20; i++) after.add(farm.submit(rank()));
        Set<Integer> ranks = new HashSet<>();
        for (CompletableFuture<Integer> f : after) ranks.add(get(f));
        assertEquals(Set.of(1, 2), ranks, "both workers still get work");
    }

    /** A job that waits at gate "big", then returns {@code n * 1000} plus a figure of its input. */
    private static Task<Integer> bigGatedJob(int n, byte[] input) {
        return w -> {
            gated("big", 0).run(w);
            return n * 1000 + input.length % 1000;
        };
    }

    // ------------------------------------------------------------------ errors and retries

    @Test
    void aThrowingTaskFailsItsFutureWithTheRemoteTraceAndIsNotRetried() throws Exception {
        farm = TaskFarm.on(vm());
        Throwable cause = failureOf(farm.submit(throwing("t", Integer.MAX_VALUE)));
        RemoteTaskException remote = assertInstanceOf(RemoteTaskException.class, cause);
        assertTrue(remote.getMessage().contains("IllegalStateException: boom t run 1"), remote.getMessage());
        assertTrue(remote.remoteTrace().contains("at io.paravm.core.TaskFarmTest"), remote.remoteTrace());
        assertEquals(-1, remote.inputIndex());
        assertEquals(1, runs("t"), "a task that throws is not run again unless asked");
        // The worker that ran it goes on.
        Set<Integer> ranks = new HashSet<>();
        for (int i = 0; i < 10; i++) ranks.add(get(farm.submit(rank())));
        assertEquals(Set.of(1, 2), ranks);
        FarmStats s = farm.stats();
        assertEquals(1, s.failed());
        assertEquals(0, s.retried());
        assertEquals(10, s.completed());
    }

    @Test
    void failureRetriesRunAThrowingTaskAgain() throws Exception {
        farm = TaskFarm.builder(vm()).failureRetries(2).build();
        assertEquals("ok after 3", get(farm.submit(throwing("twice", 2))));
        assertEquals(3, runs("twice"));
        Throwable cause = failureOf(farm.submit(throwing("always", Integer.MAX_VALUE)));
        assertTrue(cause.getMessage().contains("after 2 retries"), cause.getMessage());
        assertTrue(cause.getMessage().contains("boom always run 3"), cause.getMessage());
        assertEquals(3, runs("always"));
        assertEquals(4, farm.stats().retried());
    }

    @Test
    void mapThrowsTheFailureNamingTheInputIndex() {
        farm = TaskFarm.on(vm());
        List<Integer> xs = IntStream.range(0, 100).boxed().toList();
        RemoteTaskException e = assertThrows(RemoteTaskException.class, () -> farm.map(x -> {
            if (x == 37) throw new ArithmeticException("no 37");
            return x;
        }, xs));
        assertEquals(37, e.inputIndex());
        assertTrue(e.getMessage().startsWith("map: input 37 of 100 threw"), e.getMessage());
        assertTrue(e.remoteTrace().contains("ArithmeticException: no 37"), e.remoteTrace());
        // The farm is usable afterwards.
        assertEquals(List.of(4), farm.map(square(), List.of(2)));
        FarmStats s = farm.stats();
        assertEquals(1, s.failed());
        assertEquals(s.submitted(), s.completed() + s.failed() + s.cancelled(), "every input taken ended once: " + s);
    }

    @Test
    void anInputThatCannotBeSentFailsMapNamingItsIndex() {
        farm = TaskFarm.on(vm());
        List<Object> xs = new ArrayList<>(List.of(1, 2, 3));
        xs.add(2, (Runnable) () -> { });
        VmException e = assertThrows(VmException.class, () -> farm.map((TaskFunction<Object, Object>) x -> x, xs));
        assertTrue(e.getMessage().contains("input 2 of 4"), e.getMessage());
        assertTrue(e.getMessage().contains("could not be sent"), e.getMessage());
        assertEquals(List.of(1), farm.map(square(), List.of(1)), "the farm goes on");
    }

    // ------------------------------------------------------------------ cancellation

    @Test
    void cancelledTasksThatWereQueuedNeverRun() throws Exception {
        farm = TaskFarm.builder(vm()).inFlightPerSlot(1).build();
        Busy busy = occupyBothWorkers();
        List<CompletableFuture<String>> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) queued.add(farm.submit(gated("q" + i, "Q")));
        assertEquals(5, farm.stats().queued());
        for (CompletableFuture<String> f : queued) assertTrue(f.cancel(false));
        assertEquals(0, farm.stats().queued());
        busy.releaseAndCheck();
        assertEquals(Integer.valueOf(7), get(farm.submit(w -> 7)), "work after the cancelled tasks runs");
        for (int i = 0; i < 5; i++) assertEquals(0, runs("q" + i), "cancelled task q" + i + " ran");
        for (CompletableFuture<String> f : queued) assertTrue(f.isCancelled());
        assertEquals(5, farm.stats().cancelled());
    }

    @Test
    void aCancelledTaskSentAheadToAWorkerIsSkippedThere() throws Exception {
        farm = TaskFarm.builder(vm()).inFlightPerSlot(2).build();
        Busy busy = occupyBothWorkers();
        // Both workers are busy and have room for one more each: these two are sent ahead.
        CompletableFuture<String> c1 = farm.submit(gated("c1", "C"));
        CompletableFuture<String> c2 = farm.submit(gated("c2", "C"));
        assertEquals(0, farm.stats().queued());
        assertEquals(4, farm.stats().inFlight());
        assertTrue(c1.cancel(true));
        assertTrue(c2.cancel(true));
        busy.releaseAndCheck();
        assertEquals(Integer.valueOf(9), get(farm.submit(w -> 9)));
        assertEquals(0, runs("c1") + runs("c2"), "the workers skipped the cancelled jobs");
        assertEquals(0, farm.stats().inFlight());
    }

    @Test
    void cancellingARunningTaskMovesTheJobsBehindItToAnotherWorker() throws Exception {
        farm = TaskFarm.builder(vm()).inFlightPerSlot(2).build();
        gate("running");
        CountDownLatch other = gate("other");
        CompletableFuture<String> running = farm.submit(gated("running", "R"));
        int runningRank = awaitStartRank();
        CompletableFuture<String> busy = farm.submit(gated("other", "O"));
        assertEquals(3 - runningRank, awaitStartRank());
        // Each worker has room for one more; taking turns, this one goes behind "running".
        CompletableFuture<Integer> behind = farm.submit(rank());
        assertTrue(running.cancel(true));
        other.countDown();
        assertEquals("O", get(busy));
        assertEquals(Integer.valueOf(3 - runningRank), get(behind), "it ran on the other worker");
        assertEquals(1, farm.stats().inFlight(), "the cancelled task still runs");
        GATES.get("running").countDown();
    }

    // ------------------------------------------------------------------ timeouts

    @Test
    void aTaskPastItsTimeoutFailsWithTimeoutExceptionWhileTheFarmGoesOn() throws Exception {
        farm = TaskFarm.builder(vm()).inFlightPerSlot(1).build();
        CountDownLatch hung = gate("hung");
        CompletableFuture<String> f = farm.submit(gated("hung", "late"), Duration.ofMillis(50));
        int hungRank = awaitStartRank();
        Throwable cause = failureOf(f);
        assertInstanceOf(TimeoutException.class, cause);
        assertTrue(cause.getMessage().contains("timed out after PT0.05S"), cause.getMessage());
        // The hung worker stays busy; everything else goes to the other one.
        for (int i = 0; i < 10; i++) assertEquals(3 - hungRank, get(farm.submit(rank())));
        FarmStats s = farm.stats();
        assertEquals(1, s.timedOut());
        assertEquals(1, s.inFlight(), "the timed-out task still counts as running");
        hung.countDown();
        // Two gated tasks can only both start if the worker is used again once the task really ended.
        CountDownLatch both = gate("p1");
        GATES.put("p2", both);
        CompletableFuture<String> p1 = farm.submit(gated("p1", "1"));
        CompletableFuture<String> p2 = farm.submit(gated("p2", "2"));
        assertEquals(Set.of(1, 2), Set.of(awaitStartRank(), awaitStartRank()));
        both.countDown();
        assertEquals("1", get(p1));
        assertEquals("2", get(p2));
        assertTrue(f.isCompletedExceptionally(), "the late result was dropped");
        assertEquals(1, runs("hung"));
        assertEquals(0, farm.stats().inFlight());
    }

    @Test
    void jobsSentAheadBehindATimedOutTaskRunElsewhere() throws Exception {
        farm = TaskFarm.builder(vm()).inFlightPerSlot(3).build();
        CountDownLatch hung = gate("hung"), other = gate("other");
        CompletableFuture<String> fh = farm.submit(gated("hung", "H"), Duration.ofSeconds(1));
        CompletableFuture<String> fo = farm.submit(gated("other", "O"));
        awaitStart();
        awaitStart();
        // One each goes ahead to the two busy workers; the one behind "hung" must move.
        List<CompletableFuture<String>> behind = new ArrayList<>();
        for (int i = 0; i < 4; i++) behind.add(farm.submit(gated("b" + i, "B" + i)));
        assertInstanceOf(TimeoutException.class, failureOf(fh));
        other.countDown();
        for (int i = 0; i < 4; i++) assertEquals("B" + i, get(behind.get(i)));
        assertEquals("O", get(fo));
        for (int i = 0; i < 4; i++) assertEquals(1, runs("b" + i), "b" + i + " ran once");
        hung.countDown();
    }

    @Test
    void mapTimeoutNamesTheInputAndHasTimeoutExceptionAsCause() {
        CountDownLatch hung = gate("in3");
        farm = TaskFarm.builder(vm()).taskTimeout(Duration.ofSeconds(1)).build();
        VmException e = assertThrows(VmException.class, () -> farm.map(x -> {
            if (x == 3) GATES.get("in3").await(WAIT_S, TimeUnit.SECONDS);
            return x;
        }, List.of(0, 1, 2, 3, 4, 5)));
        assertInstanceOf(TimeoutException.class, e.getCause());
        assertTrue(e.getMessage().startsWith("map: input 3 of 6 timed out"), e.getMessage());
        hung.countDown();
    }

    // ------------------------------------------------------------------ bounded queue

    @Test
    void submitBlocksWhileTheQueueIsFullAndFailsClearlyPastQueueWait() throws Exception {
        farm = TaskFarm.builder(vm()).inFlightPerSlot(1).maxQueued(2).queueWait(Duration.ofMillis(100)).build();
        CountDownLatch go = gate("g0");
        GATES.put("g1", go);
        List<CompletableFuture<String>> fs = new ArrayList<>();
        fs.add(farm.submit(gated("g0", "0")));
        fs.add(farm.submit(gated("g1", "1")));
        awaitStart();
        awaitStart();
        fs.add(farm.submit(gated("q0", "2")));
        fs.add(farm.submit(gated("q1", "3")));
        assertEquals(2, farm.stats().queued());
        VmException full = assertThrows(VmException.class, () -> farm.submit(gated("q2", "4")));
        assertTrue(full.getMessage().contains("maxQueued=2"), full.getMessage());
        assertEquals(4, farm.stats().submitted(), "the refused task was not taken");
        go.countDown();
        for (int i = 0; i < 4; i++) assertEquals(String.valueOf(i), get(fs.get(i)));
        assertEquals(0, runs("q2"));
    }

    @Test
    void aBlockedSubmitGoesOnWhenRoomAppears() throws Exception {
        farm = TaskFarm.builder(vm()).inFlightPerSlot(1).maxQueued(1).build();
        CountDownLatch go = gate("g0");
        GATES.put("g1", go);
        CompletableFuture<String> f0 = farm.submit(gated("g0", "0"));
        CompletableFuture<String> f1 = farm.submit(gated("g1", "1"));
        awaitStart();
        awaitStart();
        CompletableFuture<String> f2 = farm.submit(gated("q", "2"));
        CountDownLatch submitting = new CountDownLatch(1);
        CompletableFuture<CompletableFuture<String>> blocked = CompletableFuture.supplyAsync(() -> {
            submitting.countDown();
            return farm.submit(gated("r", "3"));
        });
        assertTrue(submitting.await(WAIT_S, TimeUnit.SECONDS));
        assertFalse(f2.isDone());
        go.countDown();
        assertEquals("3", get(get(blocked)));
        assertEquals(List.of("0", "1", "2"), List.of(get(f0), get(f1), get(f2)));
    }

    @Test
    void mapLargerThanTheQueueFeedsItsInputsAsRoomAppears() {
        farm = TaskFarm.builder(vm()).maxQueued(3).build();
        List<Integer> xs = IntStream.range(0, 200).boxed().toList();
        assertEquals(xs.stream().map(x -> x * x).toList(), farm.map(square(), xs));
    }

    @Test
    void mapOfManyTimesTheQueueKeepsItBoundedAndReturnsEveryResultInOrder() {
        // The feeder refills the queue in batches (an eighth of it) rather than one input per result.
        farm = TaskFarm.builder(vm()).maxQueued(16).build();
        List<Integer> xs = IntStream.range(0, 2_000).boxed().toList();
        List<Integer> queued = Collections.synchronizedList(new ArrayList<>());
        List<Integer> got = farm.map(square(), xs, p -> queued.add(farm.stats().queued()));
        assertEquals(xs.stream().map(x -> x * x).toList(), got);
        assertEquals(2_000, queued.size());
        assertTrue(queued.stream().allMatch(q -> q <= 16), "the queue held at most maxQueued inputs: " + Collections.max(queued));
        assertEquals(0, farm.stats().queued());
    }

    // ------------------------------------------------------------------ progress

    @Test
    void progressIsToldOncePerInputAndEveryCallIsMadeBeforeMapReturns() {
        List<FarmProgress> farmWide = Collections.synchronizedList(new ArrayList<>());
        farm = TaskFarm.builder(vm()).progress(farmWide::add).build();
        List<FarmProgress> seen = Collections.synchronizedList(new ArrayList<>());
        farm.map(square(), IntStream.range(0, 50).boxed().toList(), seen::add);
        assertEquals(50, seen.size());
        for (int i = 0; i < 50; i++) {
            assertEquals(i + 1, seen.get(i).completed(), "counts rise by one per call");
            assertEquals(0, seen.get(i).failed());
            assertEquals(50, seen.get(i).total());
        }
        assertEquals(50, farmWide.size());
        assertEquals(50, farmWide.get(49).completed());
    }

    @Test
    void progressCountsFailures() {
        farm = TaskFarm.builder(vm()).build();
        List<FarmProgress> seen = Collections.synchronizedList(new ArrayList<>());
        assertThrows(RemoteTaskException.class, () -> farm.map(x -> {
            if (x == 0) throw new IllegalArgumentException("zero");
            return x;
        }, List.of(0), seen::add));
        assertEquals(List.of(1L), seen.stream().map(FarmProgress::failed).toList());
    }

    // ------------------------------------------------------------------ lost hosts

    @Test
    void aTaskWhoseRankIsLostRunsAgainOnAnotherWorkerAndCompletesOnce() throws Exception {
        farm = TaskFarm.builder(vm()).inFlightPerSlot(1).build();
        CountDownLatch g = gate("victim");
        CompletableFuture<String> f = farm.submit(gated("victim", "V"));
        int victimRank = awaitStartRank();
        vms.cluster.kill(victimRank);
        assertEquals("victim@" + (3 - victimRank), awaitStart(), "it ran again on the other worker");
        g.countDown();
        assertEquals("V", get(f));
        assertEquals(1, farm.stats().retried());
        assertEquals(1, farm.stats().workers());
        List<Integer> xs = IntStream.range(0, 50).boxed().toList();
        assertEquals(xs.stream().map(x -> x * x).toList(), farm.map(square(), xs), "the survivor takes all the work");
    }

    @Test
    void aTaskLostMoreOftenThanAllowedFailsWithTaskLostException() throws Exception {
        farm = TaskFarm.builder(vm()).lostHostRetries(0).build();
        gate("victim");
        CompletableFuture<String> f = farm.submit(gated("victim", "V"));
        vms.cluster.kill(awaitStartRank());
        TaskLostException lost = assertInstanceOf(TaskLostException.class, failureOf(f));
        assertTrue(lost.getMessage().contains("lostHostRetries=0"), lost.getMessage());
        assertEquals(1, runs("victim"));
    }

    @Test
    void whenTheLastWorkerIsLostQueuedWorkFailsAndSubmitSaysWhy() throws Exception {
        farm = TaskFarm.builder(vm()).inFlightPerSlot(1).lostHostRetries(0).build();
        Busy busy = occupyBothWorkers();
        CompletableFuture<String> queued = farm.submit(gated("q", "Q"));
        vms.cluster.kill(1);
        vms.cluster.kill(2);
        assertInstanceOf(TaskLostException.class, failureOf(busy.a()));
        assertInstanceOf(TaskLostException.class, failureOf(busy.b()));
        Throwable q = failureOf(queued);
        assertTrue(q.getMessage().contains("no worker left"), q.getMessage());
        VmException none = assertThrows(VmException.class, () -> farm.submit(rank()));
        assertTrue(none.getMessage().contains("no worker"), none.getMessage());
    }

    @Test
    void whenTheLastWorkerIsLostAMapsQueuedInputsFailItAndTheFarmStaysOpen() throws Exception {
        farm = TaskFarm.builder(vm()).inFlightPerSlot(1).build();
        Busy busy = occupyBothWorkers();
        int n = 4;
        CountDownLatch lastInputRead = new CountDownLatch(1);
        // map reads input i just before it queues it: once it reads the last, the others wait in the queue.
        List<Integer> inputs = new java.util.AbstractList<>() {
            @Override
            public Integer get(int i) {
                if (i == n - 1) lastInputRead.countDown();
                return i;
            }

            @Override
            public int size() {
                return n;
            }
        };
        CompletableFuture<List<Integer>> mapped = CompletableFuture.supplyAsync(() -> farm.map(square(), inputs));
        assertTrue(lastInputRead.await(WAIT_S, TimeUnit.SECONDS), "map fed its inputs");
        vms.cluster.kill(1);
        vms.cluster.kill(2);
        Throwable m = failureOf(mapped);
        assertInstanceOf(TaskLostException.class, m, "the map's queued inputs cannot run: " + m);
        assertInstanceOf(TaskLostException.class, failureOf(busy.a()));
        assertInstanceOf(TaskLostException.class, failureOf(busy.b()));
        VmException none = assertThrows(VmException.class, () -> farm.submit(rank()));
        assertTrue(none.getMessage().contains("no worker"), "the farm is open, without workers: " + none.getMessage());
    }

    @Test
    void aHostThatJoinsGetsAResidentWorkerAndWork() throws Exception {
        BlockingQueue<Received> others = new LinkedBlockingQueue<>();
        farm = TaskFarm.builder(vm()).inFlightPerSlot(1).otherMessages(others::add).build();
        Busy busy = occupyBothWorkers();
        int newRank = vms.cluster.addRank();
        vms.startWorker(newRank);
        vms.cluster.announceJoin(newRank);
        Received added = others.poll(WAIT_S, TimeUnit.SECONDS);
        assertNotNull(added, "HostAdded reached the handler");
        assertInstanceOf(io.paravm.HostAdded.class, added.message());
        assertEquals(3, farm.stats().workers(), "the farm started a worker in the new slot");
        assertEquals(Integer.valueOf(newRank), get(farm.submit(rank())), "the old workers are busy: the new one runs it");
        busy.releaseAndCheck();
    }

    @Test
    void mapFromTheDispatcherThreadIsRefusedInsteadOfDeadlocking() throws Exception {
        farm = TaskFarm.on(vm());
        CountDownLatch g = gate("first");
        // Gated, so the future completes after the callback is attached: on the dispatcher thread.
        CompletableFuture<Object> nested = farm.submit(gated("first", 1)).thenApply(x -> farm.map(square(), List.of(2)));
        g.countDown();
        Throwable e = assertThrows(ExecutionException.class, () -> nested.get(WAIT_S, TimeUnit.SECONDS)).getCause();
        assertTrue(e.getMessage().contains("dispatcher thread"), e.getMessage());
        assertEquals(List.of(9), farm.map(square(), List.of(3)));
    }

    // ------------------------------------------------------------------ messages, close, bad input

    @Test
    void messagesThatAreNotTheFarmsGoToTheHandler() throws Exception {
        BlockingQueue<Received> others = new LinkedBlockingQueue<>();
        farm = TaskFarm.builder(vm()).otherMessages(others::add).build();
        TaskId worker = get(farm.submit(w -> {
            w.sendMessage(w.parentTaskId(), "hello from a farm task");
            return w.taskId();
        }));
        Received r = others.poll(WAIT_S, TimeUnit.SECONDS);
        assertNotNull(r);
        assertEquals("hello from a farm task", r.message());
        assertEquals(worker, r.sender());
    }

    @Test
    void closeCancelsUnfinishedWorkEndsTheWorkersAndLeavesTheVmUsable() throws Exception {
        VirtualMachine vm = vm();
        farm = TaskFarm.builder(vm).inFlightPerSlot(1).build();
        assertEquals(0, vm.freeSlots(), "a resident worker in every slot");
        Busy busy = occupyBothWorkers();
        CompletableFuture<String> queued = farm.submit(gated("q", "Q"));
        CompletableFuture<Void> closing = CompletableFuture.runAsync(farm::close);
        assertThrows(CancellationException.class, () -> queued.get(WAIT_S, TimeUnit.SECONDS));
        busy.gate().countDown();
        get(closing);
        assertEquals(2, vm.freeSlots(), "close() waited for the worker tasks to exit");
        assertThrows(VmClosedException.class, () -> farm.submit(rank()));
        assertThrows(VmClosedException.class, () -> farm.map(square(), List.of(1)));
        farm.close(); // twice is harmless
        assertEquals(0, runs("q"));
        // The VM is not closed: a new farm works on it.
        farm = TaskFarm.on(vm);
        assertEquals(List.of(1, 4), farm.map(square(), List.of(1, 2)));
    }

    @Test
    void closeMakesARunningMapThrow() throws Exception {
        farm = TaskFarm.builder(vm()).inFlightPerSlot(1).build();
        gate("m");
        CompletableFuture<List<Integer>> mapping = CompletableFuture.supplyAsync(() -> farm.map(x -> {
            STARTS.add("m" + x);
            GATES.get("m").await(WAIT_S, TimeUnit.SECONDS);
            return x;
        }, List.of(1, 2, 3, 4)));
        awaitStart();
        awaitStart();
        CompletableFuture<Void> closing = CompletableFuture.runAsync(farm::close);
        ExecutionException e = assertThrows(ExecutionException.class, () -> mapping.get(WAIT_S, TimeUnit.SECONDS));
        VmException thrown = assertInstanceOf(VmException.class, e.getCause());
        assertInstanceOf(CancellationException.class, thrown.getCause(), thrown.toString());
        assertTrue(thrown.getMessage().contains("the task farm was closed"), thrown.getMessage());
        GATES.get("m").countDown();
        get(closing);
    }

    @Test
    void badArgumentsAreRefusedClearly() {
        VirtualMachine vm = vm();
        assertTrue(assertThrows(VmException.class, () -> TaskFarm.builder(vm).maxQueued(0))
                .getMessage().contains("maxQueued(0): must be at least 1"));
        assertThrows(VmException.class, () -> TaskFarm.builder(vm).inFlightPerSlot(0));
        assertThrows(VmException.class, () -> TaskFarm.builder(vm).lostHostRetries(-1));
        assertThrows(VmException.class, () -> TaskFarm.builder(vm).taskTimeout(Duration.ZERO));
        assertThrows(VmException.class, () -> TaskFarm.builder(null));
        farm = TaskFarm.on(vm);
        assertTrue(assertThrows(VmException.class, () -> farm.submit(null)).getMessage().contains("task is null"));
        assertThrows(VmException.class, () -> farm.submit(rank(), Duration.ofSeconds(-1)));
        assertThrows(VmException.class, () -> farm.map(null, List.of(1)));
        assertThrows(VmException.class, () -> farm.map(square(), null));
        assertEquals(List.of(9), farm.map(square(), List.of(3)), "nothing was lost");
    }

    @Test
    void aFarmOnAWorkerIsRefused() throws Exception {
        farm = TaskFarm.builder(vm()).inFlightPerSlot(1).build();
        RemoteTaskException e = assertInstanceOf(RemoteTaskException.class, failureOf(farm.submit(w -> TaskFarm.on(w))));
        assertTrue(e.remoteTrace().contains("works only on the spawner"), e.remoteTrace());
    }

    // ------------------------------------------------------------------ spawn per task

    @Test
    void spawnPerTaskKeepsOrderSpreadsWorkAndReportsErrors() throws Exception {
        farm = TaskFarm.builder(vm()).spawnPerTask(true).build();
        List<Integer> xs = IntStream.range(0, 100).boxed().toList();
        assertEquals(xs.stream().map(x -> x * x).toList(), farm.map(square(), xs));
        Set<Integer> ranks = new HashSet<>();
        List<CompletableFuture<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 10; i++) fs.add(farm.submit(rank()));
        for (CompletableFuture<Integer> f : fs) ranks.add(get(f));
        assertEquals(Set.of(1, 2), ranks);
        RemoteTaskException e = assertInstanceOf(RemoteTaskException.class,
                failureOf(farm.submit(throwing("s", Integer.MAX_VALUE))));
        assertTrue(e.remoteTrace().contains("boom s run 1"), e.remoteTrace());
        assertEquals(1, runs("s"));
        farm.close();
        assertEquals(2, vm().freeSlots(), "close() waited for every spawned task to exit");
    }

    @Test
    void spawnPerTaskRetriesALostTask() throws Exception {
        farm = TaskFarm.builder(vm()).spawnPerTask(true).build();
        CountDownLatch g = gate("victim");
        CompletableFuture<String> f = farm.submit(gated("victim", "V"));
        int victimRank = awaitStartRank();
        vms.cluster.kill(victimRank);
        assertEquals("victim@" + (3 - victimRank), awaitStart());
        g.countDown();
        assertEquals("V", get(f));
        assertEquals(1, farm.stats().retried());
    }

    @Test
    void spawnPerTaskTimeout() throws Exception {
        farm = TaskFarm.builder(vm()).spawnPerTask(true).build();
        CountDownLatch g = gate("hung");
        CompletableFuture<String> f = farm.submit(gated("hung", "late"), Duration.ofMillis(50));
        assertInstanceOf(TimeoutException.class, failureOf(f));
        assertEquals(1, farm.stats().inFlight(), "the slot stays busy until the task ends");
        g.countDown();
        assertEquals(List.of(1, 4), farm.map(square(), List.of(1, 2)));
    }
}
