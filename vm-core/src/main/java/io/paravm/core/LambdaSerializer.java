package io.paravm.core;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;

import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Method;

/**
 * Serializable lambdas (a {@code Task} is one) through their {@link SerializedLambda}
 * form: written field by field, captured arguments through Kryo, and turned back into a
 * lambda by the capturing class's own {@code $deserializeLambda$}. Unlike Kryo's
 * {@code ClosureSerializer} it needs no access to JDK internals on Java 17 (which makes
 * that one log a stack trace per Kryo instance). The capturing class must be allowed by
 * the {@link ClassAllowList}: a lambda can only be one its capturing class defines, so that
 * class decides what code a received lambda may run.
 */
final class LambdaSerializer extends Serializer<Object> {

    private final ClassAllowList allowList;

    LambdaSerializer(ClassAllowList allowList) {
        this.allowList = allowList;
    }

    /** Each lambda class's {@code writeReplace}, looked up once. */
    private final ClassValue<Method> writeReplace = new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> type) {
            try {
                Method m = type.getDeclaredMethod("writeReplace");
                m.setAccessible(true);
                return m;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
    };

    /** Each capturing class's {@code $deserializeLambda$}, looked up once. */
    private final ClassValue<Method> deserializeLambda = new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> type) {
            try {
                Method m = type.getDeclaredMethod("$deserializeLambda$", SerializedLambda.class);
                m.setAccessible(true);
                return m;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
    };

    @Override
    public void write(Kryo kryo, Output out, Object lambda) {
        SerializedLambda sl;
        Method replace = writeReplace.get(lambda.getClass());
        try {
            if (replace == null) throw new NoSuchMethodException("writeReplace");
            sl = (SerializedLambda) replace.invoke(lambda);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new KryoException("lambda " + lambda.getClass().getName() + " is not serializable", e);
        }
        String capturing = sl.getCapturingClass().replace('/', '.');
        if (!allowList.permits(capturing, lambda.getClass().getClassLoader())) {
            throw new AllowListClassResolver.RefusedClassException("a lambda made in " + capturing + " cannot be sent: "
                    + allowList.refusalOnSend(capturing));
        }
        out.writeString(sl.getCapturingClass());
        out.writeString(sl.getFunctionalInterfaceClass());
        out.writeString(sl.getFunctionalInterfaceMethodName());
        out.writeString(sl.getFunctionalInterfaceMethodSignature());
        out.writeVarInt(sl.getImplMethodKind(), true);
        out.writeString(sl.getImplClass());
        out.writeString(sl.getImplMethodName());
        out.writeString(sl.getImplMethodSignature());
        out.writeString(sl.getInstantiatedMethodType());
        out.writeVarInt(sl.getCapturedArgCount(), true);
        for (int i = 0; i < sl.getCapturedArgCount(); i++) kryo.writeClassAndObject(out, sl.getCapturedArg(i));
    }

    @Override
    public Object read(Kryo kryo, Input in, Class<?> type) {
        String capturing = in.readString();
        if (capturing == null) throw new KryoException("a lambda without a capturing class");
        if (!allowList.permits(capturing.replace('/', '.'), kryo.getClassLoader())) {
            throw new AllowListClassResolver.RefusedClassException(allowList.refusalOnReceipt(capturing.replace('/', '.')));
        }
        Class<?> capturingClass;
        try {
            capturingClass = Class.forName(capturing.replace('/', '.'), false, kryo.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new KryoException("the class that made this lambda, " + capturing.replace('/', '.')
                    + ", is not on this rank's class path", e);
        }
        String fiClass = in.readString(), fiName = in.readString(), fiSig = in.readString();
        int kind = in.readVarInt(true);
        String implClass = in.readString(), implName = in.readString(), implSig = in.readString();
        String instantiated = in.readString();
        int n = in.readVarInt(true);
        if (n < 0 || n > 255) throw new KryoException("a lambda cannot capture " + n + " arguments");
        Object[] captured = new Object[n];
        for (int i = 0; i < n; i++) captured[i] = kryo.readClassAndObject(in);
        SerializedLambda sl = new SerializedLambda(capturingClass, fiClass, fiName, fiSig, kind, implClass,
                implName, implSig, instantiated, captured);
        Method deserialize = deserializeLambda.get(capturingClass);
        try {
            if (deserialize == null) throw new NoSuchMethodException(capturing + ".$deserializeLambda$");
            return deserialize.invoke(null, sl);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new KryoException("cannot rebuild lambda " + implClass + "." + implName + " in " + capturing, e);
        }
    }
}
