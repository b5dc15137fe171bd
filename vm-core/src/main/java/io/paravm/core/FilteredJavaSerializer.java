package io.paravm.core;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import com.esotericsoftware.kryo.util.ObjectMap;

import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;

/**
 * Kryo's {@link JavaSerializer} (used for exceptions and closed JDK types), reading through
 * an {@link ObjectInputStream} that accepts only the classes of the {@link ClassAllowList}:
 * a refused name is rejected before its class is loaded, and an {@link ObjectInputFilter}
 * with the same list also bounds array lengths by the bytes of the payload. No dynamic
 * proxies. Writes as Kryo's does.
 */
final class FilteredJavaSerializer extends JavaSerializer {

    private final ClassAllowList allowList;

    FilteredJavaSerializer(ClassAllowList allowList) {
        this.allowList = allowList;
    }

    @Override
    public Object read(Kryo kryo, Input input, Class type) {
        try {
            @SuppressWarnings("unchecked")
            ObjectMap<Object, Object> graphContext = kryo.getGraphContext();
            ObjectInputStream in = (ObjectInputStream) graphContext.get(this);
            if (in == null) {
                long bytes = input.limit() - input.position();
                in = new AllowListObjectInputStream(input, kryo.getClassLoader(), allowList, bytes);
                graphContext.put(this, in);
            }
            return in.readObject();
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            throw new KryoException("Java deserialization of a " + type.getName() + " failed: " + e.getMessage(), e);
        }
    }

    /** A class name in the object stream that the allow-list refuses. */
    static final class RefusedStreamClassException extends InvalidClassException {
        private final String reason;

        RefusedStreamClassException(String name, String reason) {
            super(name, reason);
            this.reason = reason;
        }

        String reason() {
            return reason;
        }
    }

    /** An object stream that loads only allowed classes, with the filter the JDK applies after loading. */
    static final class AllowListObjectInputStream extends ObjectInputStream {
        private final ClassLoader loader;
        private final ClassAllowList allowList;

        AllowListObjectInputStream(InputStream in, ClassLoader loader, ClassAllowList allowList, long maxBytes)
                throws IOException {
            super(in);
            this.loader = loader;
            this.allowList = allowList;
            setObjectInputFilter(info -> {
                if (info.arrayLength() > maxBytes) return ObjectInputFilter.Status.REJECTED;
                Class<?> c = info.serialClass();
                if (c == null) return ObjectInputFilter.Status.UNDECIDED;
                return allowList.permits(c) ? ObjectInputFilter.Status.ALLOWED : ObjectInputFilter.Status.REJECTED;
            });
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            String name = desc.getName();
            if (!allowList.permits(name, loader)) {
                throw new RefusedStreamClassException(ClassAllowList.printable(name), allowList.refusalOnReceipt(name));
            }
            try {
                return Class.forName(name, false, loader);
            } catch (ClassNotFoundException e) {
                return super.resolveClass(desc);
            }
        }

        @Override
        protected Class<?> resolveProxyClass(String[] interfaces) throws IOException {
            throw new InvalidClassException("a dynamic proxy", "frames may not carry dynamic proxies");
        }
    }
}
