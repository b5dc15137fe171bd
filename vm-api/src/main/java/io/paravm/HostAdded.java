package io.paravm;

import java.io.Serializable;
import java.util.List;

/**
 * Tells the spawner that slots joined the virtual machine at run time (a new member
 * of a dynamic engine such as Hazelcast). The slots are free as soon as this arrives.
 *
 * <pre>{@code
 * if (received.message() instanceof HostAdded added)
 *     log.info("{} brought slots {}", added.host(), added.slots());
 * }</pre>
 *
 * @param host  the host the new slots are on (it may already have had slots)
 * @param slots the ranks of the new slots
 */
public record HostAdded(HostId host, List<Integer> slots) implements Serializable {
    public HostAdded {
        slots = List.copyOf(slots);
    }
}
