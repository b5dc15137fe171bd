package io.paravm.core;

import io.paravm.Received;
import io.paravm.TaskExit;
import io.paravm.VirtualMachine;
import io.paravm.farm.TaskFarm;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short job recorded with JFR holds ParaVM's events, read back with {@code jdk.jfr.consumer}
 * as JDK Mission Control would read them: no code of the job's asks for them.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JfrEventsTest {

    private static final Set<String> PARAVM_EVENTS = Set.of("io.paravm.TaskSpawned", "io.paravm.TaskStarted",
            "io.paravm.TaskResult", "io.paravm.TaskExit", "io.paravm.FarmTask", "io.paravm.Traffic",
            "io.paravm.HostRemoved", "io.paravm.HostSample");

    @Test
    void aRecordedJobHoldsItsTasksFarmTasksTrafficAndLostHost(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("job.jfr");
        InMemoryVms vms = new InMemoryVms(3);
        try (Recording recording = new Recording()) {
            PARAVM_EVENTS.forEach(recording::enable);
            recording.start(); // after the VM opened: it follows the recorder's state
            try {
                VirtualMachine vm = vms.spawner;
                vm.spawnFunction(w -> "plain task", 1, null, true);
                for (int exits = 0; exits < 1; ) {
                    Received r = vm.receiveMessage(Duration.ofSeconds(60)).orElseThrow();
                    if (r.message() instanceof TaskExit) exits++;
                }
                try (TaskFarm farm = TaskFarm.on(vm)) {
                    List<Integer> xs = IntStream.range(0, 10).boxed().toList();
                    assertEquals(xs, farm.map(x -> x, xs));
                }
                vms.cluster.kill(2);
                // the loss is handled by the next receive
                vm.receiveMessage(Duration.ofSeconds(60)).orElseThrow();
            } finally {
                vms.close(); // its last Traffic event goes out as it closes
            }
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        Map<String, Long> byType = events.stream().filter(e -> e.getEventType().getName().startsWith("io.paravm."))
                .collect(Collectors.groupingBy(e -> e.getEventType().getName(), TreeMap::new, Collectors.counting()));
        assertTrue(byType.keySet().containsAll(Set.of("io.paravm.TaskSpawned", "io.paravm.TaskStarted",
                "io.paravm.TaskResult", "io.paravm.TaskExit", "io.paravm.FarmTask", "io.paravm.Traffic",
                "io.paravm.HostRemoved")), "ParaVM events recorded: " + byType);
        long completed = events.stream().filter(e -> e.getEventType().getName().equals("io.paravm.FarmTask")
                && "COMPLETED".equals(e.getString("kind"))).count();
        assertEquals(10, completed, "one COMPLETED per input");
        RecordedEvent spawned = events.stream().filter(e -> e.getEventType().getName().equals("io.paravm.TaskSpawned"))
                .findFirst().orElseThrow();
        assertTrue(spawned.getString("host").startsWith("host-"), spawned.toString());
        RecordedEvent lost = events.stream().filter(e -> e.getEventType().getName().equals("io.paravm.HostRemoved"))
                .findFirst().orElseThrow();
        assertEquals(2, lost.getInt("rank"));
        assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("io.paravm.Traffic")
                && e.getLong("framesReceived") > 0), "frames counted per rank");
    }
}
