package io.paravm.core;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two ranks' doorbells, real Unix-domain sockets and shared flag files, in one JVM: a sleeper
 * is woken by a ring, not by its sleep's end; a sender rings only a rank that sleeps; the job's
 * directory is gone once both have closed.
 */
class DoorbellTest {

    private final List<Doorbell> open = new ArrayList<>();
    private final LocalRanks job = new LocalRanks("test" + UUID.randomUUID().toString().replace("-", "").substring(0, 12), 2);

    private Doorbell open(int rank) {
        Doorbell d = Doorbell.open(job, rank, 2).orElseThrow(() -> new AssertionError("no doorbell for rank " + rank));
        open.add(d);
        return d;
    }

    @AfterEach
    void close() {
        open.forEach(Doorbell::close);
    }

    @Test
    @DisplayName("a rank that sleeps on its doorbell wakes when another rank rings it after a send")
    void aRingWakesTheSleeper() throws Exception {
        Doorbell spawner = open(0);
        Doorbell worker = open(1);
        CompletableFuture<Boolean> rung = CompletableFuture.supplyAsync(() -> {
            spawner.sleeper().lock();
            try {
                // Sleeps are short (1 ms) until every rank has been here a while: sleep again until rung.
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() - end < 0) {
                    spawner.arm();
                    if (spawner.sleep(TimeUnit.SECONDS.toNanos(60), 0)) return true;
                }
                return false;
            } finally {
                spawner.sleeper().unlock();
            }
        });
        // A ring finds the sleeper asleep or just between two sleeps (then it writes nothing): ring until it wakes.
        while (!rung.isDone()) {
            worker.ring(0);
            Thread.onSpinWait();
        }
        assertTrue(rung.get(), "a sleep ended by the ring");
    }

    @Test
    @DisplayName("a rank that does not sleep is not rung: its next sleep is not cut short by an old ring")
    void anAwakeRankIsNotRung() throws Exception {
        Doorbell spawner = open(0);
        Doorbell worker = open(1);
        worker.ring(0); // the spawner is awake: nothing to write
        spawner.sleeper().lock();
        try {
            spawner.arm();
            assertFalse(spawner.sleep(TimeUnit.MILLISECONDS.toNanos(5), 0), "no ring was pending");
        } finally {
            spawner.sleeper().unlock();
        }
    }

    @Test
    @DisplayName("sleeps are short until every rank is here, then 50 ms, then 250 ms once the rank has been quiet a second")
    void sleepsLengthenAsTheRankStaysQuiet() throws Exception {
        Doorbell spawner = open(0);
        assertEquals(Doorbell.SHORT_SLEEP_NANOS, spawner.sleepCap(System.nanoTime(), 0), "rank 1 has not come yet");
        open(1);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (spawner.sleepCap(System.nanoTime(), 0) == Doorbell.SHORT_SLEEP_NANOS && System.nanoTime() - end < 0) {
            Thread.onSpinWait(); // settles 20 ms after both are here
        }
        long now = System.nanoTime();
        assertEquals(Doorbell.LONG_SLEEP_NANOS, spawner.sleepCap(now, 0));
        assertEquals(Doorbell.LONG_SLEEP_NANOS, spawner.sleepCap(now, Doorbell.QUIET_FOR_IDLE_SLEEP_NANOS - 1));
        assertEquals(Doorbell.IDLE_SLEEP_NANOS, spawner.sleepCap(now, Doorbell.QUIET_FOR_IDLE_SLEEP_NANOS));
    }

    @Test
    @DisplayName("wake() ends a sleep without a ring")
    void wakeEndsASleep() throws Exception {
        Doorbell spawner = open(0);
        open(1);
        CountDownLatch armed = new CountDownLatch(1);
        CompletableFuture<Boolean> rung = CompletableFuture.supplyAsync(() -> {
            spawner.sleeper().lock();
            try {
                spawner.arm();
                armed.countDown();
                return spawner.sleep(TimeUnit.SECONDS.toNanos(60), 0);
            } finally {
                spawner.sleeper().unlock();
            }
        });
        assertTrue(armed.await(30, TimeUnit.SECONDS));
        spawner.wake();
        assertFalse(rung.get(30, TimeUnit.SECONDS), "woken, not rung");
    }

    @Test
    @DisplayName("no doorbell unless every rank of the job runs on this host; the job's directory goes with its last rank")
    void onlyWhenEveryRankIsHere() throws Exception {
        assertTrue(Doorbell.open(new LocalRanks(job.jobKey(), 2), 0, 3).isEmpty(), "3 ranks, 2 on this host");
        Doorbell a = open(0);
        Doorbell b = open(1);
        Path dir = Files.list(Path.of("/dev/shm")).filter(p -> p.getFileName().toString().equals("paravm-" + job.jobKey()))
                .findFirst().orElseThrow();
        a.close();
        assertTrue(Files.exists(dir), "rank 1 is still there");
        b.close();
        assertFalse(Files.exists(dir), "removed by the last rank out");
    }

    @Test
    @DisplayName("a directory left by a job killed with kill -9 is removed by the next job; a live job's is not")
    void leftOversOfKilledJobsAreRemoved() throws Exception {
        Path shm = Path.of("/dev/shm");
        Path killed = shm.resolve("paravm-killed" + UUID.randomUUID().toString().substring(0, 8));
        Files.createDirectory(killed);
        Files.write(killed.resolve("rank-0.flag"), new byte[64]);
        try (var s = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            s.bind(java.net.UnixDomainSocketAddress.of(killed.resolve("rank-0.sock"))); // its file stays, no one listens
        }
        Files.setLastModifiedTime(killed, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 120_000));
        Doorbell live = open(0); // another job, running: its directory is made old too
        Path liveDir = shm.resolve("paravm-" + job.jobKey());
        Files.setLastModifiedTime(liveDir, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 120_000));

        LocalRanks next = new LocalRanks("next" + UUID.randomUUID().toString().replace("-", "").substring(0, 12), 2);
        Doorbell.open(next, 0, 2).orElseThrow().close();

        assertFalse(Files.exists(killed), "the killed job's directory is gone");
        assertTrue(Files.exists(liveDir), "the running job's stays");
        live.close();
    }

    @Test
    @DisplayName("the job is read from Open MPI's mpirun environment; none without a launcher")
    void jobFromTheLaunchersEnvironment() {
        Map<String, String> ompi = Map.of("OMPI_MCA_ess_base_jobid", "1048969217", "OMPI_MCA_orte_hnp_uri",
                "1048969216.0;tcp://192.0.2.2:32823", "OMPI_COMM_WORLD_LOCAL_SIZE", "3");
        LocalRanks a = LocalRanks.fromLauncher(ompi).orElseThrow();
        assertEquals(3, a.count());
        assertEquals(a, LocalRanks.fromLauncher(Map.copyOf(ompi)).orElseThrow(), "every rank finds the same job");
        Map<String, String> otherRun = Map.of("OMPI_MCA_ess_base_jobid", "1048969217", "OMPI_MCA_orte_hnp_uri",
                "1048969216.0;tcp://192.0.2.2:40000", "OMPI_COMM_WORLD_LOCAL_SIZE", "3");
        assertFalse(a.jobKey().equals(LocalRanks.fromLauncher(otherRun).orElseThrow().jobKey()), "another mpirun, another job");
        assertTrue(LocalRanks.fromLauncher(Map.of()).isEmpty());
    }
}
