package io.paravm.tck;

import io.paravm.Task;
import io.paravm.TaskId;
import io.paravm.VirtualMachine;
import io.paravm.VmConfig;
import io.paravm.VmStatus;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static io.paravm.tck.TckTasks.collect;
import static io.paravm.tck.TckTasks.resultOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The worker's environment (docs/SPEC.md, section 6): the folder a task runs in, file
 * mirroring, clearing local storage, and workers that run several tasks at once. Run it in
 * a job whose ranks are started with {@code -Dparavm.mirror=}{@value #MIRROR_GLOB} (rules
 * 6.2–6.5) and {@code -Dparavm.worker.slots=2} (rule 6.6); a rule whose setting is
 * missing is skipped, saying which setting it needs. The tests write their input files
 * under {@value #MIRROR_DIR} in the spawner's working directory.
 *
 * <pre>{@code
 * mpirun -np 3 java -Dparavm.mirror='target/tck-mirror/**' -Dparavm.worker.slots=2 ... \
 *     io.paravm.tck.TckLauncher --verification io.paravm.tck.EnvironmentVerification
 * }</pre>
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
public class EnvironmentVerification extends SpawnerVerification {

    /** Where the tests write the files to mirror, relative to the spawner's working directory. */
    public static final String MIRROR_DIR = "target/tck-mirror";
    /** The mirror setting the rules 6.2–6.5 need. */
    public static final String MIRROR_GLOB = MIRROR_DIR + "/**";

    private static void requireMirror() {
        assumeTrue(MIRROR_GLOB.equals(System.getProperty(VmConfig.MIRROR_PROP_NAME)),
                () -> "needs the ranks started with -D" + VmConfig.MIRROR_PROP_NAME + "=" + MIRROR_GLOB);
    }

    /** Writes the files to mirror, replacing any left by an earlier test. */
    private static Map<String, String> writeInputs(String marker) {
        Map<String, String> files = new TreeMap<>();
        files.put(MIRROR_DIR + "/input.txt", "input " + marker);
        files.put(MIRROR_DIR + "/models/model.lib", "model " + marker + " " + "x".repeat(10_000));
        try {
            Path dir = Path.of(MIRROR_DIR);
            if (Files.exists(dir)) {
                try (Stream<Path> old = Files.walk(dir)) {
                    old.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
                }
            }
            for (var e : files.entrySet()) {
                Path p = Path.of(e.getKey());
                Files.createDirectories(p.getParent());
                Files.writeString(p, e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** A task returning its folder and every file in it (path relative to the folder, as '/'), with contents. */
    private static Task<List<Object>> listFolder() {
        return w -> {
            Path dir = w.workDir();
            Map<String, String> found = new TreeMap<>();
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.filter(Files::isRegularFile).toList()) {
                    found.put(dir.relativize(p).toString().replace('\\', '/'), Files.readString(p, StandardCharsets.UTF_8));
                }
            }
            return List.of(dir.toString(), found, dir.isAbsolute());
        };
    }

    private static Map<String, String> expectedInFolder(Map<String, String> written) {
        Map<String, String> expected = new TreeMap<>();
        written.forEach((path, content) -> expected.put(path, content));
        return expected;
    }

    // ------------------------------------------------------------ 6. the worker's environment

    /** Rule 6.1: a task's work directory is an absolute path that exists on its worker. */
    @Test
    void required_spec6_1_workDirIsAnExistingAbsolutePath() {
        VirtualMachine vm = vm();
        TaskId id = vm.spawnFunction(w -> List.of(w.workDir().isAbsolute(), Files.isDirectory(w.workDir())))
                .orElseThrow();
        assertEquals(List.of(true, true), resultOf(vm, id));
        assertTrue(vm.workDir().isAbsolute(), "the spawner's work directory is absolute too");
    }

    /** Rule 6.2: with mirroring, a task runs in a folder holding exactly the mirrored files, same paths, same bytes. */
    @Test
    void required_spec6_2_mirroredFilesAreInTheTaskFolder() {
        requireMirror();
        VirtualMachine vm = vm();
        Map<String, String> written = writeInputs("6.2");
        TaskId id = vm.spawnFunction(listFolder()).orElseThrow();
        List<?> seen = (List<?>) resultOf(vm, id);
        assertEquals(expectedInFolder(written), seen.get(1));
        assertEquals(true, seen.get(2));
        assertNotEquals(Path.of("").toAbsolutePath().toString(), seen.get(0), "a fresh folder, not the spawner's");
    }

    /** Rule 6.3: each task gets a fresh folder: what one task writes, the next on that worker does not see; it is removed. */
    @Test
    void required_spec6_3_eachTaskHasAFreshFolderRemovedAfterIt() {
        requireMirror();
        VirtualMachine vm = vm();
        Map<String, String> written = writeInputs("6.3");
        TaskId first = vm.spawnFunction(w -> {
            Files.writeString(w.workDir().resolve("output.raw"), "left behind");
            return w.workDir().toString();
        }).orElseThrow();
        String firstDir = (String) resultOf(vm, first);
        TaskId second = vm.spawnFunction(w -> List.of(w.workDir().toString(), Files.exists(Path.of(firstDir)),
                Files.exists(w.workDir().resolve("output.raw"))), 1, List.of(vm.hostId(first)), true).get(0);
        List<?> seen = (List<?>) resultOf(vm, second);
        assertNotEquals(firstDir, seen.get(0), "each task has its own folder");
        assertEquals(false, seen.get(1), "the first task's folder was removed when it ended");
        assertEquals(false, seen.get(2), "the second task does not see the first one's output");
        assertTrue(written.size() > 0);
    }

    /** Rule 6.4: a file changed on the spawner is mirrored anew for tasks spawned after the change. */
    @Test
    void required_spec6_4_changedFilesAreMirroredAgain() {
        requireMirror();
        VirtualMachine vm = vm();
        writeInputs("before");
        TaskId before = vm.spawnFunction(listFolder()).orElseThrow();
        resultOf(vm, before);
        Map<String, String> after = writeInputs("after, and longer");
        TaskId id = vm.spawnFunction(listFolder()).orElseThrow();
        assertEquals(expectedInFolder(after), ((List<?>) resultOf(vm, id)).get(1));
    }

    /** Rule 6.5: after clearLocalStorage() the VM stays usable and tasks still get their mirrored files. */
    @Test
    void required_spec6_5_clearLocalStorageKeepsTheVmUsable() {
        requireMirror();
        VirtualMachine vm = vm();
        Map<String, String> written = writeInputs("6.5");
        TaskId warm = vm.spawnFunction(listFolder(), vm.freeSlots(), null, true).get(0);
        resultOf(vm, warm);
        TckTasks.drainUntilIdle(vm);
        vm.clearLocalStorage();
        List<TaskId> ids = vm.spawnFunction(listFolder(), vm.freeSlots(), null, true);
        TckTasks.Outcome o = collect(vm, ids);
        for (TaskId id : ids) {
            assertTrue(o.results().get(id).success(), () -> "task " + id + " failed:\n" + o.results().get(id).error());
            assertEquals(expectedInFolder(written), ((List<?>) o.results().get(id).value()).get(1), "task " + id);
        }
    }

    /**
     * Rule 6.6: a worker offering several slots runs that many tasks at once, each with its
     * own id, and routes each message to its own task.
     */
    @Test
    void required_spec6_6_severalSlotsRunTasksAtOnce() {
        VirtualMachine vm = vm();
        VmStatus st = vm.status();
        int rank = st.slots().stream().filter(s -> s.rank() != 0)
                .filter(s -> st.slots().stream().filter(o -> o.rank() == s.rank()).count() >= 2)
                .mapToInt(VmStatus.Slot::rank).findFirst().orElse(-1);
        assumeTrue(rank > 0, () -> "needs a worker with 2 slots (-D" + VmConfig.WORKER_SLOTS_PROP_NAME + "=2)");
        List<TaskId> pair = vm.spawnFunction(w -> {
            // Both tasks must run at once: each waits for the other's greeting, then for the spawner's word.
            // From the spawner only: the other task's greeting may overtake the spawner's message.
            TaskId other = (TaskId) w.receiveMessage(TckTasks.timeout(), new TaskId(0, 0)).orElseThrow().message();
            w.sendMessage(other, "hello from " + w.taskId());
            String greeting = (String) w.receiveMessage(TckTasks.timeout(), other).orElseThrow().message();
            String word = (String) w.receiveMessage(TckTasks.timeout(), new TaskId(0, 0)).orElseThrow().message();
            return List.of(w.taskId(), greeting, word);
        }, 2, List.of(vm.hostId(new TaskId(rank, 1))), true);
        assertEquals(2, pair.size());
        vm.sendMessage(pair.get(0), pair.get(1));
        vm.sendMessage(pair.get(1), pair.get(0));
        vm.sendMessage(pair.get(0), "word for " + pair.get(0));
        vm.sendMessage(pair.get(1), "word for " + pair.get(1));
        TckTasks.Outcome o = collect(vm, pair);
        for (int i = 0; i < 2; i++) {
            TaskId me = pair.get(i), other = pair.get(1 - i);
            assertTrue(o.results().get(me).success(), () -> "task " + me + " failed:\n" + o.results().get(me).error());
            assertEquals(List.of(me, "hello from " + other, "word for " + me), o.results().get(me).value());
        }
        assertEquals(pair.get(0).rank(), pair.get(1).rank(), "a rank's free slots are filled first: " + pair);
    }
}
