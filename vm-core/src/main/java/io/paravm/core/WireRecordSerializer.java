package io.paravm.core;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.ImmutableSerializer;
import io.paravm.VmException;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;

/**
 * Writes one of ParaVM's own wire records (a {@link io.paravm.TaskExit}, the farm's
 * {@code Job} and {@code Outcome}: one or two on every task) as its components in declaration
 * order, primitives as Kryo writes them and the rest as class and object. Kryo's own
 * {@code RecordSerializer} reaches each component by reflection and boxes primitives through
 * {@code writeObject}; on the JIT that is one of the largest compiles of a fresh job (about a
 * second of C2 on each rank, docs/waiting.md), and it costs every task. Each component here is
 * a method handle, so the compiled code stays small.
 *
 * <p>It holds no state, so one per record type serves every pooled Kryo of a codec.
 *
 * <pre>{@code
 * kryo.register(TaskExit.class, new WireRecordSerializer<>(TaskExit.class), 103);
 * }</pre>
 *
 * @param <T> the record
 */
final class WireRecordSerializer<T extends Record> extends ImmutableSerializer<T> {

    /** How one component goes on the wire; {@code OBJECT} is any reference, null included. */
    private enum Kind { BOOLEAN, BYTE, SHORT, CHAR, INT, LONG, FLOAT, DOUBLE, OBJECT }

    private final Class<T> type;
    private final Kind[] kinds;
    /** Each accessor, as {@code (Object) -> its type}. */
    private final MethodHandle[] getters;
    /** The canonical constructor, as {@code (Object[]) -> Object}. */
    private final MethodHandle constructor;

    WireRecordSerializer(Class<T> type) {
        if (!type.isRecord()) throw new IllegalArgumentException(type.getName() + " is not a record");
        this.type = type;
        RecordComponent[] components = type.getRecordComponents();
        kinds = new Kind[components.length];
        getters = new MethodHandle[components.length];
        Class<?>[] parameters = new Class<?>[components.length];
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        try {
            for (int i = 0; i < components.length; i++) {
                Class<?> c = components[i].getType();
                parameters[i] = c;
                kinds[i] = kindOf(c);
                Method accessor = components[i].getAccessor();
                accessor.setAccessible(true); // the farm's records are package-private
                getters[i] = lookup.unreflect(accessor).asType(MethodType.methodType(
                        c.isPrimitive() ? c : Object.class, Object.class));
            }
            Constructor<T> canonical = type.getDeclaredConstructor(parameters);
            canonical.setAccessible(true);
            constructor = lookup.unreflectConstructor(canonical).asSpreader(Object[].class, components.length)
                    .asType(MethodType.methodType(Object.class, Object[].class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new VmException("cannot reach the components of " + type.getName() + " (" + e + "); a wire record "
                    + "must be a record whose package is open to vm-core", e);
        }
    }

    private static Kind kindOf(Class<?> c) {
        if (!c.isPrimitive()) return Kind.OBJECT;
        if (c == boolean.class) return Kind.BOOLEAN;
        if (c == byte.class) return Kind.BYTE;
        if (c == short.class) return Kind.SHORT;
        if (c == char.class) return Kind.CHAR;
        if (c == int.class) return Kind.INT;
        if (c == long.class) return Kind.LONG;
        if (c == float.class) return Kind.FLOAT;
        return Kind.DOUBLE;
    }

    @Override
    public void write(Kryo kryo, Output out, T record) {
        try {
            for (int i = 0; i < kinds.length; i++) {
                MethodHandle g = getters[i];
                switch (kinds[i]) {
                    case BOOLEAN -> out.writeBoolean((boolean) g.invokeExact((Object) record));
                    case BYTE -> out.writeByte((byte) g.invokeExact((Object) record));
                    case SHORT -> out.writeShort((short) g.invokeExact((Object) record));
                    case CHAR -> out.writeChar((char) g.invokeExact((Object) record));
                    case INT -> out.writeVarInt((int) g.invokeExact((Object) record), false);
                    case LONG -> out.writeVarLong((long) g.invokeExact((Object) record), false);
                    case FLOAT -> out.writeFloat((float) g.invokeExact((Object) record));
                    case DOUBLE -> out.writeDouble((double) g.invokeExact((Object) record));
                    case OBJECT -> kryo.writeClassAndObject(out, (Object) g.invokeExact((Object) record));
                }
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new KryoException("cannot write a " + type.getName() + ": " + e, e); // accessors throw nothing checked
        }
    }

    @Override
    public T read(Kryo kryo, Input in, Class<? extends T> ignored) {
        Object[] values = new Object[kinds.length];
        for (int i = 0; i < kinds.length; i++) {
            values[i] = switch (kinds[i]) {
                case BOOLEAN -> in.readBoolean();
                case BYTE -> in.readByte();
                case SHORT -> in.readShort();
                case CHAR -> in.readChar();
                case INT -> in.readVarInt(false);
                case LONG -> in.readVarLong(false);
                case FLOAT -> in.readFloat();
                case DOUBLE -> in.readDouble();
                case OBJECT -> kryo.readClassAndObject(in);
            };
        }
        try {
            @SuppressWarnings("unchecked")
            T record = (T) (Object) constructor.invokeExact(values);
            return record;
        } catch (RuntimeException e) {
            // a component of another type (the handle's casts), or the constructor's own checks
            throw new KryoException("cannot make a " + type.getName() + " of the components received: " + e, e);
        } catch (Error e) {
            throw e;
        } catch (Throwable e) {
            throw new KryoException("cannot make a " + type.getName() + ": " + e, e); // constructors throw nothing checked
        }
    }
}
