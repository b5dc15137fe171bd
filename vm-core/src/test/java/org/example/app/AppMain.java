package org.example.app;

import java.util.function.Supplier;

/** Stands for a user's program: whatever it calls sees it as the code that opened the VM. */
public final class AppMain {
    private AppMain() {
    }

    public static <T> T call(Supplier<T> body) {
        return body.get();
    }
}
