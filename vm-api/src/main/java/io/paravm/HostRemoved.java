package io.paravm;

import java.io.Serializable;
import java.util.List;

/**
 * Tells the spawner that slots left the virtual machine or were lost. A task that ran in
 * one of them has been reported with {@link TaskExit.Reason#LOST} just before this.
 *
 * <pre>{@code
 * if (received.message() instanceof HostRemoved gone)
 *     log.warn("lost slots {} on {}", gone.slots(), gone.host());
 * }</pre>
 *
 * @param host  the host the slots were on
 * @param slots the ranks that went away
 */
public record HostRemoved(HostId host, List<Integer> slots) implements Serializable {
    public HostRemoved {
        slots = List.copyOf(slots);
    }
}
