package io.paravm.examples.launcher;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The engines {@code paravm} starts jobs on. Each has its own run-time class path,
 * {@code lib-<name>/}, because Open MPI's and MPJ Express's jars both define package
 * {@code mpi}.
 */
public enum Engine {
    /** Open MPI's Java bindings; jobs are started by {@code mpirun}. */
    OPENMPI("openmpi"),
    /** MPJ Express; jobs are started by the transport's {@code MpjLauncher}. */
    MPJ("mpj"),
    /** Embedded Hazelcast members, one JVM per rank; started by the transport's {@code HazelcastLauncher}. */
    HAZELCAST("hazelcast");

    private final String id;

    Engine(String id) {
        this.id = id;
    }

    /** Returns the transport's name, as {@code --transport} and {@code -Dparavm.transport} take it. */
    public String id() {
        return id;
    }

    @Override
    public String toString() {
        return id;
    }

    /**
     * @param name a transport name, any case
     * @return the engine
     * @throws IllegalArgumentException naming the valid names
     */
    public static Engine parse(String name) {
        for (Engine e : values()) if (e.id.equals(name.trim().toLowerCase(Locale.ROOT))) return e;
        throw new IllegalArgumentException("unknown transport '" + name + "'; use one of " + names());
    }

    /** Returns the names, for messages: {@code openmpi, mpj, hazelcast}. */
    public static String names() {
        return Arrays.stream(values()).map(Engine::id).collect(Collectors.joining(", "));
    }
}
