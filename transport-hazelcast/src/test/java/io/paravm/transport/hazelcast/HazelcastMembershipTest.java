package io.paravm.transport.hazelcast;

import io.paravm.HostAdded;
import io.paravm.HostRemoved;
import io.paravm.Received;
import io.paravm.Task;
import io.paravm.TaskExit;
import io.paravm.SlotId;
import io.paravm.TaskId;
import io.paravm.TaskResult;
import io.paravm.VirtualMachine;
import io.paravm.VirtualMachines;
import io.paravm.VmConfig;
import io.paravm.VmException;
import io.paravm.VmStatus;
import io.paravm.farm.FarmStats;
import io.paravm.farm.TaskFarm;
import io.paravm.farm.TaskFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hosts that come and go: this JVM is the spawner (rank 0, a real Hazelcast member on
 * loopback); workers are real member JVMs started with {@link HazelcastLauncher}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HazelcastMembershipTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    /**
     * Test settings: a member silent this long is declared dead (a killed JVM is noticed
     * sooner, when its sockets close). Both sides get it.
     */
    private static final int MAX_NO_HEARTBEAT_SECONDS = 3;
    /** How soon after a worker JVM is killed (or leaves) the spawner must have its TaskExit(LOST) and HostRemoved. */
    private static final Duration LOSS_BOUND = Duration.ofSeconds(5);

    private HazelcastLauncher workers;
    private VirtualMachine vm;
    private String cluster;
    private final String secret = HazelcastSecret.newSecret();
    private int port;

    @BeforeEach
    void setUp(TestInfo info) throws IOException {
        port = FreePort.on("127.0.0.1");
        cluster = "paravm-test-" + ProcessHandle.current().pid() + "-" + port;
        workers = HazelcastLauncher.builder().join("127.0.0.1:" + port).cluster(cluster).secret(secret)
                .mainClass(MembershipWorker.class.getName())
                .jvmOption("-D" + HazelcastProperties.MAX_NO_HEARTBEAT_SECONDS_PROP_NAME + "=" + MAX_NO_HEARTBEAT_SECONDS)
                .jvmOption("-Dorg.slf4j.simpleLogger.log." + SpawnerProbe.class.getName() + "=debug") // says it waits
                .logDirectory(logDir(info))
                .build();
    }

    private static Path logDir(TestInfo info) {
        return Path.of("target", "membership-logs", info.getTestMethod().orElseThrow().getName());
    }

    @AfterEach
    void tearDown() {
        try {
            if (vm != null) vm.close();
        } finally {
            workers.kill();
            workers.close();
        }
    }

    private VirtualMachine openSpawner(int np) {
        return VirtualMachines.open(VmConfig.builder().transport("hazelcast")
                .startupTimeout(WAIT)
                .property(HazelcastProperties.CLUSTER_PROP_NAME, cluster)
                .property(HazelcastProperties.SECRET_PROP_NAME, secret)
                .property(HazelcastProperties.PORT_PROP_NAME, Integer.toString(port))
                .property(HazelcastProperties.NP_PROP_NAME, Integer.toString(np))
                .property(HazelcastProperties.MAX_NO_HEARTBEAT_SECONDS_PROP_NAME, Integer.toString(MAX_NO_HEARTBEAT_SECONDS))
                .build());
    }

    /** Receives until a message of {@code type} arrives; everything else received meanwhile is kept. */
    private <T> T awaitMessage(Class<T> type, List<Received> others) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            assertTrue(left > 0, "no " + type.getSimpleName() + " within " + WAIT + "; received " + others
                    + "\n" + vm.formatSpawnerConfig());
            Received r = vm.receiveMessage(Duration.ofNanos(left)).orElse(null);
            if (r == null) continue;
            if (type.isInstance(r.message())) return type.cast(r.message());
            others.add(r);
        }
    }

    private static Task<Object> whoAmI() {
        return w -> w.taskId().rank();
    }

    private static Task<Object> waitLong() {
        return w -> w.receiveMessage(Duration.ofSeconds(120)).map(Received::message).orElse("nothing");
    }

    @Test
    void workerJoiningLateIsReportedAsHostAddedAndRunsTasks() {
        vm = openSpawner(1);
        assertEquals(1, vm.slots(), "only the spawner at start");
        assertEquals(0, vm.freeSlots());

        workers.startWorker();
        List<Received> others = new ArrayList<>();
        HostAdded added = awaitMessage(HostAdded.class, others);
        assertEquals(List.of(1), added.slots(), "the first worker is rank 1");
        assertEquals(vm.hostId(), added.host(), "same machine, same host");
        assertEquals(2, vm.slots());
        assertEquals(1, vm.freeSlots());

        TaskId id = vm.spawnFunction(whoAmI()).orElseThrow();
        assertEquals(1, id.rank());
        TaskResult result = awaitMessage(TaskResult.class, others);
        assertTrue(result.success(), result.error());
        assertEquals(1, result.value());
        TaskExit exit = awaitMessage(TaskExit.class, others);
        assertEquals(new TaskExit(id, TaskExit.Reason.FINISHED), exit);
        assertEquals(1, vm.freeSlots());

        workers.startWorker();
        HostAdded second = awaitMessage(HostAdded.class, others);
        assertEquals(List.of(2), second.slots(), "the next worker gets the next rank");
        assertEquals(3, vm.slots());
        assertEquals(2, vm.freeSlots());
        assertTrue(others.isEmpty(), "nothing else arrived: " + others);

        vm.close();
        assertTrue(workers.awaitAll(WAIT), "every worker JVM exits with 0 after close()");
    }

    @Test
    @DisplayName("issue 16: a worker started before the spawner listens retries the join, then gets its rank")
    void workerStartedBeforeTheSpawnerRetriesTheJoinAndRunsTasks(TestInfo info) throws Exception {
        Path log = logDir(info).resolve("worker-1.log");
        Files.deleteIfExists(log); // logs are appended to: no line from an earlier run
        workers.startWorker();
        String waiting = "nothing listens at 127.0.0.1:" + port + " yet";
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!(Files.exists(log) && Files.readString(log).contains(waiting))) {
            assertTrue(System.nanoTime() - deadline < 0, "the worker never said it waits for the spawner: "
                    + (Files.exists(log) ? Files.readString(log) : "no log"));
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        vm = openSpawner(1); // only now does anything listen at the worker's join address

        List<Received> others = new ArrayList<>();
        HostAdded added = awaitMessage(HostAdded.class, others);
        assertEquals(List.of(1), added.slots(), "the worker that started first is rank 1");
        TaskId id = vm.spawnFunction(whoAmI()).orElseThrow();
        TaskResult result = awaitMessage(TaskResult.class, others);
        assertTrue(result.success(), result.error());
        assertEquals(1, result.value());
        assertEquals(new TaskExit(id, TaskExit.Reason.FINISHED), awaitMessage(TaskExit.class, others));
        vm.close();
        assertTrue(workers.awaitAll(WAIT), "the worker JVM exits with 0 after close(): " + Files.readString(log));
    }

    @Test
    @DisplayName("issue 16: a worker whose spawner never listens fails after the join timeout, naming the address")
    void workerWhoseSpawnerNeverListensFailsNamingTheAddressAndTheSetting() {
        int nobody = FreePort.on("127.0.0.1"); // free: nothing listens there
        VmConfig config = VmConfig.builder().transport("hazelcast")
                .property(HazelcastProperties.JOIN_PROP_NAME, "127.0.0.1:" + nobody)
                .property(HazelcastProperties.SECRET_PROP_NAME, secret)
                .property(HazelcastProperties.JOIN_TIMEOUT_SECONDS_PROP_NAME, "1")
                .build();
        VmException e = assertThrows(VmException.class, () -> HazelcastTransport.start(config)); // the class's @Timeout bounds it
        String m = e.getMessage();
        assertTrue(m.contains("nothing listening at 127.0.0.1:" + nobody), m);
        assertTrue(m.contains(HazelcastProperties.JOIN_TIMEOUT_SECONDS_PROP_NAME + " (now 1 s"), m);
        assertTrue(m.matches("(?s).*after trying \\d+ times for \\d+\\.\\d s.*"), m);
    }

    /** Opens the spawner of a 3-rank VM whose two workers are member JVMs of their own. */
    private VirtualMachine openWithTwoWorkers() throws Exception {
        // Two workers are expected at open: open() returns once both have ranks and said hello.
        CompletableFuture<VirtualMachine> opening = CompletableFuture.supplyAsync(() -> openSpawner(3));
        workers.startWorker();
        workers.startWorker();
        return opening.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private long pidOf(int rank) {
        return vm.status().slots().stream().filter(s -> s.rank() == rank)
                .mapToLong(VmStatus.Slot::pid).findFirst().orElseThrow();
    }

    private boolean rankBusy(int rank) {
        return vm.status().slots().stream().anyMatch(s -> s.rank() == rank && !s.isFree());
    }

    /**
     * Work that takes 100 ms, except in the victim's JVM, where it waits to be killed: so
     * whenever the victim's slot is busy it holds an input with no result sent yet, and the
     * kill always loses one (a kill that fell just after a result was sent lost nothing, and
     * the test flaked under load).
     */
    private static TaskFunction<Integer, Integer> timesTenUnlessIn(long victimPid) {
        return x -> {
            Thread.sleep(ProcessHandle.current().pid() == victimPid ? 60_000 : 100);
            return 10 * x;
        };
    }

    @ParameterizedTest(name = "spawnPerTask={0}")
    @ValueSource(booleans = {false, true})
    void farmMapSurvivesKillOfAWorkerJvmAndReturnsEveryResultOnceInOrder(boolean spawnPerTask) throws Exception {
        vm = openWithTwoWorkers();
        long victimPid = pidOf(1);
        assertTrue(victimPid != ProcessHandle.current().pid());
        ProcessHandle victim = ProcessHandle.of(victimPid).orElseThrow();
        BlockingQueue<Received> others = new LinkedBlockingQueue<>();
        AtomicLong killedAfter = new AtomicLong(-1);
        List<Integer> xs = IntStream.range(0, 40).boxed().toList();
        List<Integer> ys;
        FarmStats stats;
        try (TaskFarm farm = TaskFarm.builder(vm).spawnPerTask(spawnPerTask).otherMessages(others::add).build()) {
            ys = farm.map(timesTenUnlessIn(victimPid), xs, p -> {
                // kill -9 of rank 1's JVM once 5 inputs are done and rank 1 has an input in hand
                // (between two spawned tasks its slot is briefly free, and nothing would be lost).
                if (p.completed() >= 5 && rankBusy(1) && killedAfter.compareAndSet(-1, p.completed())
                        && !victim.destroyForcibly()) {
                    killedAfter.set(-2);
                }
            });
            stats = farm.stats();
        }
        assertTrue(killedAfter.get() >= 5 && killedAfter.get() < xs.size(), "kill -9 " + victimPid + " was sent mid-map: "
                + killedAfter.get());
        assertEquals(xs.stream().map(x -> 10 * x).toList(), ys, "every result once, in input order");
        assertTrue(stats.retried() >= 1, "the victim's running input ran again elsewhere: " + stats);
        assertEquals(40, stats.completed(), stats.toString());
        assertEquals(0, stats.failed() + stats.timedOut() + stats.cancelled(), stats.toString());
        victim.onExit().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertFalse(victim.isAlive(), "the victim died");
        assertTrue(others.stream().anyMatch(r -> r.message() instanceof HostRemoved h && h.slots().equals(List.of(1))),
                "HostRemoved reached the farm's handler: " + others);
        assertEquals(2, vm.slots(), "the lost rank no longer counts");
        assertEquals(1, vm.freeSlots(), "closing the farm freed the survivor's slot");
    }

    @Test
    void workerKilledMidTaskGivesLostExitAndHostRemoved() throws Exception {
        vm = openWithTwoWorkers();
        assertEquals(3, vm.slots());
        assertEquals(2, vm.freeSlots());

        TaskId victim = vm.spawnFunction(waitLong(), 1, null, true).get(0);
        long pid = pidOf(victim.rank());
        assertTrue(pid != ProcessHandle.current().pid());
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow();
        long killed = System.nanoTime();
        assertTrue(process.destroyForcibly(), "kill -9 " + pid);

        List<Received> others = new ArrayList<>();
        TaskExit exit = awaitMessage(TaskExit.class, others);
        Duration exitAfter = Duration.ofNanos(System.nanoTime() - killed);
        assertEquals(new TaskExit(victim, TaskExit.Reason.LOST), exit);
        HostRemoved removed = awaitMessage(HostRemoved.class, others);
        Duration removedAfter = Duration.ofNanos(System.nanoTime() - killed);
        assertEquals(List.of(victim.rank()), removed.slots());
        System.out.printf("figure: hazelcast, worker JVM killed mid-task: TaskExit(LOST) after %d ms, HostRemoved after %d ms%n",
                exitAfter.toMillis(), removedAfter.toMillis());
        assertTrue(removedAfter.compareTo(LOSS_BOUND) <= 0, "TaskExit(LOST) and HostRemoved came " + removedAfter.toMillis()
                + " ms after kill -9, later than " + LOSS_BOUND);
        assertTrue(others.isEmpty(), "nothing else arrived: " + others);

        assertEquals(2, vm.slots(), "the lost rank no longer counts");
        assertEquals(1, vm.freeSlots());
        assertTrue(vm.freeSlotsSet().stream().noneMatch(s -> s.rank() == victim.rank()), "no free slot on the lost rank");
        assertTrue(vm.status().slots().stream().noneMatch(s -> s.rank() == victim.rank()));

        TaskId next = vm.spawnFunction(whoAmI()).orElseThrow();
        assertTrue(next.rank() != victim.rank());
        TaskResult result = awaitMessage(TaskResult.class, others);
        assertEquals(next.rank(), result.value(), "the surviving worker still runs tasks");
        assertInstanceOf(TaskExit.class, vm.receiveMessage(WAIT).orElseThrow().message());
    }

    @Test
    void workerLeavingPolitelyFreesItsSlotsAndWorkGoesToTheOthers() throws Exception {
        vm = openWithTwoWorkers();
        ProcessHandle leaver = ProcessHandle.of(pidOf(2)).orElseThrow();
        long asked = System.nanoTime();
        assertTrue(leaver.destroy(), "SIGTERM to rank 2's JVM: it shuts its member down and leaves");

        List<Received> others = new ArrayList<>();
        HostRemoved removed = awaitMessage(HostRemoved.class, others);
        Duration after = Duration.ofNanos(System.nanoTime() - asked);
        assertEquals(List.of(2), removed.slots());
        assertTrue(others.isEmpty(), "an idle worker leaves without a TaskExit: " + others);
        System.out.printf("figure: hazelcast, worker left politely (SIGTERM): HostRemoved after %d ms%n", after.toMillis());
        assertTrue(after.compareTo(LOSS_BOUND) <= 0, "HostRemoved came " + after.toMillis() + " ms after the worker was "
                + "asked to leave, later than " + LOSS_BOUND);
        assertEquals(2, vm.slots(), "its slot left the bookkeeping");
        assertEquals(1, vm.freeSlots());
        assertEquals(Set.of(new SlotId(1, 0)), vm.freeSlotsSet());
        assertTrue(vm.status().slots().stream().noneMatch(s -> s.rank() == 2));
        leaver.onExit().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        for (int i = 0; i < 3; i++) {
            TaskId id = vm.spawnFunction(whoAmI()).orElseThrow();
            assertEquals(1, id.rank(), "work goes to the worker that stayed");
            assertEquals(1, awaitMessage(TaskResult.class, others).value());
            assertEquals(new TaskExit(id, TaskExit.Reason.FINISHED), awaitMessage(TaskExit.class, others));
        }
    }

    /**
     * Returns the pid of the worker JVM that computed it; inputs from 10 on wait until
     * {@code gate} exists, so work is left for a worker that joins meanwhile.
     */
    private static TaskFunction<Integer, Long> pidOnceGateOpens(String gate) {
        return x -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (x >= 10 && !Files.exists(Path.of(gate)) && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(10_000_000L);
            }
            return ProcessHandle.current().pid();
        };
    }

    @Test
    void farmMapGivesWorkToAWorkerThatJoinsLate(TestInfo info) throws Exception {
        CompletableFuture<VirtualMachine> opening = CompletableFuture.supplyAsync(() -> openSpawner(2));
        workers.startWorker();
        vm = opening.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        long firstPid = pidOf(1);
        Path gate = Files.createDirectories(Path.of("target", "membership-logs", info.getTestMethod().orElseThrow()
                .getName())).resolve("gate").toAbsolutePath();
        Files.deleteIfExists(gate);
        BlockingQueue<Received> others = new LinkedBlockingQueue<>();
        List<Integer> xs = IntStream.range(0, 200).boxed().toList();
        List<Long> pids;
        try (TaskFarm farm = TaskFarm.builder(vm).otherMessages(others::add).build()) {
            CompletableFuture<List<Long>> mapping = CompletableFuture.supplyAsync(
                    () -> farm.map(pidOnceGateOpens(gate.toString()), xs));
            workers.startWorker();
            Received added = others.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertTrue(added != null && added.message() instanceof HostAdded h && h.slots().equals(List.of(2)),
                    "HostAdded for rank 2 reached the farm's handler: " + added);
            Files.createFile(gate); // the first worker's inputs from 10 on could not finish before this
            pids = mapping.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        long latePid = pidOf(2);
        assertEquals(xs.size(), pids.size(), "every input has its result");
        long late = pids.stream().filter(p -> p == latePid).count();
        assertEquals(xs.size(), late + pids.stream().filter(p -> p == firstPid).count(), "only the two workers ran inputs");
        assertTrue(late > 0, "the worker that joined mid-map received work");
        System.out.printf("figure: hazelcast, worker joined mid-map: it ran %d of %d inputs%n", late, xs.size());
    }
}
