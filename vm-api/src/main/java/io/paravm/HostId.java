package io.paravm;

import java.io.Serializable;

/**
 * Identifies a host of the virtual machine by its name, as the engine reports it
 * (for MPI: the processor name). The invalid host id has a {@code null} name.
 *
 * <pre>{@code
 * HostId here = vm.hostId();
 * if (here.isValid()) vm.logToSpawner("running on " + here.name());
 * }</pre>
 *
 * @param name the host name, or {@code null} for the invalid host id
 */
public record HostId(String name) implements Serializable, Comparable<HostId> {

    private static final HostId BAD = new HostId(null);

    /** Returns the invalid host id (PyOPUS's {@code HostID.bad()}). */
    public static HostId bad() {
        return BAD;
    }

    /** Returns whether this id names a host. */
    public boolean isValid() {
        return name != null;
    }

    @Override
    public int compareTo(HostId other) {
        if (name == null) return other.name == null ? 0 : -1;
        if (other.name == null) return 1;
        return name.compareTo(other.name);
    }

    @Override
    public String toString() {
        return name == null ? "<bad host>" : name;
    }
}
