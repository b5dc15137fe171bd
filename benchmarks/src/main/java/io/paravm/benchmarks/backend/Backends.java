package io.paravm.benchmarks.backend;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Every backend the benchmarks know. Adding an engine = one {@link Backend} class, one line
 * here, and in {@code benchmarks/pom.xml} its transport dependency and its job class path
 * {@code target/lib-<transport>/}.
 */
public final class Backends {

    /** All known backends, in report order. */
    public static final List<Backend> ALL = List.of(
            new OpenMpiBackend(),
            new MpjBackend("multicore"),
            new MpjBackend("niodev"),
            new HazelcastBackend());

    private Backends() {
    }

    /**
     * The backend of that name.
     *
     * @param name as {@link Backend#name()} returns it, e.g. {@code mpj-niodev}
     * @throws IllegalArgumentException naming the known backends, if there is none
     */
    public static Backend named(String name) {
        for (Backend b : ALL) if (b.name().equals(name)) return b;
        throw new IllegalArgumentException("no benchmark backend named '" + name + "'; known: "
                + ALL.stream().map(Backend::name).collect(Collectors.joining(", "))
                + ". Add a Backend class to io.paravm.benchmarks.backend.Backends.ALL");
    }

    /** The position of {@code name} in {@link #ALL} (report order), or {@code ALL.size()} if unknown. */
    public static int order(String name) {
        for (int i = 0; i < ALL.size(); i++) if (ALL.get(i).name().equals(name)) return i;
        return ALL.size();
    }
}
