package io.paravm.examples.launcher;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The demos {@code paravm demo NAME} runs; each is a plain {@code main} in {@code io.paravm.examples.demo}. */
enum Demo {
    CONFIG("ConfigDemo", "the VM's configuration: transport, hosts, slots, processors (PyOPUS demo 01)"),
    SPAWN("SpawnDemo", "a task on every worker, then more tasks than slots, one failing; TaskResult and TaskExit "
            + "collected (PyOPUS 02, 06)"),
    MESSAGING("MessagingDemo", "spawner-worker ping-pong from 0 B to 10 MB: latency and throughput per size (PyOPUS 03)"),
    MIRROR("MirrorDemo", "input files mirrored into each task's own folder on its worker (PyOPUS 04, 05)"),
    MANDELBROT("MandelbrotDemo", "rows farmed out with a progress bar; mandelbrot.png, wall time, speed-up vs 1 worker"),
    OPTIMIZE("OptimizeDemo", "differential evolution on Rosenbrock in 10 dimensions, each generation through the farm");

    private final String className;
    private final String description;

    Demo(String simpleName, String description) {
        // By name: the launcher's class path has no vm-core or demo libraries, so it never loads a demo.
        this.className = "io.paravm.examples.demo." + simpleName;
        this.description = description;
    }

    /** Returns the name {@code paravm demo} takes. */
    String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Returns the demo's main class. */
    String mainClass() {
        return className;
    }

    /** Returns what it shows. */
    String description() {
        return description;
    }

    /**
     * @param name a demo name
     * @return the demo
     * @throws IllegalArgumentException naming the demos
     */
    static Demo parse(String name) {
        for (Demo d : values()) if (d.id().equalsIgnoreCase(name.trim())) return d;
        throw new IllegalArgumentException("no demo named '" + name + "'; the demos are " + names());
    }

    /** Returns the demos' names, for messages. */
    static String names() {
        return Arrays.stream(values()).map(Demo::id).collect(Collectors.joining(", "));
    }
}
