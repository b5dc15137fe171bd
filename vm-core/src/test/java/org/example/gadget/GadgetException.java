package org.example.gadget;

import io.paravm.core.GadgetEvidence;

import java.io.IOException;
import java.io.ObjectInputStream;

/** An exception (so it travels by Java serialization) whose static initializer and readObject leave evidence. */
public class GadgetException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    static {
        GadgetEvidence.EXCEPTION_INITIALISED.set(true);
    }

    public GadgetException(String message) {
        super(message);
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        GadgetEvidence.EXCEPTION_READ.set(true);
        in.defaultReadObject();
    }
}
