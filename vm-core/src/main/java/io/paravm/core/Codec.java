package io.paravm.core;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.SerializerFactory;
import com.esotericsoftware.kryo.SerializerFactory.FieldSerializerFactory;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.ClosureSerializer;
import com.esotericsoftware.kryo.serializers.ImmutableCollectionsSerializers;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import com.esotericsoftware.kryo.util.MapReferenceResolver;
import io.paravm.MessageEncodingException;
import io.paravm.VmException;
import org.objenesis.strategy.StdInstantiatorStrategy;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns message objects into payload bytes and back. {@code byte[]}, primitive arrays,
 * {@link ByteBuffer} and {@link String} are written as a tag, a length and their bytes,
 * without Kryo; everything else goes through a pooled, configured Kryo.
 *
 * <p>Kryo choices: registration is not required (users send their own types); classes are
 * written by name, and only the classes of the {@link ClassAllowList} may be named: a
 * frame naming another is refused before anything of that class is loaded. Every count
 * read from a frame is checked against the bytes left before anything is allocated
 * ({@link BoundedInput}, {@link BoundedSerializers}). Serializable lambdas travel through
 * {@link LambdaSerializer}; JDK classes whose internals Java 17 keeps closed travel through
 * Java serialization, as do exceptions (which keeps their stack traces), read through an
 * object stream limited to the same allow-list ({@link FilteredJavaSerializer}).
 */
final class Codec {

    // Payload tags: the first payload byte.
    static final byte NULL = 0, BYTES = 1, STRING = 2, BYTE_BUFFER = 3, INTS = 4, LONGS = 5, DOUBLES = 6,
            FLOATS = 7, SHORTS = 8, CHARS = 9, KRYO = 20;

    private static final class Context {
        final Kryo kryo;
        final Output output = new Output(4096, -1);
        final BoundedInput input = new BoundedInput();

        Context(ClassLoader loader, ClassAllowList allowList, CodecTypeTable types,
                Map<Class<?>, WireRecordSerializer<?>> records) {
            kryo = newKryo(loader, allowList, types, records);
        }
    }

    private static final List<String> JDK_WRAPPERS = List.of(
            "java.util.Collections$UnmodifiableCollection", "java.util.Collections$UnmodifiableMap",
            "java.util.Collections$SynchronizedCollection", "java.util.Collections$SynchronizedMap",
            "java.util.Collections$CheckedCollection", "java.util.Collections$CheckedMap",
            "java.util.Arrays$ArrayList");

    private final SlotPool<Context> pool;
    private final CodecTypeTable types;

    /** A codec for ParaVM's classes and the JDK's value types only. */
    Codec(ClassLoader loader) {
        this(loader, ClassAllowList.builtIn());
    }

    Codec(ClassLoader loader, ClassAllowList allowList) {
        this.types = CodecTypeTable.load(loader);
        Map<Class<?>, WireRecordSerializer<?>> records = wireRecords(types); // once: a bad record fails here
        this.pool = new SlotPool<>(16, () -> new Context(loader, allowList, types, records));
    }

    /**
     * Returns a hash of every wire type, vm-core's and those registered through
     * {@link io.paravm.spi.CodecTypes}, with their layouts: ranks compare it when they say
     * hello, since ranks with different tables cannot read each other.
     */
    long typeTableHash() {
        return types.hash();
    }

    /** Returns every wire type with its layout ({@link CodecTypeTable#describe()}), for a mismatch message. */
    String describeTypeTable() {
        return types.describe();
    }

    /**
     * Returns a serializer for each wire record, vm-core's and those of {@code types}, by
     * type; they hold no state, so every pooled Kryo shares them.
     *
     * @throws VmException naming a record whose components cannot be reached
     */
    static Map<Class<?>, WireRecordSerializer<?>> wireRecords(CodecTypeTable types) {
        Map<Class<?>, WireRecordSerializer<?>> records = new HashMap<>();
        types.all().values().stream().filter(Class::isRecord)
                .forEach(t -> records.put(t, new WireRecordSerializer<>(t.asSubclass(Record.class))));
        return records;
    }

    static Kryo newKryo(ClassLoader loader, ClassAllowList allowList, CodecTypeTable types) {
        return newKryo(loader, allowList, types, wireRecords(types));
    }

    private static Kryo newKryo(ClassLoader loader, ClassAllowList allowList, CodecTypeTable types,
                                Map<Class<?>, WireRecordSerializer<?>> records) {
        Kryo kryo = new Kryo(new AllowListClassResolver(allowList), new MapReferenceResolver()) {
            @Override
            public Serializer getDefaultSerializer(Class type) {
                return BoundedSerializers.bounded(this, type, super.getDefaultSerializer(type));
            }
        };
        kryo.setClassLoader(loader);
        kryo.setRegistrationRequired(false);
        kryo.setReferences(true); // graphs with cycles and shared objects arrive as sent
        kryo.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
        kryo.setDefaultSerializer(new JdkAwareSerializerFactory(allowList));
        kryo.addDefaultSerializer(Throwable.class, new FilteredJavaSerializer(allowList));
        ImmutableCollectionsSerializers.addDefaultSerializers(kryo);
        // JDK wrappers that Kryo's collection serializers would rebuild with add(), which they refuse.
        for (String wrapper : JDK_WRAPPERS) {
            try {
                kryo.addDefaultSerializer(Class.forName(wrapper), new FilteredJavaSerializer(allowList));
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("this JDK lacks " + wrapper, e);
            }
        }
        // Kryo maps every lambda class to the Closure registration.
        kryo.register(ClosureSerializer.Closure.class, new LambdaSerializer(allowList));
        // ParaVM's own types, and the upper layers' (the task farm's, ...) handed down through
        // CodecTypes: registered so they are written as small ids instead of class names, and
        // records through WireRecordSerializer: small and quick on every task.
        types.all().forEach((id, type) -> {
            WireRecordSerializer<?> record = records.get(type);
            if (record != null) kryo.register(type, record, id);
            else kryo.register(type, id);
        });
        return kryo;
    }

    /**
     * Field-serializes ordinary classes; a JDK class whose package is closed to us (Java 17
     * strong encapsulation) and that is {@link Serializable} goes through Java
     * serialization instead of failing on reflective access.
     */
    private static final class JdkAwareSerializerFactory implements SerializerFactory<Serializer<?>> {
        private final FieldSerializerFactory fields = new FieldSerializerFactory();
        private final ClassAllowList allowList;

        JdkAwareSerializerFactory(ClassAllowList allowList) {
            this.allowList = allowList;
            // Anonymous classes keep their captured variables only with synthetic fields.
            fields.getConfig().setIgnoreSyntheticFields(false);
        }

        @Override
        public Serializer<?> newSerializer(Kryo kryo, Class type) {
            Module module = type.getModule();
            if (module.isNamed() && !module.isOpen(type.getPackageName(), Codec.class.getModule())
                    && Serializable.class.isAssignableFrom(type)) {
                return new FilteredJavaSerializer(allowList);
            }
            return fields.newSerializer(kryo, type);
        }

        @Override
        public boolean isSupported(Class type) {
            return true;
        }
    }

    /**
     * Appends the payload for {@code value} to {@code out}. On failure nothing useful is
     * left in the writer and the caller must not send it.
     *
     * @throws MessageEncodingException if the value cannot be serialized; the message names its class
     */
    void encode(Object value, FrameWriter out) {
        if (value == null) {
            out.ensure(1).put(NULL);
        } else if (value instanceof byte[] a) {
            out.ensure(5 + a.length).put(BYTES).putInt(a.length).put(a);
        } else if (value instanceof String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            out.ensure(5 + utf8.length).put(STRING).putInt(utf8.length).put(utf8);
        } else if (value instanceof ByteBuffer b) {
            ByteBuffer src = b.duplicate();
            out.ensure(5 + src.remaining()).put(BYTE_BUFFER).putInt(src.remaining()).put(src);
        } else if (value instanceof double[] a) {
            ByteBuffer buf = out.ensure(5 + 8 * a.length).put(DOUBLES).putInt(a.length);
            buf.asDoubleBuffer().put(a);
            buf.position(buf.position() + 8 * a.length);
        } else if (value instanceof int[] a) {
            ByteBuffer buf = out.ensure(5 + 4 * a.length).put(INTS).putInt(a.length);
            buf.asIntBuffer().put(a);
            buf.position(buf.position() + 4 * a.length);
        } else if (value instanceof long[] a) {
            ByteBuffer buf = out.ensure(5 + 8 * a.length).put(LONGS).putInt(a.length);
            buf.asLongBuffer().put(a);
            buf.position(buf.position() + 8 * a.length);
        } else if (value instanceof float[] a) {
            ByteBuffer buf = out.ensure(5 + 4 * a.length).put(FLOATS).putInt(a.length);
            buf.asFloatBuffer().put(a);
            buf.position(buf.position() + 4 * a.length);
        } else if (value instanceof short[] a) {
            ByteBuffer buf = out.ensure(5 + 2 * a.length).put(SHORTS).putInt(a.length);
            buf.asShortBuffer().put(a);
            buf.position(buf.position() + 2 * a.length);
        } else if (value instanceof char[] a) {
            ByteBuffer buf = out.ensure(5 + 2 * a.length).put(CHARS).putInt(a.length);
            buf.asCharBuffer().put(a);
            buf.position(buf.position() + 2 * a.length);
        } else {
            encodeWithKryo(value, out);
        }
    }

    private void encodeWithKryo(Object value, FrameWriter out) {
        Class<?> type = value.getClass();
        if (type.isSynthetic() && type.getName().contains("$$Lambda") && !(value instanceof Serializable)) {
            throw new MessageEncodingException("cannot send a lambda of " + type.getName() + ": it is not serializable; "
                    + "target a Serializable functional interface such as io.paravm.Task, "
                    + "or cast it: (Runnable & Serializable) () -> ...", null);
        }
        Context ctx = pool.obtain();
        try {
            Output output = ctx.output;
            output.reset();
            ctx.kryo.writeClassAndObject(output, value);
            int n = output.position();
            out.ensure(1 + n).put(KRYO).put(output.getBuffer(), 0, n);
        } catch (RuntimeException | StackOverflowError e) {
            // Any exception: the user's own code (a getter, an iterator, writeObject) runs
            // while Kryo writes, and may throw anything halfway; the caller must get a
            // VmException, or a task's result would be lost with its slot never freed.
            String refused = refusal(e);
            if (refused != null) {
                throw new MessageEncodingException("cannot serialize a message of type " + type.getName() + ": "
                        + refused + "; nothing was sent", e);
            }
            throw new MessageEncodingException("cannot serialize a message of type " + type.getName() + ": "
                    + rootMessage(e) + "; nothing was sent. Make the type and what it holds serializable "
                    + "(plain fields, records, collections), or send a byte[] you encode yourself", e);
        } finally {
            ctx.output.reset();
            if (ctx.output.getBuffer().length > (1 << 20)) {
                ctx.output.setBuffer(new byte[4096], -1); // don't pin a huge scratch array
            }
            pool.free(ctx);
        }
    }

    /**
     * Decodes one payload.
     *
     * @param payload the bytes from the tag on; its position is advanced past them
     * @throws VmException if the payload is malformed or names a class that cannot be loaded
     */
    Object decode(ByteBuffer payload) {
        ByteBuffer in = payload.order(ByteOrder.LITTLE_ENDIAN);
        if (!in.hasRemaining()) throw new VmException("empty payload (no type tag)");
        byte tag = in.get();
        if (tag == NULL) return null;
        if (tag == KRYO) return decodeWithKryo(in);
        int n = length(in, tag);
        switch (tag) {
            case BYTES -> {
                byte[] a = new byte[n];
                in.get(a);
                return a;
            }
            case STRING -> {
                String s;
                if (in.hasArray()) {
                    s = new String(in.array(), in.arrayOffset() + in.position(), n, StandardCharsets.UTF_8);
                    in.position(in.position() + n);
                } else {
                    byte[] a = new byte[n];
                    in.get(a);
                    s = new String(a, StandardCharsets.UTF_8);
                }
                return s;
            }
            case BYTE_BUFFER -> {
                ByteBuffer b = ByteBuffer.allocate(n);
                b.put(in.duplicate().limit(in.position() + n)).flip();
                in.position(in.position() + n);
                return b;
            }
            case DOUBLES -> {
                double[] a = new double[n];
                in.asDoubleBuffer().get(a);
                in.position(in.position() + 8 * n);
                return a;
            }
            case INTS -> {
                int[] a = new int[n];
                in.asIntBuffer().get(a);
                in.position(in.position() + 4 * n);
                return a;
            }
            case LONGS -> {
                long[] a = new long[n];
                in.asLongBuffer().get(a);
                in.position(in.position() + 8 * n);
                return a;
            }
            case FLOATS -> {
                float[] a = new float[n];
                in.asFloatBuffer().get(a);
                in.position(in.position() + 4 * n);
                return a;
            }
            case SHORTS -> {
                short[] a = new short[n];
                in.asShortBuffer().get(a);
                in.position(in.position() + 2 * n);
                return a;
            }
            case CHARS -> {
                char[] a = new char[n];
                in.asCharBuffer().get(a);
                in.position(in.position() + 2 * n);
                return a;
            }
            default -> throw new VmException("unknown payload tag " + tag);
        }
    }

    /** Reads an element count and checks the bytes are there, before anything is allocated. */
    private static int length(ByteBuffer in, byte tag) {
        if (in.remaining() < 4) throw new VmException("truncated payload: no length after tag " + tag);
        int n = in.getInt();
        int width = switch (tag) {
            case DOUBLES, LONGS -> 8;
            case INTS, FLOATS -> 4;
            case SHORTS, CHARS -> 2;
            default -> 1;
        };
        if (n < 0 || (long) n * width > in.remaining()) {
            throw new VmException("bad payload: tag " + tag + " claims " + n + " elements but "
                    + in.remaining() + " bytes follow");
        }
        return n;
    }

    private Object decodeWithKryo(ByteBuffer in) {
        Context ctx = pool.obtain();
        try {
            BoundedInput input = ctx.input;
            input.setBuffer(in.slice());
            Object value = ctx.kryo.readClassAndObject(input);
            in.position(in.position() + input.position());
            return value;
        } catch (RuntimeException | StackOverflowError | LinkageError e) {
            // Bytes from the wire: whatever Kryo or a class's own reading code throws means "not decodable".
            String refused = refusal(e);
            if (refused != null) throw new VmException(refused, e);
            throw new VmException("cannot decode a received message: " + rootMessage(e)
                    + "; is the sender's class on this rank's class path, at the same version?", e);
        } finally {
            ctx.input.setBuffer(EMPTY);
            pool.free(ctx);
        }
    }

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    /** The allow-list's explanation if {@code e} was caused by a refused class, else null. */
    private static String refusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AllowListClassResolver.RefusedClassException) return t.getMessage();
            if (t instanceof FilteredJavaSerializer.RefusedStreamClassException r) return r.reason();
        }
        return null;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
    }
}
