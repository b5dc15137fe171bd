package org.example.gadget;

/** Gadget's twin: same fields, a name of the same length, no side effects; a frame of it is turned into one naming Gadget. */
public class Benign {
    public String command;

    public Benign() {
    }

    public Benign(String command) {
        this.command = command;
    }
}
