package io.paravm.core;

import io.paravm.Task;
import io.paravm.TaskId;
import io.paravm.VmException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CodecTest {

    private final Codec codec = new Codec(CodecTest.class.getClassLoader());

    private Object roundTrip(Object value) {
        FrameWriter w = new FrameWriter();
        w.start();
        codec.encode(value, w);
        ByteBuffer frame = w.finish();
        Object back = codec.decode(frame.duplicate().order(ByteOrder.LITTLE_ENDIAN));
        return back;
    }

    record Pair(String name, List<Integer> values) {
    }

    @Test
    void valuesKryoFindsHardOnJava17RoundTrip() {
        UUID id = UUID.randomUUID();
        assertEquals(id, roundTrip(id));
        assertEquals(List.of(1, 2), roundTrip(List.of(1, 2)));
        assertEquals(Map.of("k", 1), roundTrip(Map.of("k", 1)));
        assertEquals(List.of(3), roundTrip(Collections.unmodifiableList(new ArrayList<>(List.of(3)))));
        assertEquals(List.of(3, 4), roundTrip(java.util.Arrays.asList(3, 4)));
        assertEquals(Map.of("a", 1), roundTrip(Collections.synchronizedMap(new java.util.HashMap<>(Map.of("a", 1)))));
        assertEquals(5L, ((AtomicLong) roundTrip(new AtomicLong(5))).get());
        assertEquals(new Pair("p", List.of(4)), roundTrip(new Pair("p", List.of(4))));
        assertEquals(new TaskId(1, 2), roundTrip(new TaskId(1, 2)));
    }

    /** Static, as a user's factory of tasks would be: an anonymous class here captures no outer instance. */
    private static Task<Integer> anonymousAddingOne(int captured) {
        return new Task<>() {
            @Override
            public Integer run(io.paravm.VirtualMachine vm) {
                return captured + 1;
            }
        };
    }

    @Test
    void anonymousClassKeepsItsCapturedVariables() throws Exception {
        @SuppressWarnings("unchecked")
        Task<Integer> back = (Task<Integer>) roundTrip(anonymousAddingOne(41));
        assertEquals(42, back.run(null));
    }

    @Test
    void lambdaKeepsItsCapturedArguments() throws Exception {
        String who = "world";
        Task<String> t = vm -> "hello " + who;
        @SuppressWarnings("unchecked")
        Task<String> back = (Task<String>) roundTrip(t);
        assertEquals("hello world", back.run(null));
    }

    private static Task<String> greeting(String who) {
        return vm -> "hello " + who;
    }

    @Test
    void aLambdaSentAgainAndAgainKeepsEachSendsCapturedArguments() throws Exception {
        // Both ends remember a lambda class after its first trip; what it captured must never be remembered.
        for (String who : List.of("ann", "bob", "ann", "cy")) {
            @SuppressWarnings("unchecked")
            Task<String> back = (Task<String>) roundTrip(greeting(who));
            assertEquals("hello " + who, back.run(null));
        }
        Task<Integer> constant = vm -> 7;
        for (int i = 0; i < 3; i++) {
            @SuppressWarnings("unchecked")
            Task<Integer> back = (Task<Integer>) roundTrip(constant);
            assertEquals(7, back.run(null));
        }
    }

    private static Task<String> mixed(int i, long l, double d, String text, int[] ints, Pair pair) {
        return vm -> i + " " + l + " " + d + " " + text + " " + java.util.Arrays.toString(ints) + " " + pair;
    }

    @Test
    void aLambdaCapturingArgumentsOfEveryKindKeepsEachSendsOnEveryTrip() throws Exception {
        // After the first trip the sender reads the lambda's fields and the receiver calls the lambda class's
        // constructor: primitives, null, arrays and records must come through as on the first trip.
        for (int k = 0; k < 5; k++) {
            Pair pair = k == 3 ? null : new Pair("p" + k, List.of(k, -k));
            int[] ints = {k, k * k};
            String text = k == 2 ? null : "t" + k;
            @SuppressWarnings("unchecked")
            Task<String> back = (Task<String>) roundTrip(mixed(k, 1L << (40 + k), k / 4.0, text, ints, pair));
            assertEquals(mixed(k, 1L << (40 + k), k / 4.0, text, ints, pair).run(null), back.run(null), "trip " + k);
            @SuppressWarnings("unchecked")
            Task<String> two = (Task<String>) roundTrip(pairOf(text, k));
            assertEquals(text + "/" + k, two.run(null), "two arguments, trip " + k);
            @SuppressWarnings("unchecked")
            Task<String> one = (Task<String>) roundTrip(greeting(text));
            assertEquals("hello " + text, one.run(null), "one argument, trip " + k);
        }
    }

    @Test
    void aLambdaClassOfTheJdksFactoryIsReadFromItsFieldsAndBuiltByItsConstructor() throws Throwable {
        // What the two ends use once a lambda is known; if a JDK names its fields otherwise, both are null and
        // every trip takes writeReplace and $deserializeLambda$ (slower, still right).
        Task<String> sent = mixed(1, 2L, 0.5, "s", new int[]{3}, null);
        java.lang.invoke.MethodHandle[] readers = LambdaSerializer.capturedArgReaders(sent.getClass());
        assertNotNull(readers, "the captured arguments' getters");
        assertEquals(6, readers.length);
        assertEquals(2L, (Object) readers[1].invokeExact((Object) sent));
        assertEquals("s", (Object) readers[3].invokeExact((Object) sent));
        java.lang.invoke.MethodHandle constructor = LambdaSerializer.constructorOf(sent.getClass(), 6);
        assertNotNull(constructor, "the lambda class's constructor");
        @SuppressWarnings("unchecked")
        Task<String> built = (Task<String>) (Object) constructor.invokeExact(new Object[]{4, 5L, 6.5, "t", new int[]{7}, null});
        assertEquals(mixed(4, 5L, 6.5, "t", new int[]{7}, null).run(null), built.run(null));
        assertNull(LambdaSerializer.constructorOf(sent.getClass(), 5), "another count of arguments");
        assertThrows(ClassCastException.class, () -> {
            Object wrongBox = constructor.invokeExact(new Object[]{4, 5, 6.5, "t", new int[]{7}, null});
        }, "an Integer for the long: refused, as $deserializeLambda$ refuses it");
        @SuppressWarnings("unchecked")
        Task<String> received = (Task<String>) roundTrip(sent);
        assertNotNull(LambdaSerializer.constructorOf(received.getClass(), 6),
                "the class $deserializeLambda$ made, which later receipts build");
        assertNull(LambdaSerializer.capturedArgReaders(Pair.class), "not a lambda class: a record's fields");
    }

    private static Task<String> wireTwin(long l, String text) {
        return vm -> l + text;
    }

    @Test
    void aKnownLambdaIsSentAsTheSameBytesAsTheFirstTimeThroughWriteReplace() {
        byte[] first = encoded(wireTwin(1L << 33, "x")); // writeReplace; the class becomes known
        byte[] again = encoded(wireTwin(1L << 33, "x")); // read from the lambda's fields
        assertArrayEquals(first, again);
        assertArrayEquals(encoded(wireTwin(-5, null)), encoded(wireTwin(-5, null)));
    }

    private static Task<String> pairOf(String text, int k) {
        return vm -> text + "/" + k;
    }

    private static Task<Integer> plusOne(Integer x) {
        return vm -> x + 1;
    }

    private static Task<Object> echo(Object o) {
        return vm -> o;
    }

    @Test
    void aKnownLambdaWhoseCapturedArgumentHasTheWrongTypeIsRefusedAndTheVmGoesOn() throws Exception {
        byte[] plusOne = encoded(plusOne(5));
        for (int i = 0; i < 2; i++) assertEquals(6, decodedTask(plusOne).run(null), "known, both ways");
        // plusOne's descriptor with echo's captured String: a forged frame, or a sender on another version.
        byte[] echo = encoded(echo("x"));
        int p = capturedArgsAt(plusOne);
        int e = capturedArgsAt(echo);
        byte[] forged = new byte[p + echo.length - e];
        System.arraycopy(plusOne, 0, forged, 0, p);
        System.arraycopy(echo, e, forged, p, echo.length - e);
        VmException refused = assertThrows(VmException.class,
                () -> codec.decode(ByteBuffer.wrap(forged).order(ByteOrder.LITTLE_ENDIAN)));
        assertTrue(refused.getMessage().contains("cannot decode"), refused.getMessage());
        boolean castRefused = false;
        for (Throwable t = refused; t != null; t = t.getCause()) castRefused |= t instanceof ClassCastException;
        assertTrue(castRefused, "refused for the argument's type");
        assertEquals(8, decodedTask(encoded(plusOne(7))).run(null), "the codec goes on");
    }

    /** Where a CodecTest lambda's captured arguments start: after its descriptor and their count (one byte). */
    private static int capturedArgsAt(byte[] frame) {
        int at = descriptorHashAt(frame) + 4;
        int length = 0;
        for (int shift = 0; ; shift += 7) { // the descriptor's length, a Kryo varint
            byte b = frame[at++];
            length |= (b & 0x7f) << shift;
            if (b >= 0) break;
        }
        return at + length + 1;
    }

    /** A user's own serializable functional interface: not one ParaVM's descriptors abbreviate. */
    interface Parser extends java.io.Serializable {
        Object parse(String text);
    }

    @Test
    void lambdasOfOtherInterfacesAndMethodReferencesToOtherClassesRoundTrip() {
        Parser viaOtherClass = Integer::valueOf; // implemented in java.lang.Integer, not in this class
        assertEquals(12, ((Parser) roundTrip(viaOtherClass)).parse("12"));
        String suffix = "!";
        Parser capturing = text -> text + suffix;
        assertEquals("hi!", ((Parser) roundTrip(capturing)).parse("hi"));
    }

    /** The bytes the codec writes for {@code value}. */
    private byte[] encoded(Object value) {
        FrameWriter w = new FrameWriter();
        w.start();
        codec.encode(value, w);
        ByteBuffer frame = w.finish();
        byte[] bytes = new byte[frame.remaining()];
        frame.get(bytes);
        return bytes;
    }

    @Test
    void aTaskLambdasFrameLeavesOutWhatTheReceiverKnows() {
        // Open MPI sends up to 256 bytes inline; above that its MPI_Send waits for the receiver to poll.
        long seed = 42;
        Task<Long> t = vm -> seed + 1;
        String text = new String(encoded(t), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(!text.contains("io/paravm/Task"), "the interface is named by its index: " + text);
        assertEquals(1, text.split("io/paravm/core/CodecTest", -1).length - 1, "the capturing class once, not again as the implementation's: " + text);
    }

    @Test
    void aDescriptorNamingAnInterfaceByAnUnknownIndexIsRefused() {
        String[] fields = {"io/paravm/core/CodecTest", "io/paravm/Task", "run", "(Lio/paravm/VirtualMachine;)Ljava/lang/Object;",
                "6", "io/paravm/core/CodecTest", "lambda$x$0", "()Ljava/lang/Object;", "()Ljava/lang/Object;"};
        assertArrayEquals(fields, LambdaSerializer.expand(LambdaSerializer.compact(fields)));
        String unknown = LambdaSerializer.compact(fields).replace("@0", "@7");
        com.esotericsoftware.kryo.KryoException e = assertThrows(com.esotericsoftware.kryo.KryoException.class,
                () -> LambdaSerializer.expand(unknown));
        assertTrue(e.getMessage().contains("unknown interface @7"), e.getMessage());
    }

    @Test
    void aLambdaDescriptorThatNamesNoRealMethodIsRefusedEveryTime() throws Exception {
        Task<Integer> real = vm -> 1;
        byte[] bytes = encoded(real);
        // The implementing method's name is in the descriptor: point it at one that does not exist.
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = text.indexOf("lambda$");
        assertTrue(at > 0, "the descriptor names the implementing method");
        bytes[at] = 'X';
        for (int i = 0; i < 2; i++) {
            VmException e = assertThrows(VmException.class,
                    () -> codec.decode(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN)));
            assertTrue(e.getMessage().contains("cannot decode"), e.getMessage());
        }
        @SuppressWarnings("unchecked")
        Task<Integer> back = (Task<Integer>) roundTrip(real);
        assertEquals(1, back.run(null), "the real one still decodes");
    }

    @Test
    void aLambdaWhoseHashNamesAnotherKnownLambdaIsStillDecodedAsItself() throws Exception {
        // The receiver looks a descriptor up by the hash the sender wrote, then compares the bytes:
        // a hash that names another lambda (a collision, or a lie) must not run that other lambda.
        int one = 1;
        int two = 2;
        Task<Integer> a = vm -> one;
        Task<Integer> b = vm -> two + 40;
        byte[] aBytes = encoded(a);
        byte[] bBytes = encoded(b);
        assertEquals(1, decodedTask(aBytes).run(null), "a is now known, under its hash");
        System.arraycopy(aBytes, descriptorHashAt(aBytes), bBytes, descriptorHashAt(bBytes), 4);
        assertEquals(42, decodedTask(bBytes).run(null), "b under a's hash is still b");
        assertEquals(42, decodedTask(encoded(b)).run(null), "and b under its own hash");
        assertEquals(1, decodedTask(encoded(a)).run(null));
    }

    @SuppressWarnings("unchecked")
    private Task<Integer> decodedTask(byte[] bytes) {
        return (Task<Integer>) codec.decode(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
    }

    /** Where the 4-byte hash of a CodecTest lambda's descriptor starts: before the descriptor's length. */
    private static int descriptorHashAt(byte[] frame) {
        int d = new String(frame, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf("io/paravm/core/CodecTest");
        assertTrue(d > 0, "the descriptor names the capturing class");
        int length = 0;
        while (d + length < frame.length && (frame[d + length] == '\n' || frame[d + length] >= 0x20)) length++;
        return d - (length < 128 ? 1 : 2) - 4;
    }

    @Test
    void primitiveArraysAndBuffersSkipKryo() {
        FrameWriter w = new FrameWriter();
        w.start();
        codec.encode(new double[]{1, 2}, w);
        assertEquals(Codec.DOUBLES, w.finish().get(0));
        assertArrayEquals(new byte[0], (byte[]) roundTrip(new byte[0]));
        assertEquals("", roundTrip(""));
        assertEquals(null, roundTrip(null));
    }

    @Test
    void truncatedOrLyingPayloadsFailCleanly() {
        ByteBuffer liesAboutLength = ByteBuffer.allocate(5).order(ByteOrder.LITTLE_ENDIAN).put(Codec.BYTES).putInt(Integer.MAX_VALUE).flip();
        VmException e = assertThrows(VmException.class, () -> codec.decode(liesAboutLength));
        assertTrue(e.getMessage().contains("claims"), e.getMessage());
        assertThrows(VmException.class, () -> codec.decode(ByteBuffer.allocate(0)));
        assertThrows(VmException.class, () -> codec.decode(ByteBuffer.wrap(new byte[]{99})));
        assertThrows(VmException.class, () -> codec.decode(ByteBuffer.wrap(new byte[]{Codec.DOUBLES, 1, 0})));
    }

    @Test
    void randomBytesNeverEscapeAsAnythingButVmException() {
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] junk = new byte[random.nextInt(64)];
            random.nextBytes(junk);
            if (junk.length > 0 && random.nextBoolean()) junk[0] = Codec.KRYO;
            try {
                codec.decode(ByteBuffer.wrap(junk));
            } catch (VmException expected) {
                // a clear error is the only acceptable failure
            }
        }
    }

    /** Fails with the user's own exception after its first elements were written. */
    static final class ThrowsHalfway extends java.util.AbstractList<String> {
        @Override
        public String get(int index) {
            if (index == 3) throw new java.util.ConcurrentModificationException("element 3 changed under us");
            return "element " + index;
        }

        @Override
        public int size() {
            return 6;
        }
    }

    @Test
    void anExceptionHalfwayThroughAUsersSerializationBecomesAVmExceptionAndTheCodecStaysUsable() {
        VmException e = assertThrows(VmException.class, () -> roundTrip(new ThrowsHalfway()));
        assertTrue(e.getMessage().contains(ThrowsHalfway.class.getName()), e.getMessage());
        assertTrue(e.getMessage().contains("element 3 changed under us"), e.getMessage());
        for (int i = 0; i < 100; i++) assertEquals(List.of("after", i), roundTrip(List.of("after", i)), "the pooled Kryo is clean");
    }
}
