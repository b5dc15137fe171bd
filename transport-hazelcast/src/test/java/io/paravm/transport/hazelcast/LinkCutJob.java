package io.paravm.transport.hazelcast;

import io.paravm.HostRemoved;
import io.paravm.Received;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.VirtualMachine;
import io.paravm.VirtualMachines;
import io.paravm.VmConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The spawner's side of {@link HazelcastNetnsTest}'s cut link, run in a namespace of its
 * own: fills every worker slot with a waiting task, writes {@code ready} to its file, and
 * waits for the test to cut a host off; then writes when {@code HostRemoved} and the lost
 * task's {@code TaskExit(LOST)} arrived (wall clock, the test's too), and that the other
 * worker still runs tasks. Exits 0 when all that was seen, 1 otherwise.
 *
 * <pre>{@code
 * ip netns exec NS java ... io.paravm.transport.hazelcast.LinkCutJob --out FILE --cut HOSTNAME
 * }</pre>
 */
public final class LinkCutJob {
    private LinkCutJob() {
    }

    public static void main(String[] args) throws Exception {
        VirtualMachine vm = VirtualMachines.open(VmConfig.builder().args(args).build());
        vm.spawnerBarrier();
        List<String> a = List.of(vm.args());
        Path out = Path.of(a.get(a.indexOf("--out") + 1));
        String cut = a.get(a.indexOf("--cut") + 1);
        List<String> lines = new ArrayList<>();
        lines.add("hosts " + vm.hosts().size());
        List<TaskId> tasks = vm.spawnFunction(w -> w.receiveMessage(Duration.ofMinutes(5)), vm.freeSlots(), null, true);
        TaskId victim = tasks.stream().filter(t -> vm.hostId(t).name().equals(cut)).findFirst().orElseThrow();
        write(out, List.of("ready"));
        long removedAt = -1, lostAt = -1;
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while ((removedAt < 0 || lostAt < 0) && System.nanoTime() - deadline < 0) {
            Received r = vm.receiveMessage(Duration.ofSeconds(1)).orElse(null);
            if (r == null) continue;
            if (r.message() instanceof HostRemoved h && h.host().name().equals(cut)) removedAt = System.currentTimeMillis();
            if (r.message() instanceof TaskExit e && e.taskId().equals(victim) && e.reason() == TaskExit.Reason.LOST) {
                lostAt = System.currentTimeMillis();
            }
        }
        lines.add("removed " + removedAt);
        lines.add("lost " + lostAt);
        lines.add("hostsAfter " + vm.hosts().size());
        // Release the other worker's task; once it has exited, a new task runs there.
        List<TaskId> others = tasks.stream().filter(t -> !t.equals(victim)).toList();
        for (TaskId t : others) vm.sendMessage(t, "release");
        int exited = 0;
        TaskId next = null;
        Object ranOn = null;
        while (ranOn == null && System.nanoTime() - deadline < 0) {
            Received r = vm.receiveMessage(Duration.ofSeconds(1)).orElse(null);
            if (r == null) continue;
            if (r.message() instanceof TaskExit e && others.contains(e.taskId()) && ++exited == others.size()) {
                next = vm.spawnFunction(w -> w.hostId().name()).orElseThrow();
            }
            if (next != null && r.sender().equals(next) && r.message() instanceof io.paravm.TaskResult res) ranOn = res.value();
        }
        lines.add("ranOn " + ranOn);
        write(out, lines);
        vm.close();
        System.exit(removedAt > 0 && lostAt > 0 && ranOn != null ? 0 : 1);
    }

    private static void write(Path file, List<String> lines) throws Exception {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, lines);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
