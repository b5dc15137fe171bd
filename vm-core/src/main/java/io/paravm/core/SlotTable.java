package io.paravm.core;

import io.paravm.HostId;
import io.paravm.TaskId;
import io.paravm.VmException;
import io.paravm.VmStatus;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The spawner's bookkeeping of slots (one per rank), the hosts they are on, and the task
 * each runs. Slot 0 is the spawner's own and always runs task 0. Thread-safe: the user's
 * thread and the transport's membership callbacks both touch it.
 */
final class SlotTable {

    /** One rank's slot. {@code task} is -1 when free. */
    private static final class Slot {
        final int rank;
        final String host;
        final int cpus;
        final long pid;
        int task = -1;
        boolean lost;

        Slot(int rank, String host, int cpus, long pid) {
            this.rank = rank;
            this.host = host;
            this.cpus = cpus;
            this.pid = pid;
        }
    }

    private final TreeMap<Integer, Slot> slots = new TreeMap<>();
    private int nextTaskNumber = 1;

    synchronized void addSpawner(String host, int cpus, long pid) {
        Slot s = new Slot(0, host, cpus, pid);
        s.task = 0;
        slots.put(0, s);
    }

    /** Adds a worker's slot; returns false if the rank was already known. */
    synchronized boolean addWorker(int rank, Hello hello) {
        if (slots.containsKey(rank)) return false;
        slots.put(rank, new Slot(rank, hello.host(), hello.cpus(), hello.pid()));
        return true;
    }

    synchronized boolean isKnown(int rank) {
        return slots.containsKey(rank);
    }

    /** Marks a rank gone: it no longer counts as a slot. Returns its host, or null if unknown. */
    synchronized String markLost(int rank) {
        Slot s = slots.get(rank);
        if (s == null || s.lost) return null;
        s.lost = true;
        return s.host;
    }

    synchronized boolean isLost(int rank) {
        Slot s = slots.get(rank);
        return s != null && s.lost;
    }

    /**
     * Ends the task in a lost rank's slot and forgets the slot.
     *
     * @return the task number that was running, or -1
     */
    synchronized int removeLost(int rank) {
        Slot s = slots.remove(rank);
        return s == null ? -1 : s.task;
    }

    /** Picks free live slots in rank order, on the given hosts if any, up to {@code count}. */
    synchronized List<Integer> pickFree(int count, Collection<HostId> targets) {
        Set<String> hostNames = null;
        if (targets != null) {
            hostNames = new LinkedHashSet<>();
            for (HostId h : targets) {
                if (h == null || !h.isValid()) {
                    throw new VmException("target host " + h + " is not valid; pass hosts from vm.hosts() or null for any host");
                }
                if (slots.values().stream().noneMatch(s -> !s.lost && s.host.equals(h.name()))) {
                    throw new VmException("target host '" + h.name() + "' is not part of this VM; its hosts are "
                            + hostsLocked() + "; pass hosts from vm.hosts() or null for any host");
                }
                hostNames.add(h.name());
            }
        }
        List<Integer> picked = new ArrayList<>();
        for (Slot s : slots.values()) {
            if (picked.size() >= count) break;
            if (s.rank != 0 && !s.lost && s.task < 0 && (hostNames == null || hostNames.contains(s.host))) {
                picked.add(s.rank);
            }
        }
        return picked;
    }

    synchronized int newTaskNumber() {
        return nextTaskNumber++;
    }

    synchronized void assign(int rank, int taskNumber) {
        slots.get(rank).task = taskNumber;
    }

    /** Frees the slot if it runs {@code taskNumber}; returns whether it did. */
    synchronized boolean release(int rank, int taskNumber) {
        Slot s = slots.get(rank);
        if (s != null && s.rank != 0 && s.task == taskNumber) {
            s.task = -1;
            return true;
        }
        return false;
    }

    /** Returns the task running on {@code rank}, -1 if none; throws if the rank is not a slot. */
    synchronized int runningTask(int rank) {
        Slot s = slots.get(rank);
        if (s == null) throw new VmException("rank " + rank + " is not a slot of this VM; its ranks are " + slots.keySet());
        return s.task;
    }

    synchronized int everIssuedBelow() {
        return nextTaskNumber;
    }

    synchronized int slotCount() {
        return (int) slots.values().stream().filter(s -> !s.lost).count();
    }

    synchronized Set<Integer> freeRanks() {
        Set<Integer> free = new TreeSet<>();
        for (Slot s : slots.values()) if (s.rank != 0 && !s.lost && s.task < 0) free.add(s.rank);
        return free;
    }

    synchronized Set<HostId> hostsWithFree() {
        Set<HostId> hosts = new LinkedHashSet<>();
        for (Slot s : slots.values()) if (s.rank != 0 && !s.lost && s.task < 0) hosts.add(new HostId(s.host));
        return hosts;
    }

    synchronized List<HostId> hosts() {
        return hostsLocked();
    }

    private List<HostId> hostsLocked() {
        Set<HostId> hosts = new LinkedHashSet<>();
        for (Slot s : slots.values()) if (!s.lost) hosts.add(new HostId(s.host));
        return List.copyOf(hosts);
    }

    synchronized HostId hostOf(int rank) {
        Slot s = slots.get(rank);
        if (s == null || s.lost) {
            throw new VmException("rank " + rank + " is not a live slot of this VM; live ranks are " + liveRanks());
        }
        return new HostId(s.host);
    }

    synchronized List<Integer> liveRanks() {
        List<Integer> r = new ArrayList<>();
        for (Slot s : slots.values()) if (!s.lost) r.add(s.rank);
        return r;
    }

    synchronized VmStatus status() {
        Map<String, List<Slot>> byHost = byHost();
        List<VmStatus.Host> hosts = new ArrayList<>();
        for (var e : byHost.entrySet()) {
            List<Integer> all = new ArrayList<>(), free = new ArrayList<>();
            for (Slot s : e.getValue()) {
                all.add(s.rank);
                if (s.task < 0) free.add(s.rank);
            }
            hosts.add(new VmStatus.Host(new HostId(e.getKey()), e.getValue().get(0).cpus, all, free));
        }
        List<VmStatus.Slot> list = new ArrayList<>();
        for (Slot s : slots.values()) {
            if (s.lost) continue;
            list.add(new VmStatus.Slot(s.rank, new HostId(s.host), s.pid,
                    s.task < 0 ? TaskId.bad() : new TaskId(s.rank, s.task)));
        }
        return new VmStatus(hosts, list);
    }

    /** PyOPUS's layout: "host ncpu=N free slots: [..]" then "\tslot=   r task=   n" per busy slot. */
    synchronized String format() {
        StringBuilder sb = new StringBuilder();
        for (var e : byHost().entrySet()) {
            List<Integer> free = new ArrayList<>();
            StringBuilder busy = new StringBuilder();
            for (Slot s : e.getValue()) {
                if (s.task < 0) free.add(s.rank);
                else busy.append(String.format("\tslot=%4d task=%4d%n", s.rank, s.task));
            }
            sb.append(e.getKey()).append(" ncpu=").append(e.getValue().get(0).cpus)
                    .append(" free slots: ").append(free).append(System.lineSeparator()).append(busy);
        }
        return sb.toString();
    }

    private Map<String, List<Slot>> byHost() {
        Map<String, List<Slot>> byHost = new LinkedHashMap<>();
        for (Slot s : slots.values()) {
            if (!s.lost) byHost.computeIfAbsent(s.host, h -> new ArrayList<>()).add(s);
        }
        return byHost;
    }
}
