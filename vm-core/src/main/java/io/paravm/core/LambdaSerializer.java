package io.paravm.core;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.ByteBufferInput;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Serializable lambdas (a {@code Task} is one) through their {@link SerializedLambda}
 * form: its nine descriptive fields as one string, the captured arguments through Kryo,
 * and turned back into a lambda by the capturing class's own {@code $deserializeLambda$}.
 * Unlike Kryo's {@code ClosureSerializer} it needs no access to JDK internals on Java 17
 * (which makes that one log a stack trace per Kryo instance). The capturing class must be
 * allowed by the {@link ClassAllowList}: a lambda can only be one its capturing class
 * defines, so that class decides what code a received lambda may run.
 *
 * <p>Spawning sends the same lambda again and again, so both ends remember: the sender
 * each lambda class's descriptor (and skips {@code writeReplace}: see below), the receiver each descriptor's checked capturing class and method
 * (and, for one that captures nothing, the lambda itself: such a lambda has no state, and
 * the JDK shares one instance of it too). Measured here, that took the spawn loop's
 * worker from rebuilding nine strings, a class lookup and an allow-list check per task to
 * one string and a map lookup.
 *
 * <p>The descriptor travels as its UTF-8 bytes after a hash of them, which the sender
 * computes once per lambda class: the receiver looks the hash up and compares the bytes in
 * place, making no string, and rebuilds through a method handle. Before, each task cost the
 * receiver a string of some 150 characters, its hash, and a reflective call on the JVM's
 * native path: encoding and decoding a lambda in one JVM took 540-800 ns for one that
 * captures nothing and 910-1,310 ns for one that captures an int, now 230-330 and 490-530.
 * A hash that names another descriptor only costs the full path.
 *
 * <p>A lambda that captures its argument, the documented way to pass one, went on costing
 * more: each send made a {@code SerializedLambda} through {@code writeReplace}, and each
 * receipt one more, which the capturing class's {@code $deserializeLambda$} then took apart
 * with its string comparisons. Once a lambda class is known and allowed, the sender reads the
 * captured arguments from the lambda's own fields and the receiver passes them to the
 * constructor of the lambda class its first receipt made; the bytes on the wire are the same.
 */
final class LambdaSerializer extends Serializer<Object> {

    /** The most descriptors a receiver remembers; more distinct lambdas than this are rebuilt each time. */
    private static final int MAX_REMEMBERED = 4096;
    /** The longest descriptor read: nine names of classes and methods. */
    private static final int MAX_DESCRIPTOR_BYTES = 64 * 1024;

    /** A compact descriptor ({@link #compact}), as sent: its UTF-8 bytes and their hash. */
    record Descriptor(byte[] bytes, int hash) {
        static Descriptor of(String text) {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            return new Descriptor(b, Arrays.hashCode(b));
        }
    }

    private final ClassAllowList allowList;

    LambdaSerializer(ClassAllowList allowList) {
        this.allowList = allowList;
    }

    /** What a sender knows about one lambda class, filled on its first send. */
    private static final class SendShape {
        final Method writeReplace;
        /** Getters of the fields {@code arg$1..N}, or null if the class has no such fields or they cannot be read. */
        final MethodHandle[] fieldReaders;
        /**
         * The same getters once the first send found them to give what {@code writeReplace} gives,
         * in its order; null until then, and for good if they did not: every send then goes
         * through {@code writeReplace}. Set before {@link #descriptor}.
         */
        volatile MethodHandle[] capturedArgs;
        volatile Descriptor descriptor; // null until the first send computed it

        SendShape(Class<?> type) {
            Method m;
            try {
                m = type.getDeclaredMethod("writeReplace");
                m.setAccessible(true);
            } catch (ReflectiveOperationException | RuntimeException e) {
                m = null;
            }
            writeReplace = m;
            fieldReaders = capturedArgReaders(type);
        }
    }

    /**
     * The lambda class's instance fields in the order {@link SerializedLambda#getCapturedArg}
     * gives them: the JDK's lambda factory names them {@code arg$1} to {@code arg$N}. Null if
     * they are not so (a class of another factory).
     */
    private static Field[] capturedFields(Class<?> type) {
        Field[] fields = Arrays.stream(type.getDeclaredFields()).filter(f -> !Modifier.isStatic(f.getModifiers()))
                .toArray(Field[]::new);
        Field[] ordered = new Field[fields.length];
        for (Field f : fields) {
            if (!f.getName().startsWith("arg$")) return null;
            int i;
            try {
                i = Integer.parseInt(f.getName().substring("arg$".length())) - 1;
            } catch (NumberFormatException e) {
                return null;
            }
            if (i < 0 || i >= ordered.length || ordered[i] != null) return null;
            ordered[i] = f;
        }
        return ordered;
    }

    /** Getters of the lambda class's captured arguments, each as Object from Object; null if not to be had. */
    static MethodHandle[] capturedArgReaders(Class<?> type) {
        Field[] fields = capturedFields(type);
        if (fields == null) return null;
        MethodHandle[] readers = new MethodHandle[fields.length];
        try {
            for (int i = 0; i < fields.length; i++) {
                fields[i].setAccessible(true);
                readers[i] = MethodHandles.lookup().unreflectGetter(fields[i])
                        .asType(MethodType.methodType(Object.class, Object.class));
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // a module that keeps the class closed: writeReplace, as before
        }
        return readers;
    }

    private final ClassValue<SendShape> sendShapes = new ClassValue<>() {
        @Override
        protected SendShape computeValue(Class<?> type) {
            return new SendShape(type);
        }
    };

    /**
     * What a receiver knows about one descriptor, once it was rebuilt successfully: for a lambda
     * that captures nothing its one instance; for one that captures, the constructor of the
     * lambda class that {@code $deserializeLambda$} made ({@link #constructorOf}; null if it
     * cannot be reached), so that later receipts skip the
     * {@code SerializedLambda} and the capturing class's string comparisons.
     */
    private record Rebuilder(Descriptor descriptor, Class<?> capturingClass, MethodHandle deserialize, String[] fields,
                             int implMethodKind, Object sharedInstance, MethodHandle constructor, int captures) {
    }

    /** By the descriptor's hash; each holds its descriptor's bytes, compared before use. */
    private final ConcurrentHashMap<Integer, Rebuilder> rebuilders = new ConcurrentHashMap<>();

    @Override
    public void write(Kryo kryo, Output out, Object lambda) {
        SendShape shape = sendShapes.get(lambda.getClass());
        Descriptor descriptor = shape.descriptor;
        MethodHandle[] captured = shape.capturedArgs;
        if (descriptor != null && captured != null) {
            // Known and allowed: the captured arguments straight from the lambda's fields, as writeReplace would
            // give them, without its SerializedLambda.
            writeDescriptor(out, descriptor);
            out.writeVarInt(captured.length, true);
            for (MethodHandle arg : captured) kryo.writeClassAndObject(out, capturedArg(arg, lambda));
            return;
        }
        SerializedLambda sl;
        try {
            if (shape.writeReplace == null) throw new NoSuchMethodException("writeReplace");
            sl = (SerializedLambda) shape.writeReplace.invoke(lambda);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new KryoException("lambda " + lambda.getClass().getName() + " is not serializable", e);
        }
        if (descriptor == null) {
            String capturing = sl.getCapturingClass().replace('/', '.');
            if (!allowList.permits(capturing, lambda.getClass().getClassLoader())) {
                throw new AllowListClassResolver.RefusedClassException("a lambda made in " + capturing + " cannot be sent: "
                        + allowList.refusalOnSend(capturing));
            }
            descriptor = Descriptor.of(compact(new String[] {sl.getCapturingClass(), sl.getFunctionalInterfaceClass(),
                    sl.getFunctionalInterfaceMethodName(), sl.getFunctionalInterfaceMethodSignature(),
                    String.valueOf(sl.getImplMethodKind()), sl.getImplClass(), sl.getImplMethodName(),
                    sl.getImplMethodSignature(), sl.getInstantiatedMethodType()}));
            shape.capturedArgs = sameAsWriteReplace(shape.fieldReaders, sl, lambda) ? shape.fieldReaders : null;
            shape.descriptor = descriptor;
        }
        writeDescriptor(out, descriptor);
        out.writeVarInt(sl.getCapturedArgCount(), true);
        for (int i = 0; i < sl.getCapturedArgCount(); i++) kryo.writeClassAndObject(out, sl.getCapturedArg(i));
    }

    /** Whether the field getters give exactly {@code sl}'s captured arguments: the same objects, or equal boxes. */
    private static boolean sameAsWriteReplace(MethodHandle[] readers, SerializedLambda sl, Object lambda) {
        if (readers == null || readers.length != sl.getCapturedArgCount()) return false;
        for (int i = 0; i < readers.length; i++) {
            Object fromField = capturedArg(readers[i], lambda);
            Object fromWriteReplace = sl.getCapturedArg(i);
            boolean box = fromField != null && MethodType.methodType(fromField.getClass()).hasWrappers();
            if (fromField != fromWriteReplace && !(box && fromField.equals(fromWriteReplace))) return false;
        }
        return true;
    }

    private static Object capturedArg(MethodHandle reader, Object lambda) {
        try {
            return (Object) reader.invokeExact(lambda);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new KryoException("cannot read what lambda " + lambda.getClass().getName() + " captured", e);
        }
    }

    private static void writeDescriptor(Output out, Descriptor d) {
        out.writeInt(d.hash());
        out.writeVarInt(d.bytes().length, true);
        out.writeBytes(d.bytes());
    }

    @Override
    public Object read(Kryo kryo, Input in, Class<?> type) {
        int hash = in.readInt();
        int length = in.readVarInt(true);
        if (length <= 0 || length > MAX_DESCRIPTOR_BYTES || length > in.limit() - in.position()) {
            throw new KryoException("bad payload: a lambda descriptor of " + length + " bytes");
        }
        Rebuilder known = rebuilders.get(hash);
        String descriptor = null;
        if (known != null && sameBytes(in, known.descriptor().bytes())) {
            in.skip(length);
        } else {
            known = null;
            descriptor = new String(in.readBytes(length), StandardCharsets.UTF_8);
        }
        int n = in.readVarInt(true);
        if (n < 0 || n > 255) throw new KryoException("a lambda cannot capture " + n + " arguments");
        if (known != null && n == 0 && known.sharedInstance() != null) return known.sharedInstance();
        Rebuilder r = known != null ? known : checked(kryo, descriptor);
        if (r.constructor() != null && n == r.captures()) return constructed(r, kryo, in, n);
        Object[] captured = new Object[n];
        for (int i = 0; i < n; i++) captured[i] = kryo.readClassAndObject(in);
        String[] f = r.fields();
        SerializedLambda sl = new SerializedLambda(r.capturingClass(), f[1], f[2], f[3], r.implMethodKind(), f[5],
                f[6], f[7], f[8], captured);
        Object lambda;
        try {
            lambda = (Object) r.deserialize().invokeExact(sl);
        } catch (Error e) {
            throw e;
        } catch (Throwable e) {
            throw new KryoException("cannot rebuild lambda " + f[5] + "." + f[6] + " in " + f[0], e);
        }
        if (known == null && rebuilders.size() < MAX_REMEMBERED) {
            // Remembered only once it rebuilt: a descriptor that names nothing real is never kept. Kept under
            // the hash of its own bytes, not the one received: a wrong hash cannot file it under another's.
            rebuilders.putIfAbsent(r.descriptor().hash(), n == 0
                    ? new Rebuilder(r.descriptor(), r.capturingClass(), r.deserialize(), f, r.implMethodKind(), lambda, null, 0)
                    : new Rebuilder(r.descriptor(), r.capturingClass(), r.deserialize(), f, r.implMethodKind(), null,
                            constructorOf(lambda.getClass(), n), n));
        }
        return lambda;
    }

    /** A known lambda that captures {@code n} arguments, read from {@code in}, built by its class's constructor. */
    private static Object constructed(Rebuilder r, Kryo kryo, Input in, int n) {
        MethodHandle constructor = r.constructor(); // (Object)Object, (Object,Object)Object, else (Object[])Object
        Object a = n <= 2 ? kryo.readClassAndObject(in) : null;
        Object b = n == 2 ? kryo.readClassAndObject(in) : null;
        Object[] captured = null;
        if (n > 2) {
            captured = new Object[n];
            for (int i = 0; i < n; i++) captured[i] = kryo.readClassAndObject(in);
        }
        try {
            if (n == 1) return (Object) constructor.invokeExact(a);
            if (n == 2) return (Object) constructor.invokeExact(a, b);
            return (Object) constructor.invokeExact(captured);
        } catch (Error e) {
            throw e;
        } catch (Throwable e) { // a captured argument of the wrong type, or null for a primitive: refused, as
            // $deserializeLambda$ would (its casts are to the exact wrapper types, as are the constructor's here)
            String[] f = r.fields();
            throw new KryoException("cannot rebuild lambda " + f[5] + "." + f[6] + " in " + f[0] + " from what it captured", e);
        }
    }

    /** Whether the next {@code expected.length} bytes of {@code in} are {@code expected}, read in place. */
    private static boolean sameBytes(Input in, byte[] expected) {
        int at = in.position();
        if (in.limit() - at < expected.length) return false;
        if (in instanceof ByteBufferInput b) {
            return b.getByteBuffer().slice(at, expected.length).equals(ByteBuffer.wrap(expected));
        }
        return Arrays.equals(in.getBuffer(), at, at + expected.length, expected, 0, expected.length);
    }

    /**
     * ParaVM's own serializable functional interfaces (class, method, signature), which a
     * descriptor names by their index: with the implementation class left out when it is the
     * capturing class, as it is for every lambda written in a class's body, that keeps the
     * frame of a typical spawn under 256 bytes, which Open MPI sends inline: its MPI_Send of a
     * larger frame returns only once the receiver polls, which a worker does between tasks.
     */
    private static final List<List<String>> KNOWN_INTERFACES = List.of(
            List.of("io/paravm/Task", "run", "(Lio/paravm/VirtualMachine;)Ljava/lang/Object;"),
            List.of("io/paravm/farm/TaskFunction", "apply", "(Ljava/lang/Object;)Ljava/lang/Object;"));

    /** The nine fields of a SerializedLambda as one string, without what the receiver can restore. */
    static String compact(String[] f) {
        String[] c = f.clone();
        int known = KNOWN_INTERFACES.indexOf(List.of(f[1], f[2], f[3]));
        if (known >= 0) {
            c[1] = "@" + known;
            c[2] = "";
            c[3] = "";
        }
        if (f[5].equals(f[0])) c[5] = "";
        return String.join("\n", c);
    }

    /** The nine fields of a descriptor that {@link #compact} made. */
    static String[] expand(String descriptor) {
        String[] f = descriptor.split("\n", -1);
        if (f.length != 9) throw new KryoException("a lambda descriptor with " + f.length + " fields, not 9");
        if (f[1].startsWith("@")) {
            int known;
            try {
                known = Integer.parseInt(f[1].substring(1));
            } catch (NumberFormatException e) {
                known = -1;
            }
            if (known < 0 || known >= KNOWN_INTERFACES.size() || !f[2].isEmpty() || !f[3].isEmpty()) {
                throw new KryoException("a lambda descriptor naming an unknown interface " + f[1]);
            }
            List<String> fi = KNOWN_INTERFACES.get(known);
            f[1] = fi.get(0);
            f[2] = fi.get(1);
            f[3] = fi.get(2);
        }
        if (f[5].isEmpty()) f[5] = f[0];
        return f;
    }

    /**
     * The constructor of a lambda class that captures {@code n} arguments, taking them as
     * Objects when one or two (the common case: no array to make), else as an Object[], each
     * cast to its field's type or to its exact wrapper and unboxed (an Integer for a long field
     * is refused, as {@code $deserializeLambda$}'s casts refuse it); null if the class is not a
     * hidden class of the JDK's lambda factory ({@code n} instance fields {@code arg$1..N} and a
     * constructor of their types) or cannot be reached.
     */
    static MethodHandle constructorOf(Class<?> lambdaClass, int n) {
        if (!lambdaClass.isHidden()) return null; // not the JDK's: a $deserializeLambda$ of someone's own
        Field[] fields = capturedFields(lambdaClass);
        if (fields == null || fields.length != n) return null;
        try {
            MethodType types = MethodType.methodType(lambdaClass, Arrays.stream(fields).map(Field::getType).toList());
            MethodHandle constructor = MethodHandles.privateLookupIn(lambdaClass, MethodHandles.lookup())
                    .findConstructor(lambdaClass, types.changeReturnType(void.class))
                    .asType(types.wrap().changeReturnType(lambdaClass));
            return n <= 2 ? constructor.asType(MethodType.genericMethodType(n))
                    : constructor.asSpreader(Object[].class, n).asType(MethodType.methodType(Object.class, Object[].class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // every receipt goes through $deserializeLambda$, as before
        }
    }

    /** Parses a descriptor and checks and loads its capturing class. */
    private Rebuilder checked(Kryo kryo, String descriptor) {
        String[] f = expand(descriptor);
        int kind;
        try {
            kind = Integer.parseInt(f[4]);
        } catch (NumberFormatException e) {
            throw new KryoException("a lambda descriptor whose method kind is not a number: " + f[4]);
        }
        String capturing = f[0].replace('/', '.');
        if (!allowList.permits(capturing, kryo.getClassLoader())) {
            throw new AllowListClassResolver.RefusedClassException(allowList.refusalOnReceipt(capturing));
        }
        Class<?> capturingClass;
        try {
            capturingClass = Class.forName(capturing, false, kryo.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new KryoException("the class that made this lambda, " + capturing + ", is not on this rank's class path", e);
        }
        MethodHandle deserialize;
        try {
            Method m = capturingClass.getDeclaredMethod("$deserializeLambda$", SerializedLambda.class);
            m.setAccessible(true);
            // A handle, not Method.invoke: that took the JVM's native call path on every task (a fifth of a
            // capturing lambda's decoding, profiled).
            deserialize = MethodHandles.lookup().unreflect(m).asType(MethodType.methodType(Object.class, SerializedLambda.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new KryoException("cannot rebuild a lambda made in " + capturing + ": it has no $deserializeLambda$", e);
        }
        return new Rebuilder(Descriptor.of(descriptor), capturingClass, deserialize, f, kind, null, null, 0);
    }
}
