package io.paravm.tck;

import io.paravm.Received;
import io.paravm.Task;
import io.paravm.TaskId;
import io.paravm.VmClosedException;
import io.paravm.VmException;
import io.paravm.farm.FarmProgress;
import io.paravm.farm.FarmStats;
import io.paravm.farm.RemoteTaskException;
import io.paravm.farm.TaskFarm;
import io.paravm.farm.TaskFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;

import static io.paravm.tck.TckTasks.resultOf;
import static io.paravm.tck.TckTasks.timeout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The conformance rules of the task farm ({@code io.paravm.farm.TaskFarm}, section 7 of
 * {@code docs/SPEC.md}) on one engine, run by {@link TckLauncher} after the VM's own
 * verification, on the same open VM:
 *
 * <pre>{@code
 * TckLauncher --verification io.paravm.transport.openmpi.OpenMpiVerification \
 *             --verification io.paravm.tck.FarmVerification --reports target/tck/np3
 * }</pre>
 *
 * <p>Tasks run in other processes here, so what a test needs to know about them travels
 * as messages to the spawner, which the farm hands to its {@code otherMessages} handler:
 * a task reports each run ({@code "ran NAME"}) before it returns, so the count is complete
 * when its future completes; a <em>gated</em> task reports {@code "started NAME"} and
 * waits for a {@code "go"} message (with one task in flight per worker, so that nothing
 * else of the farm's is sent to it meanwhile). Every test closes its farm, after which
 * every slot is free again. A rule that needs two workers is skipped on a smaller job.
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
public class FarmVerification extends SpawnerVerification {

    /** Inputs of the ordering rule's {@code map} (7.1); default 1,000. */
    protected int mapInputs() {
        return 1000;
    }

    private final BlockingQueue<Received> arriving = new LinkedBlockingQueue<>();
    private final List<Received> seen = new ArrayList<>();
    private TaskFarm farm;

    private TaskFarm.Builder farmBuilder() {
        return TaskFarm.builder(vm()).otherMessages(arriving::add);
    }

    @AfterEach
    void closeFarm() {
        if (farm != null) farm.close(); // before the base class drains and checks the slots
    }

    // ------------------------------------------------------------------ tasks (static: capture only arguments)

    private static TaskFunction<Integer, Integer> square() {
        return x -> x * x;
    }

    private static TaskFunction<String, String> exclaim() {
        return s -> s + "!";
    }

    private static TaskFunction<Integer, Integer> failsAt(int bad) {
        return x -> {
            if (x == bad) throw new ArithmeticException("farm rule: input " + bad + " fails");
            return x;
        };
    }

    private static Task<TaskId> whoRuns() {
        return w -> w.taskId();
    }

    private static Task<String> reportsRun(String name) {
        return w -> {
            w.sendMessage(w.parentTaskId(), "ran " + name);
            return name;
        };
    }

    private static Task<Object> throwing(String name) {
        return w -> {
            w.sendMessage(w.parentTaskId(), "ran " + name);
            throw new IllegalStateException("farm rule " + name);
        };
    }

    private static Task<String> gated(String name) {
        return w -> {
            w.sendMessage(w.parentTaskId(), "started " + name);
            Object go = w.receiveMessage(timeout(), w.parentTaskId()).map(Received::message).orElse(null);
            if (!"go".equals(go)) throw new IllegalStateException(name + " expected \"go\", got " + go);
            return name;
        };
    }

    // ------------------------------------------------------------------ helpers

    /** Waits for the task message {@code text}; returns its sender. Messages taken meanwhile are kept. */
    private TaskId awaitMessage(String text) throws InterruptedException {
        for (Received r : seen) if (text.equals(r.message())) return r.sender();
        long deadline = System.nanoTime() + timeout().toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Received r = left > 0 ? arriving.poll(left, TimeUnit.NANOSECONDS) : null;
            assertNotNull(r, () -> "no message \"" + text + "\" within " + timeout() + "; got " + seen);
            seen.add(r);
            if (text.equals(r.message())) return r.sender();
        }
    }

    /** Counts the task messages {@code text} received so far. */
    private long count(String text) {
        arriving.drainTo(seen);
        return seen.stream().filter(r -> text.equals(r.message())).count();
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(timeout().toSeconds(), TimeUnit.SECONDS);
    }

    private static Throwable failureOf(CompletableFuture<?> f) {
        return assertThrows(ExecutionException.class, () -> get(f)).getCause();
    }

    /** Puts a gated task on every worker (one task in flight each) and returns their futures and ids. */
    private List<TaskId> occupyEveryWorker(String prefix, List<CompletableFuture<String>> futures) throws Exception {
        List<TaskId> ids = new ArrayList<>();
        for (int i = 0; i < workers(); i++) futures.add(farm.submit(gated(prefix + i)));
        for (int i = 0; i < workers(); i++) ids.add(awaitMessage("started " + prefix + i));
        return ids;
    }

    private void release(List<TaskId> gatedTasks) {
        for (TaskId id : gatedTasks) vm().sendMessage(id, "go");
    }

    // ------------------------------------------------------------------ 6. the task farm

    /** Rule 7.1: {@code map} returns every result in input order; maps of other functions follow on one farm. */
    @Test
    void required_spec7_1_mapReturnsResultsInInputOrder() {
        farm = farmBuilder().build();
        List<Integer> xs = IntStream.range(0, mapInputs()).boxed().toList();
        assertEquals(xs.stream().map(x -> x * x).toList(), farm.map(square(), xs));
        assertEquals(List.of("a!", "b!", "c!"), farm.map(exclaim(), List.of("a", "b", "c")));
        assertEquals(List.of(), farm.map(square(), List.of()));
        FarmStats s = farm.stats();
        assertEquals(mapInputs() + 3, s.completed());
        assertEquals(0, s.failed() + s.retried() + s.timedOut() + s.cancelled());
        assertEquals(workers(), s.workers());
    }

    /** Rule 7.2: work goes to every worker (dynamic load balancing). */
    @Test
    void required_spec7_2_everyWorkerGetsWork() throws Exception {
        requireWorkers(2);
        Set<Integer> ranks = vm().freeSlotsSet().stream().map(io.paravm.SlotId::rank).collect(java.util.stream.Collectors.toSet());
        farm = farmBuilder().build();
        List<CompletableFuture<TaskId>> fs = new ArrayList<>();
        for (int i = 0; i < 4 * ranks.size(); i++) fs.add(farm.submit(whoRuns()));
        Set<Integer> ran = new HashSet<>();
        for (CompletableFuture<TaskId> f : fs) ran.add(get(f).rank());
        assertEquals(ranks, ran);
    }

    /** Rule 7.3: a task that throws fails its future with the remote trace, runs once, and its worker goes on. */
    @Test
    void required_spec7_3_aThrowingTaskFailsWithTheRemoteTraceAndIsNotRetried() throws Exception {
        farm = farmBuilder().build();
        RemoteTaskException e = assertInstanceOf(RemoteTaskException.class, failureOf(farm.submit(throwing("t63"))));
        assertTrue(e.getMessage().contains("java.lang.IllegalStateException: farm rule t63"), e.getMessage());
        assertTrue(e.remoteTrace().contains("at io.paravm.tck.FarmVerification"), e.remoteTrace());
        List<CompletableFuture<String>> after = new ArrayList<>();
        for (int i = 0; i < 2 * workers(); i++) after.add(farm.submit(reportsRun("after63")));
        for (CompletableFuture<String> f : after) assertEquals("after63", get(f));
        assertEquals(1, count("ran t63"), "a task that throws is not run again unless asked");
        FarmStats s = farm.stats();
        assertEquals(1, s.failed());
        assertEquals(0, s.retried());
    }

    /** Rule 7.4: with {@code failureRetries(n)} a task that keeps throwing runs n + 1 times, then fails. */
    @Test
    void required_spec7_4_failureRetriesRunAThrowingTaskAgain() throws Exception {
        farm = farmBuilder().failureRetries(2).build();
        Throwable e = failureOf(farm.submit(throwing("t64")));
        assertInstanceOf(RemoteTaskException.class, e);
        assertTrue(e.getMessage().contains("after 2 retries"), e.getMessage());
        assertEquals(3, count("ran t64"));
        assertEquals(2, farm.stats().retried());
    }

    /** Rule 7.5: a failing input makes {@code map} throw, naming its index; the farm goes on. */
    @Test
    void required_spec7_5_mapFailureNamesTheInputIndexAndTheFarmGoesOn() {
        farm = farmBuilder().build();
        List<Integer> xs = IntStream.range(0, 50).boxed().toList();
        RemoteTaskException e = assertThrows(RemoteTaskException.class, () -> farm.map(failsAt(7), xs));
        assertEquals(7, e.inputIndex());
        assertTrue(e.getMessage().startsWith("map: input 7 of 50 threw"), e.getMessage());
        assertTrue(e.remoteTrace().contains("ArithmeticException: farm rule: input 7 fails"), e.remoteTrace());
        assertEquals(List.of(4, 9), farm.map(square(), List.of(2, 3)));
    }

    /**
     * Rule 7.6: a task past its timeout fails with {@link TimeoutException}; its worker counts
     * as busy until the task really ends, the rest goes on, and the late result is dropped.
     */
    @Test
    void required_spec7_6_aTaskPastItsTimeoutFailsAndTheFarmGoesOn() throws Exception {
        farm = farmBuilder().inFlightPerSlot(1).build();
        CompletableFuture<String> late = farm.submit(gated("t66"), Duration.ofMillis(200));
        TaskId hung = awaitMessage("started t66");
        Throwable e = failureOf(late);
        assertInstanceOf(TimeoutException.class, e);
        FarmStats s = farm.stats();
        assertEquals(1, s.timedOut());
        assertEquals(1, s.inFlight(), "the timed-out task still runs on its worker");
        if (workers() >= 2) {
            for (int i = 0; i < 2 * workers(); i++) {
                assertNotEquals(hung, get(farm.submit(whoRuns())), "nothing goes to the busy worker");
            }
        }
        vm().sendMessage(hung, "go");
        List<CompletableFuture<TaskId>> after = new ArrayList<>();
        for (int i = 0; i < 2 * workers(); i++) after.add(farm.submit(whoRuns()));
        Set<TaskId> ran = new HashSet<>();
        for (CompletableFuture<TaskId> f : after) ran.add(get(f));
        if (workers() == 1) assertEquals(Set.of(hung), ran, "the worker is used again once the task ended");
        assertInstanceOf(TimeoutException.class, failureOf(late), "the late result was dropped");
    }

    /** Rule 7.7: a queued task whose future is cancelled never runs; the rest goes on. */
    @Test
    void required_spec7_7_aCancelledQueuedTaskNeverRuns() throws Exception {
        farm = farmBuilder().inFlightPerSlot(1).build();
        List<CompletableFuture<String>> gatedFutures = new ArrayList<>();
        List<TaskId> busy = occupyEveryWorker("g67-", gatedFutures);
        List<CompletableFuture<String>> queued = new ArrayList<>();
        for (int i = 0; i < 3; i++) queued.add(farm.submit(reportsRun("q67")));
        assertEquals(3, farm.stats().queued());
        for (CompletableFuture<String> f : queued) assertTrue(f.cancel(false));
        assertEquals(0, farm.stats().queued());
        release(busy);
        for (CompletableFuture<String> f : gatedFutures) assertTrue(get(f).startsWith("g67-"));
        assertEquals("after67", get(farm.submit(reportsRun("after67"))));
        farm.close();
        assertEquals(0, count("ran q67"), "a cancelled task ran");
        assertEquals(1, count("ran after67"));
        for (CompletableFuture<String> f : queued) assertTrue(f.isCancelled());
        assertEquals(3, farm.stats().cancelled());
    }

    /** Rule 7.8: {@code submit} waits while the queue is full, then fails naming the bound; nothing is lost. */
    @Test
    void required_spec7_8_submitWaitsWhileTheQueueIsFullThenFailsClearly() throws Exception {
        farm = farmBuilder().inFlightPerSlot(1).maxQueued(2).queueWait(Duration.ofMillis(200)).build();
        List<CompletableFuture<String>> fs = new ArrayList<>();
        List<TaskId> busy = occupyEveryWorker("g68-", fs);
        fs.add(farm.submit(reportsRun("q68")));
        fs.add(farm.submit(reportsRun("q68")));
        VmException full = assertThrows(VmException.class, () -> farm.submit(reportsRun("refused68")));
        assertTrue(full.getMessage().contains("maxQueued=2"), full.getMessage());
        assertEquals(workers() + 2, farm.stats().submitted(), "the refused task was not taken");
        release(busy);
        for (CompletableFuture<String> f : fs) assertNotNull(get(f));
        farm.close();
        assertEquals(2, count("ran q68"));
        assertEquals(0, count("ran refused68"));
    }

    /** Rule 7.9: progress is told once per input, counts rising by one, every call before {@code map} returns. */
    @Test
    void required_spec7_9_progressIsToldOncePerInputBeforeMapReturns() {
        List<FarmProgress> farmWide = Collections.synchronizedList(new ArrayList<>());
        farm = farmBuilder().progress(farmWide::add).build();
        List<FarmProgress> seenProgress = Collections.synchronizedList(new ArrayList<>());
        farm.map(square(), IntStream.range(0, 100).boxed().toList(), seenProgress::add);
        assertEquals(100, seenProgress.size());
        for (int i = 0; i < 100; i++) {
            assertEquals(i + 1, seenProgress.get(i).completed());
            assertEquals(0, seenProgress.get(i).failed());
            assertEquals(100, seenProgress.get(i).total());
        }
        assertEquals(100, farmWide.size());
        assertEquals(100, farmWide.get(99).completed());
    }

    /** Rule 7.10: the farm keeps a worker in every free slot; {@code close()} ends them and leaves the VM usable. */
    @Test
    void required_spec7_10_closeEndsTheFarmsWorkersAndLeavesTheVmUsable() throws Exception {
        farm = farmBuilder().build();
        assertEquals(0, vm().freeSlots(), "a resident worker in every free slot");
        assertEquals(List.of(1, 4), farm.map(square(), List.of(1, 2)));
        farm.close();
        assertEquals(vm().slots() - 1, vm().freeSlots(), "close() returned after every worker task exited");
        assertThrows(VmClosedException.class, () -> farm.submit(whoRuns()));
        farm.close();
        TaskId id = vm().spawnFunction(w -> 42).orElseThrow();
        assertEquals(42, resultOf(vm(), id));
    }

    /** Rule 7.11: spawning one task per item keeps the order, reports errors, and leaves no task behind. */
    @Test
    void required_spec7_11_spawnPerTaskRunsEachItemAsItsOwnTask() throws Exception {
        farm = farmBuilder().spawnPerTask(true).build();
        assertEquals(vm().slots() - 1, vm().freeSlots(), "no resident workers");
        List<Integer> xs = IntStream.range(0, 100).boxed().toList();
        assertEquals(xs.stream().map(x -> x * x).toList(), farm.map(square(), xs));
        List<CompletableFuture<TaskId>> fs = new ArrayList<>();
        for (int i = 0; i < 2 * workers(); i++) fs.add(farm.submit(whoRuns()));
        Set<TaskId> ids = new HashSet<>();
        for (CompletableFuture<TaskId> f : fs) ids.add(get(f));
        assertEquals(fs.size(), ids.size(), "every item ran as a task of its own");
        RemoteTaskException e = assertInstanceOf(RemoteTaskException.class, failureOf(farm.submit(throwing("t611"))));
        assertTrue(e.remoteTrace().contains("farm rule t611"), e.remoteTrace());
        farm.close();
        assertEquals(vm().slots() - 1, vm().freeSlots(), "close() waited for every spawned task");
        assertEquals(1, count("ran t611"));
    }
}
