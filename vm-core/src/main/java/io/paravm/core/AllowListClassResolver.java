package io.paravm.core;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.DefaultClassResolver;

/**
 * Kryo's class resolver, checking every class name against the {@link ClassAllowList}:
 * a name read from a frame before Kryo looks the class up (so a refused class is never
 * loaded, let alone initialised or instantiated), and a class about to be written, so the
 * sender learns at once that receivers would refuse it.
 */
final class AllowListClassResolver extends DefaultClassResolver {

    /** A class the allow-list refuses; its message says which and what to do. */
    static final class RefusedClassException extends KryoException {
        RefusedClassException(String message) {
            super(message);
        }
    }

    private final ClassAllowList allowList;

    AllowListClassResolver(ClassAllowList allowList) {
        this.allowList = allowList;
    }

    /** Called with each class name read from a frame, before Kryo loads the class. */
    @Override
    protected Class getTypeByName(String className) {
        Class<?> known = super.getTypeByName(className); // only names that passed below were ever cached
        if (known != null) return known;
        if (!allowList.permits(className, kryo.getClassLoader())) {
            throw new RefusedClassException(allowList.refusalOnReceipt(className));
        }
        return null;
    }

    @Override
    protected void writeName(Output output, Class type, Registration registration) {
        if (!allowList.permits(type)) throw new RefusedClassException(allowList.refusalOnSend(type));
        super.writeName(output, type, registration);
    }
}
