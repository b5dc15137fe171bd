package io.paravm.core;

import io.paravm.HostId;
import io.paravm.SlotId;
import io.paravm.TaskId;
import io.paravm.VmException;
import io.paravm.VmStatus;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The spawner's bookkeeping of slots, the hosts they are on, and the task each runs. A
 * rank offers one slot (PyOPUS) or more (a worker running tasks on threads of its JVM);
 * each slot is a {@link SlotId}, so every query counts slots, not ranks. Rank 0 is the
 * spawner's own and always runs task 0. Thread-safe: the user's thread and the thread
 * handling lost ranks both touch it.
 */
final class SlotTable {

    private static final int FREE = -1;

    /** One rank's slots. {@code tasks[i]} is -1 when slot i is free. */
    private static final class Rank {
        final int rank;
        final String host;
        final int cpus;
        final long pid;
        final int[] tasks;
        int busy;
        boolean lost;

        Rank(int rank, String host, int cpus, long pid, int slots) {
            this.rank = rank;
            this.host = host;
            this.cpus = cpus;
            this.pid = pid;
            this.tasks = new int[slots];
            Arrays.fill(tasks, FREE);
        }

        int free() {
            return tasks.length - busy;
        }

        boolean runs(int task) {
            for (int t : tasks) if (t == task) return true;
            return false;
        }
    }

    private final TreeMap<Integer, Rank> slots = new TreeMap<>();
    /** Ranks the transport reported lost, known or not: they never count again. */
    private final Set<Integer> lostRanks = new TreeSet<>();
    private int nextTaskNumber = 1;

    synchronized void addSpawner(String host, int cpus, long pid) {
        Rank s = new Rank(0, host, cpus, pid, 1);
        s.tasks[0] = 0;
        s.busy = 1;
        slots.put(0, s);
    }

    /** Adds a worker's slots; returns false if the rank was already known. */
    synchronized boolean addWorker(int rank, Hello hello) {
        if (slots.containsKey(rank)) return false;
        lostRanks.remove(rank); // an engine may give a rank number again to a newcomer
        slots.put(rank, new Rank(rank, hello.host(), hello.cpus(), hello.pid(), Math.max(1, hello.slots())));
        return true;
    }

    synchronized boolean isKnown(int rank) {
        return slots.containsKey(rank);
    }

    /**
     * Marks a rank gone: its slots no longer count, and a rank lost before it said hello is
     * not waited for. Returns its host, or null if it had no slots (or was lost already).
     */
    synchronized String markLost(int rank) {
        lostRanks.add(rank);
        Rank s = slots.get(rank);
        if (s == null || s.lost) return null;
        s.lost = true;
        return s.host;
    }

    /** Whether the transport reported {@code rank} lost, at any time. */
    synchronized boolean wasLost(int rank) {
        return lostRanks.contains(rank);
    }

    /**
     * Ends the tasks in a lost rank's slots and forgets the rank.
     *
     * @return the task numbers that were running, lowest first
     */
    synchronized List<Integer> removeLost(int rank) {
        Rank s = slots.remove(rank);
        List<Integer> running = new ArrayList<>();
        if (s != null) for (int t : s.tasks) if (t > 0) running.add(t);
        running.sort(null);
        return running;
    }

    /**
     * Picks free live slots, filling ranks in order (a rank with two free slots is picked
     * twice), on the given hosts if any, up to {@code count}.
     */
    synchronized List<Integer> pickFree(int count, Collection<HostId> targets) {
        Set<String> hostNames = null;
        if (targets != null) {
            hostNames = new LinkedHashSet<>();
            for (HostId h : targets) {
                if (!h.isValid()) {
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
        for (Rank s : slots.values()) {
            if (s.rank == 0 || s.lost || (hostNames != null && !hostNames.contains(s.host))) continue;
            for (int i = s.free(); i > 0 && picked.size() < count; i--) picked.add(s.rank);
            if (picked.size() >= count) break;
        }
        return picked;
    }

    synchronized int newTaskNumber() {
        return nextTaskNumber++;
    }

    synchronized void assign(int rank, int taskNumber) {
        Rank s = slots.get(rank);
        for (int i = 0; i < s.tasks.length; i++) {
            if (s.tasks[i] == FREE) {
                s.tasks[i] = taskNumber;
                s.busy++;
                return;
            }
        }
        throw new IllegalStateException("rank " + rank + " has no free slot for task " + taskNumber);
    }

    /** Frees the slot running {@code taskNumber} on {@code rank}; returns whether it did. */
    synchronized boolean release(int rank, int taskNumber) {
        Rank s = slots.get(rank);
        if (s == null || s.rank == 0) return false;
        for (int i = 0; i < s.tasks.length; i++) {
            if (s.tasks[i] == taskNumber) {
                s.tasks[i] = FREE;
                s.busy--;
                return true;
            }
        }
        return false;
    }

    /** Whether {@code rank} runs task {@code taskNumber} now; throws if the rank is not a slot. */
    synchronized boolean runs(int rank, int taskNumber) {
        return known(rank).runs(taskNumber);
    }

    /** The tasks running on {@code rank}, for messages; throws if the rank is not a slot. */
    synchronized List<TaskId> runningTasks(int rank) {
        List<TaskId> running = new ArrayList<>();
        for (int t : known(rank).tasks) if (t >= 0) running.add(new TaskId(rank, t));
        return running;
    }

    private Rank known(int rank) {
        Rank s = slots.get(rank);
        if (s == null) throw new VmException("rank " + rank + " is not a slot of this VM; its ranks are " + slots.keySet());
        return s;
    }

    synchronized int everIssuedBelow() {
        return nextTaskNumber;
    }

    synchronized int slotCount() {
        int n = 0;
        for (Rank s : slots.values()) if (!s.lost) n += s.tasks.length;
        return n;
    }

    synchronized int freeCount() {
        int n = 0;
        for (Rank s : slots.values()) if (s.rank != 0 && !s.lost) n += s.free();
        return n;
    }

    /** The live worker slots that run no task, in order. */
    synchronized SortedSet<SlotId> freeSlots() {
        SortedSet<SlotId> free = new TreeSet<>();
        for (Rank s : slots.values()) {
            if (s.rank == 0 || s.lost) continue;
            for (int i = 0; i < s.tasks.length; i++) if (s.tasks[i] == FREE) free.add(new SlotId(s.rank, i));
        }
        return free;
    }

    synchronized Set<HostId> hostsWithFree() {
        Set<HostId> hosts = new LinkedHashSet<>();
        for (Rank s : slots.values()) if (s.rank != 0 && !s.lost && s.free() > 0) hosts.add(new HostId(s.host));
        return hosts;
    }

    synchronized List<HostId> hosts() {
        return hostsLocked();
    }

    private List<HostId> hostsLocked() {
        Set<HostId> hosts = new LinkedHashSet<>();
        for (Rank s : slots.values()) if (!s.lost) hosts.add(new HostId(s.host));
        return List.copyOf(hosts);
    }

    synchronized HostId hostOf(int rank) {
        Rank s = slots.get(rank);
        if (s == null || s.lost) {
            throw new VmException("rank " + rank + " is not a live slot of this VM; live ranks are " + liveRanks());
        }
        return new HostId(s.host);
    }

    synchronized List<Integer> liveRanks() {
        List<Integer> r = new ArrayList<>();
        for (Rank s : slots.values()) if (!s.lost) r.add(s.rank);
        return r;
    }

    synchronized VmStatus status() {
        List<VmStatus.Host> hosts = new ArrayList<>();
        for (var e : byHost().entrySet()) {
            List<SlotId> all = new ArrayList<>(), free = new ArrayList<>();
            for (Rank s : e.getValue()) {
                for (int i = 0; i < s.tasks.length; i++) {
                    all.add(new SlotId(s.rank, i));
                    if (s.tasks[i] == FREE) free.add(new SlotId(s.rank, i));
                }
            }
            hosts.add(new VmStatus.Host(new HostId(e.getKey()), e.getValue().get(0).cpus, all, free));
        }
        List<VmStatus.Slot> list = new ArrayList<>();
        for (Rank s : slots.values()) {
            if (s.lost) continue;
            for (int i = 0; i < s.tasks.length; i++) {
                int t = s.tasks[i];
                list.add(new VmStatus.Slot(new SlotId(s.rank, i), new HostId(s.host), s.pid,
                        t == FREE ? TaskId.bad() : new TaskId(s.rank, t)));
            }
        }
        return new VmStatus(hosts, list);
    }

    /**
     * PyOPUS's layout: "host ncpu=N free slots: [..]" then "\tslot=   r task=   n" per busy
     * slot. A slot shows as its rank where the rank offers one slot (PyOPUS: a slot is a
     * rank), as {@code rank/index} where it offers several.
     */
    synchronized String format() {
        StringBuilder sb = new StringBuilder();
        for (var e : byHost().entrySet()) {
            List<String> free = new ArrayList<>();
            StringBuilder busy = new StringBuilder();
            for (Rank s : e.getValue()) {
                for (int i = 0; i < s.tasks.length; i++) {
                    String slot = s.tasks.length == 1 ? Integer.toString(s.rank) : new SlotId(s.rank, i).toString();
                    if (s.tasks[i] == FREE) free.add(slot);
                    else busy.append(String.format("\tslot=%4s task=%4d%n", slot, s.tasks[i]));
                }
            }
            sb.append(e.getKey()).append(" ncpu=").append(e.getValue().get(0).cpus)
                    .append(" free slots: ").append(free).append(System.lineSeparator()).append(busy);
        }
        return sb.toString();
    }

    private Map<String, List<Rank>> byHost() {
        Map<String, List<Rank>> byHost = new LinkedHashMap<>();
        for (Rank s : slots.values()) {
            if (!s.lost) byHost.computeIfAbsent(s.host, h -> new ArrayList<>()).add(s);
        }
        return byHost;
    }
}
