package org.example.gadget;

import io.paravm.core.GadgetEvidence;

/** A class no rank allows by default whose static initializer leaves evidence that it ran. */
public class Gadget {
    static {
        GadgetEvidence.GADGET_INITIALISED.set(true);
    }

    public String command;

    public Gadget() {
    }
}
