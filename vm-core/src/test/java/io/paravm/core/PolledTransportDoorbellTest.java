package io.paravm.core;

import io.paravm.VmConfig;
import io.paravm.VmException;
import io.paravm.spi.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A polled transport whose ranks share a host sleeps on its doorbell while it waits, and the
 * sender's ring wakes it (the sleeps have no time limit here, so without the ring each test
 * fails by its timeout): also when the engine finishes a send only once the receiver polls
 * (as Open MPI's shared memory does before a pair has a fast box), which needs the ring before
 * the send. The engine is a double (a queue per rank); the doorbells are real.
 */
class PolledTransportDoorbellTest {

    private final LocalRanks job = new LocalRanks("pt" + UUID.randomUUID().toString().replace("-", "").substring(0, 12), 2);
    private QueueTransport spawner;
    private QueueTransport worker;

    // A sleep ends only by a ring or a wakeup here: a ring missing fails the test by its timeout.
    @BeforeEach
    void sleepsWithoutEnd() {
        Doorbell.longSleepNanos = TimeUnit.HOURS.toNanos(1);
        Doorbell.idleSleepNanos = TimeUnit.HOURS.toNanos(1);
        Doorbell.shortSleepNanos = TimeUnit.HOURS.toNanos(1);
        Doorbell.emptyRingSleepNanos = TimeUnit.HOURS.toNanos(1);
    }

    @AfterEach
    void close() {
        if (worker != null) worker.close();
        if (spawner != null) spawner.close();
        Doorbell.longSleepNanos = Doorbell.LONG_SLEEP_NANOS;
        Doorbell.idleSleepNanos = Doorbell.IDLE_SLEEP_NANOS;
        Doorbell.shortSleepNanos = Doorbell.SHORT_SLEEP_NANOS;
        Doorbell.emptyRingSleepNanos = Doorbell.EMPTY_RING_SLEEP_NANOS;
        HostCpus.override = 0;
    }

    /** How the double's send behaves. */
    enum Send {
        /** Puts the frame in the queue once the receiver has raised its flag: only the ring after the send wakes it. */
        WHEN_RECEIVER_ARMED,
        /** Returns once the receiver has taken the frame, as MPI_Send may: only the ring before the send wakes it. */
        WAITS_FOR_RECEIVER,
        /** Puts the frame in the queue at once. */
        AT_ONCE,
        /**
         * The frame lands as the receiver raises its flag, after the sender looked at it (so no
         * ring), and the engine finds it only on its second poll, as Open MPI's and MPICH's
         * MPI_Improbe do after an MPI_Send has returned (the first moves it off shared memory).
         */
        SECOND_POLL_AS_RECEIVER_ARMS
    }

    private void open(Send mode) {
        List<ConcurrentLinkedQueue<byte[]>> queues = List.of(new ConcurrentLinkedQueue<>(), new ConcurrentLinkedQueue<>());
        List<QueueTransport> ranks = new java.util.ArrayList<>();
        spawner = new QueueTransport(0, queues, job, mode, ranks);
        worker = new QueueTransport(1, queues, job, mode, ranks);
        ranks.addAll(List.of(spawner, worker));
    }

    @Test
    @DisplayName("a rank that goes to sleep while a frame is sent to it is rung awake by the ring after the send")
    void aSentFrameRingsTheSleeper() throws Exception {
        open(Send.WHEN_RECEIVER_ARMED);
        assertRungAwakeBy("hello", false); // the receiver is awake when the send begins
    }

    @Test
    @DisplayName("a send the engine finishes only once the receiver polls rings before it waits")
    void aSendThatWaitsForTheReceiverRingsFirst() throws Exception {
        open(Send.WAITS_FOR_RECEIVER);
        assertRungAwakeBy("hello", true);
    }

    @Test
    @DisplayName("a spawner sharing the cores, rung ahead of a send that has not landed, sleeps again, and the frame is received")
    void aSpawnerRungAheadSleepsAgainAndGetsTheFrame() throws Exception {
        HostCpus.override = 1; // 2 ranks on 1 core: the spawner polls only 20 µs after an empty ring
        open(Send.WHEN_RECEIVER_ARMED); // the frame lands only once the rung spawner has raised its flag again
        CompletableFuture<Transport.Frame> got = CompletableFuture.supplyAsync(
                () -> spawner.receive(Transport.ANY_SOURCE, TimeUnit.SECONDS.toNanos(60)));
        awaitAsleep(spawner);
        worker.send(0, ByteBuffer.wrap("result".getBytes(StandardCharsets.UTF_8)));
        // Found by the spawner's polls after raising its flag, or else it slept: then only the
        // ring after the send ends that sleep (its 1 ms bound is lengthened to an hour here).
        Transport.Frame f = got.get(30, TimeUnit.SECONDS);
        assertNotNull(f);
        assertEquals(1, f.source());
        assertEquals("result", StandardCharsets.UTF_8.decode(f.payload()).toString());
    }

    @Test
    @DisplayName("a frame the engine finds only on its second poll, landing as the receiver goes to sleep, is received")
    void aFrameFoundOnTheSecondPollIsNotSleptOn() throws Exception {
        open(Send.SECOND_POLL_AS_RECEIVER_ARMS);
        spawner.send(1, ByteBuffer.wrap("late".getBytes(StandardCharsets.UTF_8))); // the worker is awake: no ring
        Transport.Frame f = CompletableFuture.supplyAsync(() -> worker.receive(Transport.ANY_SOURCE, TimeUnit.SECONDS.toNanos(60)))
                .get(30, TimeUnit.SECONDS);
        assertNotNull(f);
        assertEquals("late", StandardCharsets.UTF_8.decode(f.payload()).toString());
    }

    @Test
    @DisplayName("wakeup() ends a receive asleep on the doorbell")
    void wakeupEndsTheSleep() throws Exception {
        open(Send.AT_ONCE);
        CompletableFuture<Transport.Frame> got = CompletableFuture.supplyAsync(
                () -> worker.receive(Transport.ANY_SOURCE, TimeUnit.SECONDS.toNanos(60)));
        awaitAsleep(worker);
        worker.wakeup();
        assertNull(got.get(30, TimeUnit.SECONDS), "a wakeup, no frame");
    }

    @Test
    @DisplayName("paravm.core.doorbell.enabled=false: a waiting rank only polls; another value is refused, saying which")
    void theDoorbellCanBeTurnedOff() throws Exception {
        List<ConcurrentLinkedQueue<byte[]>> queues = List.of(new ConcurrentLinkedQueue<>(), new ConcurrentLinkedQueue<>());
        VmConfig off = VmConfig.builder().property(PolledTransport.DOORBELL_PROP_NAME, "false").build();
        spawner = new QueueTransport(off, 0, queues, job, Send.AT_ONCE, List.of());
        assertNull(spawner.receive(Transport.ANY_SOURCE, TimeUnit.MILLISECONDS.toNanos(20)), "nothing was sent");
        assertFalse(spawner.doorbellArmed());
        assertFalse(Files.exists(Path.of("/dev/shm", "paravm-" + job.jobKey())), "no doorbell was made");
        VmConfig bad = VmConfig.builder().property(PolledTransport.DOORBELL_PROP_NAME, "yes").build();
        VmException e = assertThrows(VmException.class, () -> new QueueTransport(bad, 1, queues, job, Send.AT_ONCE, List.of()));
        assertTrue(e.getMessage().contains("paravm.core.doorbell.enabled=yes is not true or false"), e.getMessage());
    }

    private void assertRungAwakeBy(String text, boolean asleepFirst) throws Exception {
        CompletableFuture<Transport.Frame> got = CompletableFuture.supplyAsync(
                () -> worker.receive(Transport.ANY_SOURCE, TimeUnit.SECONDS.toNanos(60)));
        if (asleepFirst) awaitAsleep(worker);
        spawner.send(1, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        Transport.Frame f = got.get(30, TimeUnit.SECONDS);
        assertNotNull(f);
        assertEquals(0, f.source());
        assertEquals(text, StandardCharsets.UTF_8.decode(f.payload()).toString());
    }

    /** Waits until the rank's receive has raised its doorbell flag (it sleeps, or is about to). */
    private static void awaitAsleep(QueueTransport t) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!t.doorbellArmed()) {
            if (System.nanoTime() - end > 0) throw new AssertionError("rank " + t.rank() + " never slept on its doorbell");
            Thread.sleep(1); // a test waiting for another thread's state, not a race papered over
        }
    }

    /**
     * An engine double: frames go through one queue per rank, and only a receive takes them (not
     * the drain thread, which would otherwise rescue a frame a ring missed within 10 ms).
     */
    private static final class QueueTransport extends PolledTransport {
        private final List<ConcurrentLinkedQueue<byte[]>> queues;
        private final Send mode;
        private final List<QueueTransport> ranks;
        private final int me;

        QueueTransport(int rank, List<ConcurrentLinkedQueue<byte[]>> queues, LocalRanks job, Send mode, List<QueueTransport> ranks) {
            this(VmConfig.builder().build(), rank, queues, job, mode, ranks);
        }

        QueueTransport(VmConfig config, int rank, List<ConcurrentLinkedQueue<byte[]>> queues, LocalRanks job, Send mode,
                List<QueueTransport> ranks) {
            super(config);
            this.queues = queues;
            this.me = rank;
            this.mode = mode;
            this.ranks = ranks;
            joined(rank, queues.size(), "localhost", new String[0], Optional.of(job));
        }

        @Override
        public String name() {
            return "queue";
        }

        @Override
        protected Pending startSend(int destination, ByteBuffer frame) throws Exception {
            byte[] bytes = new byte[frame.remaining()];
            frame.duplicate().get(bytes);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            if (mode == Send.WHEN_RECEIVER_ARMED) {
                while (!ranks.get(destination).doorbellArmed()) {
                    if (System.nanoTime() - end > 0) throw new IllegalStateException("the receiver never slept");
                    Thread.onSpinWait();
                }
            }
            queues.get(destination).add(bytes);
            if (mode == Send.WAITS_FOR_RECEIVER) {
                while (queues.get(destination).contains(bytes)) {
                    if (System.nanoTime() - end > 0) throw new IllegalStateException("the receiver never polled");
                    Thread.onSpinWait();
                }
            }
            return () -> true;
        }

        private boolean progressed; // SECOND_POLL_AS_RECEIVER_ARMS: the head frame was polled once

        @Override
        protected Frame pollEngine(int source, boolean keep) {
            if (keep) return null; // the drain thread's poll
            if (mode == Send.SECOND_POLL_AS_RECEIVER_ARMS && !queues.get(me).isEmpty()) {
                if (!doorbellArmed()) return null; // not landed yet
                if (!progressed) {
                    progressed = true;
                    return null;
                }
                progressed = false;
            }
            byte[] b = queues.get(me).poll();
            return b == null ? null : new Frame(1 - me, ByteBuffer.wrap(b));
        }

        @Override
        protected boolean probeEngine(int source) {
            return !queues.get(me).isEmpty();
        }

        @Override
        protected void closeEngine() {
        }
    }
}
