package io.paravm;

import java.util.List;

/**
 * A snapshot of the spawner's bookkeeping: every host with its slots, and every slot
 * with the task it runs (PyOPUS's {@code vmStatus}). Slots are counted as
 * {@link VirtualMachine#slots()} counts them: a worker offering two slots has two entries.
 *
 * <pre>{@code
 * VmStatus st = vm.status();
 * for (VmStatus.Slot s : st.slots())
 *     log.info("{} on {} {}", s.id(), s.host(), s.isFree() ? "free" : "runs " + s.task());
 * }</pre>
 *
 * @param hosts the hosts, in order of their first slot
 * @param slots the slots, in order of their {@link SlotId}; slot {@code 0/0} is the
 *              spawner's own (task 0:0)
 */
public record VmStatus(List<Host> hosts, List<Slot> slots) {

    /**
     * @param hosts the hosts, in order of their first slot
     * @param slots the slots, in order of their {@link SlotId}
     */
    public VmStatus {
        hosts = List.copyOf(hosts);
        slots = List.copyOf(slots);
    }

    /**
     * One host.
     *
     * @param host      the host id
     * @param cpus      the number of processors its JVM reports
     * @param slots     the slots on this host
     * @param freeSlots the slots on this host that run no task
     */
    public record Host(HostId host, int cpus, List<SlotId> slots, List<SlotId> freeSlots) {
        /**
         * @param host      the host id
         * @param cpus      the number of processors its JVM reports
         * @param slots     the slots on this host
         * @param freeSlots the slots on this host that run no task
         */
        public Host {
            slots = List.copyOf(slots);
            freeSlots = List.copyOf(freeSlots);
        }
    }

    /**
     * One slot: a place where one task runs, on a rank that offers one slot or several.
     *
     * @param id          the slot
     * @param host        the host it is on
     * @param pid         the operating-system process id of its rank's JVM
     * @param task        the task it runs, or {@link TaskId#bad()} when free
     * @param unreadBytes the bytes of the spawner's messages its task has not read yet, as
     *                    flow control counts them (each message's size plus 128)
     * @param unreadBound how many of those the task may hold before {@code sendMessage}
     *                    waits ({@link VmConfig.Builder#unreadBound})
     */
    public record Slot(SlotId id, HostId host, long pid, TaskId task, long unreadBytes, long unreadBound) {

        /**
         * A slot with no unread messages counted.
         *
         * @param id   the slot
         * @param host the host it is on
         * @param pid  the process id of its rank's JVM
         * @param task the task it runs, or {@link TaskId#bad()} when free
         */
        public Slot(SlotId id, HostId host, long pid, TaskId task) {
            this(id, host, pid, task, 0, 0);
        }

        /** Returns the rank offering this slot. */
        public int rank() {
            return id.rank();
        }

        /** Returns whether no task runs in this slot. */
        public boolean isFree() {
            return !task.isValid();
        }
    }
}
