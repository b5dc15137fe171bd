package io.paravm.core;

import io.paravm.HostId;
import io.paravm.Received;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.TaskResult;
import io.paravm.VirtualMachine;
import io.paravm.farm.RemoteTaskException;
import io.paravm.farm.TaskFarm;
import io.paravm.spi.FarmTaskEvent;
import io.paravm.spi.HostSample;
import io.paravm.spi.VmEventListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The VM's events ({@code vm.events()}), as a listener on the spawner sees them, over vm-core
 * with 3 ranks as threads (hosts {@code host-0}, {@code host-1}): tasks spawned, started and
 * ended, hosts lost and joined, frames per rank, the workers' load samples, and the task
 * farm's tasks. In vm-farm's tests for the farm; in vm-core's package for the in-memory double.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class VmEventsTest {

    private static final long WAIT_S = 60;
    /** Gates tasks wait on, by name. */
    private static final Map<String, CountDownLatch> GATES = new ConcurrentHashMap<>();

    private InMemoryVms vms;

    /** Every event as a line of text, in the order told. */
    static final class Recorder implements VmEventListener {
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final BlockingQueue<HostSample> samples = new LinkedBlockingQueue<>();
        final BlockingQueue<FarmTaskEvent> farm = new LinkedBlockingQueue<>();
        final Map<Integer, LongAdder> framesSentTo = new ConcurrentHashMap<>();
        final Map<Integer, LongAdder> bytesReceivedFrom = new ConcurrentHashMap<>();

        @Override
        public void taskSpawned(TaskId task, HostId host) {
            lines.add("spawned " + task + " on " + host.name());
        }

        @Override
        public void taskStarted(TaskId task) {
            lines.add("started " + task);
        }

        @Override
        public void taskResult(TaskId task, TaskResult result) {
            lines.add("result " + task + " " + (result.success() ? "ok " + result.value() : "failed " + result.error()));
        }

        @Override
        public void taskExited(TaskId task, TaskExit.Reason reason) {
            lines.add("exit " + task + " " + reason);
        }

        @Override
        public void hostAdded(HostId host, int rank, int slots) {
            lines.add("host added " + host.name() + " rank " + rank + " slots " + slots);
        }

        @Override
        public void hostRemoved(HostId host, int rank) {
            lines.add("host removed " + host.name() + " rank " + rank);
        }

        @Override
        public void frameSent(int rank, int bytes) {
            framesSentTo.computeIfAbsent(rank, r -> new LongAdder()).increment();
        }

        @Override
        public void frameReceived(int rank, int bytes) {
            bytesReceivedFrom.computeIfAbsent(rank, r -> new LongAdder()).add(bytes);
        }

        @Override
        public void hostSampled(HostSample sample) {
            samples.add(sample);
        }

        @Override
        public void farmTask(FarmTaskEvent event) {
            farm.add(event);
        }

        /** The lines told so far about {@code task}, in order. */
        List<String> about(TaskId task) {
            List<String> out = new ArrayList<>();
            for (String l : lines) if (l.contains(" " + task + " ") || l.endsWith(" " + task)) out.add(l);
            return out;
        }

        String next() throws InterruptedException {
            String l = lines.poll(WAIT_S, TimeUnit.SECONDS);
            assertNotNull(l, "an event within " + WAIT_S + " s");
            return l;
        }
    }

    @AfterEach
    void tearDown() {
        GATES.values().forEach(CountDownLatch::countDown);
        GATES.clear();
        if (vms != null) vms.close();
    }

    private VirtualMachine spawner() {
        if (vms == null) vms = new InMemoryVms(3);
        return vms.spawner;
    }

    /** Receives until {@code n} TaskExits have come, failing after WAIT_S. */
    private static void awaitExits(VirtualMachine vm, int n) {
        for (int exits = 0; exits < n; ) {
            Received r = vm.receiveMessage(Duration.ofSeconds(WAIT_S)).orElseThrow(() -> new AssertionError("no exit in time"));
            if (r.message() instanceof TaskExit) exits++;
        }
    }

    @Test
    void withoutAListenerTheHubHasNothingToTell() {
        VirtualMachine vm = spawner();
        assertNull(vm.events().listener(), "publishers see null: one check, nothing built");
        Recorder r = new Recorder();
        vm.events().add(r);
        assertNotNull(vm.events().listener());
        vm.events().remove(r);
        assertNull(vm.events().listener());
    }

    @Test
    void aSpawnedTaskIsToldSpawnedStartedResultAndExitInThatOrder() throws Exception {
        VirtualMachine vm = spawner();
        Recorder rec = new Recorder();
        vm.events().add(rec);
        List<TaskId> ids = vm.spawnFunction(w -> "hi from " + w.taskId(), 2, null, true);
        awaitExits(vm, 2);
        for (TaskId id : ids) {
            List<String> told = rec.about(id);
            assertEquals(List.of("spawned " + id + " on host-" + (id.rank() % 2), "started " + id,
                    "result " + id + " ok hi from " + id, "exit " + id + " FINISHED"), told);
        }
        assertTrue(rec.framesSentTo.get(1).sum() >= 1 && rec.framesSentTo.get(2).sum() >= 1, "a spawn frame to each");
        assertTrue(rec.bytesReceivedFrom.get(1).sum() > 0 && rec.bytesReceivedFrom.get(2).sum() > 0,
                "a result and an exit from each: " + rec.bytesReceivedFrom);
    }

    @Test
    void aTaskThatThrowsIsToldWithItsRemoteStackTraceAndFailedExit() throws Exception {
        VirtualMachine vm = spawner();
        Recorder rec = new Recorder();
        vm.events().add(rec);
        TaskId id = vm.spawnFunction(w -> {
            throw new IllegalStateException("kaboom in the task");
        }, 1, null, true).get(0);
        awaitExits(vm, 1);
        List<String> told = rec.about(id);
        assertEquals(4, told.size(), told.toString());
        assertTrue(told.get(2).startsWith("result " + id + " failed") && told.get(2).contains("kaboom in the task")
                && told.get(2).contains("IllegalStateException"), told.get(2));
        assertEquals("exit " + id + " FAILED", told.get(3));
    }

    @Test
    void aLostRankIsToldAsItsTasksLostThenTheHostRemoved() throws Exception {
        VirtualMachine vm = spawner();
        Recorder rec = new Recorder();
        vm.events().add(rec);
        CountDownLatch gate = new CountDownLatch(1);
        GATES.put("lost", gate);
        TaskId id = vm.spawnFunction(w -> {
            w.sendMessage(new TaskId(0, 0), "running");
            GATES.get("lost").await(WAIT_S, TimeUnit.SECONDS);
            return null;
        }, 1, null, true).get(0);
        assertEquals("running", vm.receiveMessage(Duration.ofSeconds(WAIT_S)).orElseThrow().message());
        vms.cluster.kill(id.rank());
        awaitExits(vm, 1);
        assertEquals(List.of("spawned " + id + " on host-" + (id.rank() % 2), "started " + id, "exit " + id + " LOST"),
                rec.about(id), "its first message told that it started");
        assertTrue(rec.lines.contains("host removed host-" + (id.rank() % 2) + " rank " + id.rank()), rec.lines.toString());
    }

    @Test
    void aRankThatJoinsIsToldAsAHostAdded() throws Exception {
        VirtualMachine vm = spawner();
        Recorder rec = new Recorder();
        vm.events().add(rec);
        int rank = vms.cluster.addRank();
        vms.startWorker(rank);
        vms.cluster.announceJoin(rank);
        Received added = vm.receiveMessage(Duration.ofSeconds(WAIT_S)).orElseThrow();
        assertInstanceOf(io.paravm.HostAdded.class, added.message());
        assertTrue(rec.lines.contains("host added host-" + (rank % 2) + " rank " + rank + " slots 1"), rec.lines.toString());
    }

    @Test
    void everyWorkerSendsLoadSamplesOnceTheSpawnerHasAListener() throws Exception {
        VirtualMachine vm = spawner();
        Recorder rec = new Recorder();
        vm.events().add(rec);
        Map<Integer, HostSample> byRank = new ConcurrentHashMap<>();
        // Samples are handled when the spawner receives; receive (nothing else comes) until both arrived.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (byRank.size() < 2 && System.nanoTime() < deadline) {
            vm.receiveMessage(Duration.ofMillis(200));
            for (HostSample s; (s = rec.samples.poll()) != null; ) byRank.put(s.rank(), s);
        }
        assertEquals(2, byRank.size(), "a sample from ranks 1 and 2: " + byRank);
        HostSample s = byRank.get(1);
        assertEquals("host-1", s.host().name());
        assertTrue(s.heapUsedBytes() > 0 && s.gcCount() >= 0, s.toString());
    }

    @Test
    void loadSamplesAreToldWhileTheSpawnerReceivesFromOneTaskOnly() throws Exception {
        VirtualMachine vm = spawner();
        Recorder rec = new Recorder();
        vm.events().add(rec);
        CountDownLatch gate = new CountDownLatch(1);
        GATES.put("samples", gate);
        TaskId id = vm.spawnFunction(w -> GATES.get("samples").await(WAIT_S, TimeUnit.SECONDS), 1, null, true).get(0);
        Thread opener = new Thread(() -> {
            try {
                for (HostSample s; (s = rec.samples.poll(WAIT_S, TimeUnit.SECONDS)) != null; ) {
                    if (s.rank() == id.rank()) {
                        gate.countDown(); // the task ends once a sample of its rank was told
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        opener.start();
        // Only this receive takes frames (from the task's rank): a sample of that rank, which no task sent, must
        // be told as it comes, not kept for a later receive from anyone.
        Received r = vm.receiveMessage(Duration.ofSeconds(WAIT_S), id).orElseThrow(() -> new AssertionError(
                "the task did not end: its gate opens only once a sample of rank " + id.rank() + " was told"));
        assertInstanceOf(TaskResult.class, r.message());
        assertEquals(true, ((TaskResult) r.message()).value());
        opener.join(WAIT_S * 1000);
    }

    @Test
    void aListenerThatThrowsDoesNotStopTheVmOrTheOtherListeners() throws Exception {
        VirtualMachine vm = spawner();
        vm.events().add(new VmEventListener() {
            @Override
            public void taskSpawned(TaskId task, HostId host) {
                throw new IllegalStateException("a broken listener");
            }
        });
        Recorder rec = new Recorder();
        vm.events().add(rec);
        TaskId id = vm.spawnFunction(w -> 1, 1, null, true).get(0);
        awaitExits(vm, 1);
        assertEquals("spawned " + id + " on host-" + (id.rank() % 2), rec.about(id).get(0));
    }

    @Test
    void aFarmTellsEachTaskSubmittedStartedAndCompletedOrFailedWithItsTrace() throws Exception {
        VirtualMachine vm = spawner();
        Recorder rec = new Recorder();
        vm.events().add(rec);
        try (TaskFarm farm = TaskFarm.builder(vm).build()) {
            List<Integer> xs = IntStream.range(0, 20).boxed().toList();
            assertEquals(xs.stream().map(x -> x + 1).toList(), farm.map(x -> x + 1, xs));
            RemoteTaskException e = assertThrows(RemoteTaskException.class,
                    () -> farm.map(x -> { throw new ArithmeticException("no " + x); }, List.of(7)));
            assertTrue(e.getMessage().contains("no 7"));
        }
        Map<FarmTaskEvent.Kind, Integer> counts = new java.util.EnumMap<>(FarmTaskEvent.Kind.class);
        FarmTaskEvent failed = null;
        for (FarmTaskEvent e : rec.farm) {
            counts.merge(e.kind(), 1, Integer::sum);
            if (e.kind() == FarmTaskEvent.Kind.FAILED) failed = e;
            if (e.kind() == FarmTaskEvent.Kind.COMPLETED) {
                assertTrue(e.worker().isValid() && e.runNanos() > 0 && e.sinceSubmitNanos() >= e.runNanos(), e.toString());
            }
        }
        assertEquals(21, counts.get(FarmTaskEvent.Kind.SUBMITTED));
        assertEquals(21, counts.get(FarmTaskEvent.Kind.STARTED));
        assertEquals(20, counts.get(FarmTaskEvent.Kind.COMPLETED));
        assertEquals(1, counts.get(FarmTaskEvent.Kind.FAILED));
        assertEquals("input 0 of 1", failed.item());
        assertTrue(failed.error().contains("ArithmeticException") && failed.error().contains("no 7"), failed.error());
    }
}
