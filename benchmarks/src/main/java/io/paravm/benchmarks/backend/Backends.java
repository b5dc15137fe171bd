package io.paravm.benchmarks.backend;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Every backend the benchmarks know. Adding an engine = one {@link Backend} class, one line
 * here, and its transport dependency in {@code benchmarks/pom.xml}.
 */
public final class Backends {

    /** All known backends, in report order. */
    public static final List<Backend> ALL = List.of(
            new OpenMpiBackend()
            // new MpjBackend(), new HazelcastBackend(): when transport-mpj / transport-hazelcast land
    );

    private Backends() {
    }

    /**
     * The backend of a ParaVM transport.
     *
     * @param transportName as {@code VirtualMachine.transportName()} returns it
     * @throws IllegalArgumentException naming the known backends, if there is none
     */
    public static Backend named(String transportName) {
        for (Backend b : ALL) if (b.name().equals(transportName)) return b;
        throw new IllegalArgumentException("no benchmark backend for transport '" + transportName + "'; known: "
                + ALL.stream().map(Backend::name).collect(Collectors.joining(", "))
                + ". Add a Backend class to io.paravm.benchmarks.backend.Backends.ALL");
    }
}
