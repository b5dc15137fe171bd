package io.paravm.core;

import io.paravm.Received;
import io.paravm.Task;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.TaskResult;
import io.paravm.VirtualMachine;
import io.paravm.VmException;
import io.paravm.spi.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Untrusted frames: random and mutated payloads and frames (truncated, lying lengths,
 * unknown kinds, bad task numbers, garbage Kryo) fed to the codec and, through the
 * in-memory cluster, to a running spawner and worker. Nothing may escape but a
 * {@link VmException}, no decode may allocate much more than the frame, and the VM must
 * work normally afterwards. Seeded: set {@code -Dparavm.fuzz.seed=N} to replay a failure
 * (every failure message names its seed).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class FrameFuzzTest {

    private static final int CODEC_CASES = 30_000;
    private static final int FRAMES_PER_TARGET = 300;
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final long seed = Long.getLong("paravm.fuzz.seed", System.nanoTime());
    private final Random random = new Random(seed);
    private final Codec codec = new Codec(FrameFuzzTest.class.getClassLoader());
    private InMemoryVms vms;

    @AfterEach
    void close() {
        if (vms != null) vms.close();
    }

    private String replay() {
        return " (replay with -Dparavm.fuzz.seed=" + seed + ")";
    }

    /** A record of the kind users send. */
    record Sample(String name, List<Integer> values, Map<String, double[]> series, TaskId from) {
    }

    /** Valid payloads of every shape the codec writes: the corpus the mutations start from. */
    private List<byte[]> corpus() {
        String who = "captured";
        Task<String> task = vm -> "hello " + who;
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("a", new double[]{1, 2});
        PriorityQueue<Integer> queue = new PriorityQueue<>(List.of(5, 1, 3));
        List<Object> values = List.of("text", "ünïcode ✓", new byte[]{1, 2, 3}, new int[]{1, -1}, new long[]{7},
                new double[]{Math.PI}, new float[]{1f}, new short[]{2}, new char[]{'x'}, ByteBuffer.wrap(new byte[]{9}),
                42, 42L, List.of(1, 2, 3), new ArrayList<>(List.of("x", "y")), Map.of("k", 1), Set.of("s"), queue,
                new Sample("s", List.of(1, 2), series, new TaskId(1, 2)), new Object[]{1, "two", null},
                new String[]{"a", "b"}, new boolean[]{true}, new BigDecimal("1.25"), LocalDate.of(2024, 2, 29),
                UUID.randomUUID(), Optional.of("o"), new AtomicLong(3), TaskResult.of(List.of(1)),
                TaskResult.failed("remote trace"), new TaskExit(new TaskId(1, 1), TaskExit.Reason.LOST),
                new Hello("host", 4, 123, 1, 0L, "(none)"), new SpawnRequest(task, true, null, 0, false),
                new MirrorSet(1, List.of(new MirrorSet.MirroredFile("in/a.txt", new byte[]{1, 2}))),
                new IllegalStateException("boom", new IllegalArgumentException("cause")));
        List<byte[]> out = new ArrayList<>();
        for (Object v : values) out.add(encode(v));
        return out;
    }

    private byte[] encode(Object value) {
        return Payloads.encode(codec, value);
    }

    /** One mutation of {@code base}: what a broken or hostile sender might produce. */
    private byte[] mutate(byte[] base, List<byte[]> corpus) {
        byte[] b = base.clone();
        switch (random.nextInt(9)) {
            case 0 -> b = java.util.Arrays.copyOf(b, random.nextInt(b.length + 1)); // truncated
            case 1 -> { // bits flipped
                for (int i = 0, n = 1 + random.nextInt(4); i < n && b.length > 0; i++) {
                    b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 2 -> { // a lying count: a large varint or int written over some bytes
                if (b.length > 1) {
                    int at = 1 + random.nextInt(b.length - 1);
                    byte[] lie = random.nextBoolean()
                            ? new byte[]{(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) (random.nextInt(8) | 0x80), 0x03}
                            : ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(random.nextInt(1 << 28) + (1 << 20)).array();
                    for (int i = 0; i < lie.length && at + i < b.length; i++) b[at + i] = lie[i];
                }
            }
            case 3 -> { // random bytes written over a stretch
                if (b.length > 0) {
                    int at = random.nextInt(b.length);
                    for (int i = at, n = Math.min(b.length, at + 1 + random.nextInt(8)); i < n; i++) b[i] = (byte) random.nextInt();
                }
            }
            case 4 -> { // two payloads spliced
                byte[] other = corpus.get(random.nextInt(corpus.size()));
                int cut = random.nextInt(b.length + 1), from = random.nextInt(other.length + 1);
                byte[] s = new byte[cut + other.length - from];
                System.arraycopy(b, 0, s, 0, cut);
                System.arraycopy(other, from, s, cut, other.length - from);
                b = s;
            }
            case 5 -> b[0] = (byte) random.nextInt(); // an unknown or wrong tag
            case 6 -> { // garbage Kryo
                b = new byte[1 + random.nextInt(64)];
                random.nextBytes(b);
                b[0] = Codec.KRYO;
            }
            case 7 -> { // a stretch repeated
                if (b.length > 2) {
                    int at = random.nextInt(b.length - 1), len = 1 + random.nextInt(b.length - at - 1);
                    byte[] s = new byte[b.length + len];
                    System.arraycopy(b, 0, s, 0, at + len);
                    System.arraycopy(b, at, s, at + len, b.length - at);
                    b = s;
                }
            }
            default -> { // pure noise
                b = new byte[random.nextInt(128)];
                random.nextBytes(b);
            }
        }
        return b;
    }

    private static long allocatedByThisThread() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void mutatedPayloadsDecodeOrFailWithVmExceptionWithoutAllocatingUnboundedly() {
        List<byte[]> corpus = corpus();
        for (byte[] valid : corpus) codec.decode(ByteBuffer.wrap(valid)); // each shape once: Kryo's registrations are made
        boolean counting = ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).isThreadAllocatedMemoryEnabled();
        int failures = 0;
        for (int i = 0; i < CODEC_CASES; i++) {
            byte[] payload = mutate(corpus.get(random.nextInt(corpus.size())), corpus);
            long before = counting ? allocatedByThisThread() : 0;
            try {
                codec.decode(ByteBuffer.wrap(payload));
            } catch (VmException expected) {
                failures++;
            } catch (Throwable t) {
                throw new AssertionError("case " + i + ": " + t + " escaped decoding "
                        + HexFormat.of().formatHex(payload) + replay(), t);
            }
            long allocated = counting ? allocatedByThisThread() - before : 0;
            // Kryo may register a class it has not seen (a few kB); a lying count would cost far more.
            assertTrue(allocated < (4 << 20) + 64L * payload.length, "case " + i + ": decoding " + payload.length
                    + " bytes allocated " + allocated + ": " + HexFormat.of().formatHex(payload) + replay());
        }
        assertTrue(failures > CODEC_CASES / 4, "most mutations must be caught: " + failures + replay());
    }

    // ------------------------------------------------------------ through the VM

    /**
     * A garbage frame: a header of a random (or no) kind and random task numbers, then a
     * mutated or valid payload. {@code userMessage}: a MESSAGE for task 0:0 (the spawner
     * delivers it if its payload decodes); otherwise never one.
     */
    private ByteBuffer garbageFrame(List<byte[]> corpus, boolean toWorker, boolean userMessage) {
        if (!userMessage && random.nextInt(10) == 0) { // shorter than a header
            byte[] b = new byte[random.nextInt(Envelope.HEADER_BYTES)];
            random.nextBytes(b);
            return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        }
        byte[] payload = random.nextInt(4) == 0 ? corpus.get(random.nextInt(corpus.size())) : mutate(
                corpus.get(random.nextInt(corpus.size())), corpus);
        ByteBuffer f = ByteBuffer.allocate(Envelope.HEADER_BYTES + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        int kind = random.nextInt(10) == 0 ? random.nextInt(256) : random.nextInt(FrameKind.values().length);
        int destination = toWorker ? badTaskNumber() : random.nextBoolean() ? -1 : 1 + random.nextInt(1000);
        if (userMessage) {
            kind = FrameKind.MESSAGE.code();
            destination = 0;
        } else if (!toWorker && kind == FrameKind.MESSAGE.code() && destination == 0) {
            destination = -1;
        }
        f.put((byte) kind).putInt(badTaskNumber()).putInt(destination).put(payload);
        return f.flip();
    }

    /** Task numbers a forger would try: none of them is one this test's spawner issues (1 to 999). */
    private int badTaskNumber() {
        return switch (random.nextInt(5)) {
            case 0 -> -1 - random.nextInt(10);
            case 1 -> 0;
            case 2 -> Integer.MAX_VALUE - random.nextInt(10);
            case 3 -> Integer.MIN_VALUE + random.nextInt(10);
            default -> 1_000_000 + random.nextInt(1 << 20);
        };
    }

    private static Task<Object> echoOnce() {
        return w -> w.receiveMessage(WAIT, w.parentTaskId()).orElseThrow().message();
    }

    @Test
    void garbageFramesAreDroppedAndTheVmKeepsWorking() throws Exception {
        List<byte[]> corpus = corpus();
        vms = new InMemoryVms(3);
        VirtualMachine vm = vms.spawner;
        Transport asRank1 = vms.cluster.transport(1), asRank2 = vms.cluster.transport(2);

        // Garbage to the spawner from both workers' ranks, and to worker 1 from worker 2's rank: all dropped.
        for (int i = 0; i < FRAMES_PER_TARGET; i++) {
            (random.nextBoolean() ? asRank1 : asRank2).send(0, garbageFrame(corpus, false, false));
            asRank2.send(1, garbageFrame(corpus, true, false));
        }
        try {
            Optional<Received> r = vm.receiveMessage(Duration.ZERO);
            assertTrue(r.isEmpty(), "a garbage frame reached the user: " + r + replay());
        } catch (Throwable t) {
            throw new AssertionError(t + " escaped the spawner's receiveMessage" + replay(), t);
        }
        // User messages for 0:0 with garbage payloads: each is delivered (the VM cannot tell it from a real one
        // whose payload decodes) or reported once as undecodable.
        for (int i = 0; i < FRAMES_PER_TARGET; i++) {
            (random.nextBoolean() ? asRank1 : asRank2).send(0, garbageFrame(corpus, false, true));
        }
        int undecodable = 0, delivered = 0;
        while (true) {
            Optional<Received> r;
            try {
                r = vm.receiveMessage(Duration.ZERO);
            } catch (VmException e) {
                assertTrue(e.getMessage().contains("could not be decoded"), e.getMessage() + replay());
                undecodable++;
                continue;
            } catch (Throwable t) {
                throw new AssertionError(t + " escaped the spawner's receiveMessage" + replay(), t);
            }
            if (r.isEmpty()) break;
            assertTrue(r.get().sender().rank() == 1 || r.get().sender().rank() == 2, r.get() + replay());
            delivered++;
        }
        assertEquals(FRAMES_PER_TARGET, undecodable + delivered, "one outcome per message frame" + replay());
        System.out.println("FrameFuzzTest: " + 2 * FRAMES_PER_TARGET + " garbage frames dropped by the spawner, "
                + FRAMES_PER_TARGET + " by worker 1; of " + FRAMES_PER_TARGET + " garbage messages for 0:0, "
                + undecodable + " reported undecodable and " + delivered + " delivered (seed " + seed + ")");

        // The VM works as before: same slots, tasks on both workers, messages both ways and between workers.
        assertEquals(3, vm.slots(), replay());
        assertEquals(2, vm.freeSlots(), "no slot was taken by a forged frame" + replay());
        assertTrue(vms.workers.stream().noneMatch(w -> w.isDone()), "a worker left its spawn loop" + replay());
        List<TaskId> ids = vm.spawnFunction(echoOnce(), 2, null, true);
        assertEquals(2, ids.size(), replay());
        for (TaskId id : ids) vm.sendMessage(id, "after the garbage " + id);
        Map<TaskId, Object> results = new LinkedHashMap<>();
        int exits = 0;
        while (exits < 2) {
            Received r = vm.receiveMessage(WAIT).orElseThrow(() -> new AssertionError("stalled" + replay()));
            if (r.message() instanceof TaskResult res) {
                assertTrue(res.success(), res.error() + replay());
                results.put(r.sender(), res.value());
            }
            if (r.message() instanceof TaskExit e) {
                assertEquals(TaskExit.Reason.FINISHED, e.reason(), replay());
                exits++;
            }
        }
        for (TaskId id : ids) assertEquals("after the garbage " + id, results.get(id), replay());
        TaskId receiver = vm.spawnFunction(w -> w.receiveMessage(WAIT).orElseThrow().message(), 1, null, true).get(0);
        TaskId sender = vm.spawnFunction(w -> {
            w.sendMessage(receiver, "worker to worker");
            return null;
        }).orElseThrow();
        Object got = null;
        for (int seen = 0; seen < 4; seen++) {
            Received r = vm.receiveMessage(WAIT).orElseThrow(() -> new AssertionError("stalled" + replay()));
            if (r.message() instanceof TaskResult res && r.sender().equals(receiver)) got = res.value();
        }
        assertTrue(sender.isValid());
        assertEquals("worker to worker", got, replay());
        assertEquals(2, vm.freeSlots(), replay());
    }
}
