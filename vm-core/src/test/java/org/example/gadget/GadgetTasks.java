package org.example.gadget;

import io.paravm.Task;

/** Makes tasks whose capturing class is in a package no rank allows by default. */
public final class GadgetTasks {
    private GadgetTasks() {
    }

    public static Task<String> greeting(String who) {
        return vm -> "hello " + who;
    }
}
