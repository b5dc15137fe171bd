package io.paravm;

import java.util.List;

/**
 * A snapshot of the spawner's bookkeeping: every host with its slots, and every slot
 * with the task it runs (PyOPUS's {@code vmStatus}).
 *
 * <pre>{@code
 * VmStatus st = vm.status();
 * for (VmStatus.Slot s : st.slots())
 *     log.info("{} on {} {}", s.rank(), s.host(), s.isFree() ? "free" : "runs " + s.task());
 * }</pre>
 *
 * @param hosts the hosts, in order of their first slot
 * @param slots the slots, in rank order; slot 0 is the spawner's own (task 0:0)
 */
public record VmStatus(List<Host> hosts, List<Slot> slots) {

    public VmStatus {
        hosts = List.copyOf(hosts);
        slots = List.copyOf(slots);
    }

    /**
     * One host.
     *
     * @param host      the host id
     * @param cpus      the number of processors its JVM reports
     * @param slots     the ranks on this host
     * @param freeSlots the ranks on this host that run no task
     */
    public record Host(HostId host, int cpus, List<Integer> slots, List<Integer> freeSlots) {
        public Host {
            slots = List.copyOf(slots);
            freeSlots = List.copyOf(freeSlots);
        }
    }

    /**
     * One slot (one rank).
     *
     * @param rank the rank
     * @param host the host it runs on
     * @param pid  the operating-system process id of the rank's JVM
     * @param task the task it runs, or {@link TaskId#bad()} when free
     */
    public record Slot(int rank, HostId host, long pid, TaskId task) {
        /** Returns whether no task runs in this slot. */
        public boolean isFree() {
            return !task.isValid();
        }
    }
}
