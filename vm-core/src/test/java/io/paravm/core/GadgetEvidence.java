package io.paravm.core;

import java.util.concurrent.atomic.AtomicBoolean;

/** What the gadget classes of the tests (package {@code org.example.gadget}) did, if they ever ran. */
public final class GadgetEvidence {
    /** Set by {@code org.example.gadget.Gadget}'s static initializer. */
    public static final AtomicBoolean GADGET_INITIALISED = new AtomicBoolean();
    /** Set by {@code org.example.gadget.GadgetException}'s static initializer. */
    public static final AtomicBoolean EXCEPTION_INITIALISED = new AtomicBoolean();
    /** Set by {@code org.example.gadget.GadgetException}'s {@code readObject}. */
    public static final AtomicBoolean EXCEPTION_READ = new AtomicBoolean();

    private GadgetEvidence() {
    }
}
