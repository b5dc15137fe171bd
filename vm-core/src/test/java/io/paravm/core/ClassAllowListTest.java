package io.paravm.core;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Output;
import io.paravm.Task;
import io.paravm.VmConfig;
import io.paravm.VmException;
import org.example.app.AppMain;
import org.example.gadget.Benign;
import org.example.gadget.BenignException;
import org.example.gadget.GadgetTasks;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InvalidClassException;
import java.io.ObjectOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.PriorityQueue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Which classes a frame may name, and that a refused one never runs any of its code. */
class ClassAllowListTest {

    private static final ClassLoader LOADER = ClassAllowListTest.class.getClassLoader();
    /** What a rank that has not allowed org.example.gadget accepts. */
    private final Codec receiver = new Codec(LOADER);
    /** A sender that allows org.example.gadget (as an attacker's would). */
    private final Codec gadgetSender = new Codec(LOADER, ClassAllowList.of("org.example.gadget.**"));

    private static byte[] encode(Codec codec, Object value) {
        return Payloads.encode(codec, value);
    }

    private static Object decode(Codec codec, byte[] payload) {
        return codec.decode(ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN));
    }

    /** Replaces the one occurrence of {@code from} by {@code to} (same length), as an attacker edits a frame. */
    private static byte[] replace(byte[] frame, String from, String to) {
        byte[] f = from.getBytes(StandardCharsets.US_ASCII), t = to.getBytes(StandardCharsets.US_ASCII);
        assertEquals(f.length, t.length);
        byte[] out = frame.clone();
        int found = -1;
        for (int i = 0; i + f.length <= out.length; i++) {
            int j = 0;
            while (j < f.length && out[i + j] == f[j]) j++;
            if (j == f.length) {
                assertEquals(-1, found, "one occurrence of " + from);
                found = i;
            }
        }
        assertTrue(found >= 0, from + " is in the frame");
        System.arraycopy(t, 0, out, found, t.length);
        return out;
    }

    @Test
    void frameNamingAClassOutsideTheListIsRefusedBeforeItsStaticInitializerRuns() {
        // Kryo writes a class name once; in ASCII its last byte is marked, so edit that one apart.
        byte[] benignFrame = encode(gadgetSender, new Benign("rm -rf /"));
        int last = indexAfter(benignFrame, "org.example.gadget.Benig");
        assertEquals('n', benignFrame[last] & 0x7f);
        byte[] gadgetFrame = replace(benignFrame, "org.example.gadget.Benig", "org.example.gadget.Gadge");
        gadgetFrame[last] = (byte) ('t' | (benignFrame[last] & 0x80));

        VmException e = assertThrows(VmException.class, () -> decode(receiver, gadgetFrame));
        assertTrue(e.getMessage().contains("org.example.gadget.Gadget") && e.getMessage().contains("none of its code ran")
                && e.getMessage().contains("-Dparavm.codec.allow=org.example.gadget.**"), e.getMessage());
        assertFalse(GadgetEvidence.GADGET_INITIALISED.get(), "the gadget's static initializer ran");

        // The same frame on a rank that allows the package builds a Gadget, running its initializer: the test can fail.
        Object built = decode(gadgetSender, gadgetFrame);
        assertEquals("org.example.gadget.Gadget", built.getClass().getName());
        assertTrue(GadgetEvidence.GADGET_INITIALISED.get());
    }

    private static int indexAfter(byte[] frame, String prefix) {
        byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + p.length < frame.length; i++) {
            for (int j = 0; j < p.length; j++) if (frame[i + j] != p[j]) continue outer;
            return i + p.length;
        }
        throw new AssertionError(prefix + " not in frame");
    }

    @Test
    void javaSerializedClassOutsideTheListIsRefusedBeforeReadObjectRuns() {
        // An allowed JDK exception carries the gadget as its cause, inside Java serialization.
        IllegalStateException carrier = new IllegalStateException("carrier", new BenignException("payload"));
        byte[] frame = replace(encode(receiver, carrier), "org.example.gadget.BenignException",
                "org.example.gadget.GadgetException");

        VmException e = assertThrows(VmException.class, () -> decode(receiver, frame));
        assertTrue(e.getMessage().contains("org.example.gadget.GadgetException")
                && e.getMessage().contains(ClassAllowList.ALLOW_PROP_NAME), e.getMessage());
        assertFalse(GadgetEvidence.EXCEPTION_READ.get(), "the gadget's readObject ran");
        assertFalse(GadgetEvidence.EXCEPTION_INITIALISED.get(), "the gadget's static initializer ran");

        Throwable built = (Throwable) decode(gadgetSender, frame);
        assertEquals("org.example.gadget.GadgetException", built.getCause().getClass().getName());
        assertTrue(GadgetEvidence.EXCEPTION_READ.get(), "allowed, the same frame runs readObject: the test can fail");
    }

    @Test
    void objectStreamFilterRefusesOtherClassesAndArraysLongerThanThePayload() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new int[3]);
        }
        byte[] stream = bytes.toByteArray();
        // The int[] is written last: its length is the 4 bytes before its 12 bytes of elements.
        ByteBuffer.wrap(stream).putInt(stream.length - 16, 1 << 30);
        var in = new FilteredJavaSerializer.AllowListObjectInputStream(new ByteArrayInputStream(stream), LOADER,
                ClassAllowList.builtIn(), stream.length);
        InvalidClassException e = assertThrows(InvalidClassException.class, in::readObject);
        assertTrue(e.getMessage().contains("REJECTED"), e.getMessage());

        var filter = new FilteredJavaSerializer.AllowListObjectInputStream(new ByteArrayInputStream(streamOf("x")),
                LOADER, ClassAllowList.builtIn(), 100).getObjectInputFilter();
        assertEquals(java.io.ObjectInputFilter.Status.REJECTED, filter.checkInput(info(Benign.class)));
        assertEquals(java.io.ObjectInputFilter.Status.ALLOWED, filter.checkInput(info(IllegalStateException.class)));
    }

    private static byte[] streamOf(Object o) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }

    private static java.io.ObjectInputFilter.FilterInfo info(Class<?> c) {
        return new java.io.ObjectInputFilter.FilterInfo() {
            public Class<?> serialClass() {
                return c;
            }

            public long arrayLength() {
                return -1;
            }

            public long depth() {
                return 1;
            }

            public long references() {
                return 1;
            }

            public long streamBytes() {
                return 10;
            }
        };
    }

    @Test
    void lambdaMadeOutsideTheListIsRefusedWhenSentAndWhenReceived() throws Exception {
        Task<String> task = GadgetTasks.greeting("x");
        VmException sent = assertThrows(VmException.class, () -> encode(receiver, task));
        assertTrue(sent.getMessage().contains("org.example.gadget.GadgetTasks")
                && sent.getMessage().contains("-Dparavm.codec.allow=org.example.gadget.**")
                && sent.getMessage().contains("nothing was sent"), sent.getMessage());

        byte[] frame = encode(gadgetSender, task);
        VmException received = assertThrows(VmException.class, () -> decode(receiver, frame));
        assertTrue(received.getMessage().contains("org.example.gadget.GadgetTasks"), received.getMessage());
        @SuppressWarnings("unchecked")
        Task<String> back = (Task<String>) decode(gadgetSender, frame);
        assertEquals("hello x", back.run(null));
    }

    @Test
    void classesOfOtherPackagesAreRefusedWhenSent() {
        VmException e = assertThrows(VmException.class, () -> encode(receiver, List.of(new Benign("b"))));
        assertTrue(e.getMessage().contains("class org.example.gadget.Benign is not among")
                && e.getMessage().contains("nothing was sent"), e.getMessage());
    }

    @Test
    void thePackageOfTheClassThatOpensTheVmIsAllowedByDefault() {
        ClassAllowList list = AppMain.call(() -> ClassAllowList.forVm(VmConfig.defaults()));
        assertTrue(list.permits("org.example.app.Model", LOADER));
        assertTrue(list.permits("org.example.app.model.Point$Inner", LOADER));
        assertFalse(list.permits("org.example.gadget.Gadget", LOADER));
        assertTrue(list.refusalOnReceipt("org.example.gadget.Gadget")
                .contains("org.example.app.** (the package of org.example.app.AppMain, which opened the VM)"));

        ClassAllowList configured = AppMain.call(() -> ClassAllowList.forVm(VmConfig.builder()
                .property(ClassAllowList.ALLOW_PROP_NAME, "org.example.gadget.Gadget").build()));
        assertTrue(configured.permits("org.example.gadget.Gadget", LOADER));
        assertTrue(configured.permits("org.example.app.Model", LOADER), "the opener's package stays allowed");
    }

    @Test
    void patternsMatchPackagesTreesClassesArraysAndJdkValueTypes() {
        ClassAllowList list = ClassAllowList.of(" com.acme.** , org.foo.Bar,net.x.*");
        for (String yes : List.of("com.acme.A", "com.acme.deep.er.B$1", "org.foo.Bar", "org.foo.Bar$Inner", "net.x.Y",
                "[Lcom.acme.A;", "[[I", "[[Ljava.lang.String;", "io.paravm.TaskId", "io.paravm.farm.Anything",
                "java.lang.Integer", "java.math.BigDecimal", "java.time.LocalDate", "java.time.chrono.HijrahDate",
                "java.util.HashMap", "java.util.ImmutableCollections$ListN", "java.util.concurrent.atomic.AtomicLong",
                "java.lang.IllegalStateException", "java.io.UncheckedIOException")) {
            assertTrue(list.permits(yes, LOADER), yes);
        }
        for (String no : List.of("com.acmex.C", "org.foo.Baz", "org.foo.BarBaz", "net.x.sub.Z", "[Lorg.evil.E;", "[",
                "[Q", "java.lang.Runtime", "java.lang.ProcessBuilder", "java.net.URL", "java.rmi.server.UnicastRemoteObject",
                "javax.management.BadAttributeValueExpException", "java.util.concurrent.ThreadPoolExecutor",
                "java.no.such.Exception", "Unnamed")) {
            assertFalse(list.permits(no, LOADER), no);
        }
        assertTrue(ClassAllowList.of("*").permits("Unnamed", LOADER));
        for (String bad : List.of("com..acme", "com.acme.**.x", ".**", "com.ac-me")) {
            VmException e = assertThrows(VmException.class, () -> ClassAllowList.of(bad));
            assertTrue(e.getMessage().contains(ClassAllowList.ALLOW_PROP_NAME) && e.getMessage().contains(bad), e.getMessage());
        }
    }

    // ------------------------------------------------------------ lying counts

    private static long allocatedByThisThread() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** Decoding {@code payload} fails with a VmException and allocates less than 1 MiB on the way. */
    private void assertRefusedWithoutAllocating(byte[] payload, String expected) {
        assumeTrue(((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).isThreadAllocatedMemoryEnabled(),
                "this JVM does not count allocated bytes per thread");
        decode(receiver, encode(receiver, List.of(1))); // warm the pooled Kryo up
        long before = allocatedByThisThread();
        VmException e = assertThrows(VmException.class, () -> decode(receiver, payload));
        long allocated = allocatedByThisThread() - before;
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(allocated < (1 << 20), "decoding a " + payload.length + "-byte frame allocated " + allocated + " bytes");
    }

    /** A Kryo payload: the codec's tag, then {@code type} as writeClassAndObject writes it, then what {@code body} writes. */
    private static byte[] kryoPayload(Class<?> type, java.util.function.Consumer<Output> body) {
        Kryo kryo = Codec.newKryo(LOADER, ClassAllowList.builtIn(), CodecTypeTable.load(LOADER));
        Output out = new Output(64, -1);
        out.writeByte(Codec.KRYO);
        kryo.writeClass(out, type);
        if (kryo.getReferenceResolver().useReferences(type)) out.writeVarInt(Kryo.NOT_NULL, true);
        body.accept(out);
        return out.toBytes();
    }

    @Test
    void countsLargerThanTheFrameAreRefusedBeforeAllocating() {
        int billion = 1_000_000_000;
        assertRefusedWithoutAllocating(kryoPayload(ArrayList.class, o -> o.writeVarIntFlag(false, billion + 1, true)),
                "a collection claims 1000000000 elements");
        assertRefusedWithoutAllocating(kryoPayload(PriorityQueue.class, o -> {
            o.writeVarIntFlag(false, billion + 1, true);
        }), "claims 1000000000 elements");
        assertRefusedWithoutAllocating(kryoPayload(HashMap.class, o -> o.writeVarInt(billion + 1, true)),
                "a map claims 1000000000 elements");
        assertRefusedWithoutAllocating(kryoPayload(Object[].class, o -> o.writeVarInt(billion + 1, true)),
                "an array claims 1000000000 elements");
        assertRefusedWithoutAllocating(kryoPayload(String[].class, o -> o.writeVarInt(billion + 1, true)),
                "a string array claims 1000000000 elements");
        assertRefusedWithoutAllocating(kryoPayload(boolean[].class, o -> o.writeVarInt(billion + 1, true)),
                "a boolean array claims");
        assertRefusedWithoutAllocating(kryoPayload(byte[].class, o -> o.writeVarInt(billion + 1, true)),
                "a byte array claims 1000000000 elements");
        assertRefusedWithoutAllocating(kryoPayload(long[].class, o -> o.writeVarInt(billion + 1, true)),
                "a long array claims");
        assertRefusedWithoutAllocating(kryoPayload(List.of(1, 2, 3).getClass(), o -> o.writeVarIntFlag(false, billion + 1, true)),
                "a list claims 1000000000 elements");
        assertRefusedWithoutAllocating(kryoPayload(java.math.BigInteger.class, o -> o.writeVarInt(billion + 1, true)),
                "a byte array claims");
        assertRefusedWithoutAllocating(kryoPayload(StringBuilder.class, o -> o.writeVarIntFlag(true, billion + 1, true)),
                "a string claims 1000000000 elements");
    }

    @Test
    void stringCountsLargerThanTheFrameAreRefusedButRealStringsRead() {
        Output out = new Output(16, -1);
        out.writeVarIntFlag(true, 1_000_000_001, true);
        out.writeString("ok");
        BoundedInput in = new BoundedInput();
        in.setBuffer(ByteBuffer.wrap(out.toBytes()));
        KryoException e = assertThrows(KryoException.class, in::readString);
        assertTrue(e.getMessage().contains("a string claims 1000000000 elements"), e.getMessage());

        Output real = new Output(64, -1);
        real.writeString(null);
        real.writeString("");
        real.writeString("ascii");
        real.writeString("ünïcode ✓");
        real.writeInts(new int[]{1, -2}, 0, 2);
        BoundedInput ok = new BoundedInput();
        ok.setBuffer(ByteBuffer.wrap(real.toBytes()));
        assertEquals(null, ok.readString());
        assertEquals("", ok.readString());
        assertEquals("ascii", ok.readString());
        assertEquals("ünïcode ✓", ok.readString());
        assertArrayEquals(new int[]{1, -2}, ok.readInts(2));
        assertEquals(0, ok.remaining());
    }

    @Test
    void valuesStillRoundTripThroughTheBoundedSerializers() {
        PriorityQueue<Integer> pq = new PriorityQueue<>(List.of(3, 1, 2));
        @SuppressWarnings("unchecked")
        PriorityQueue<Integer> back = (PriorityQueue<Integer>) decode(receiver, encode(receiver, pq));
        assertEquals(List.of(1, 2, 3), List.of(back.poll(), back.poll(), back.poll()));
        Object[] mixed = {1, "two", List.of(3), new String[]{"a", null}, new boolean[]{true, false}};
        Object[] mixedBack = (Object[]) decode(receiver, encode(receiver, mixed));
        assertEquals(List.of(3), mixedBack[2]);
        assertArrayEquals(new String[]{"a", null}, (String[]) mixedBack[3]);
        assertArrayEquals(new boolean[]{true, false}, (boolean[]) mixedBack[4]);
        List<Object> immutable = List.of(1, 2, 3);
        assertInstanceOf(List.class, decode(receiver, encode(receiver, immutable)));
        assertEquals(immutable, decode(receiver, encode(receiver, immutable)));
        assertEquals(new HashMap<>(java.util.Map.of("k", List.of(1))),
                decode(receiver, encode(receiver, new HashMap<>(java.util.Map.of("k", List.of(1))))));
    }
}
