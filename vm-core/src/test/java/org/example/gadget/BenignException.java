package org.example.gadget;

/** GadgetException's twin: same serialVersionUID and fields, a name of the same length, no side effects. */
public class BenignException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BenignException(String message) {
        super(message);
    }
}
