package io.paravm.core;

import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.TaskResult;
import io.paravm.VmConfig;
import io.paravm.VmException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The start directory and the checks that keep mirrored files inside their folders. */
class WorkerEnvironmentTest {

    @AfterEach
    void clearSettings() {
        System.clearProperty(VmConfig.START_DIR_PROP_NAME);
    }

    @Test
    void aTaskStartsInTheStartDirectory(@TempDir Path dir) {
        System.setProperty(VmConfig.START_DIR_PROP_NAME, dir.toString());
        try (InMemoryVms vms = new InMemoryVms(2)) {
            TaskId id = vms.spawner.spawnFunction(w -> w.workDir().toString()).orElseThrow();
            assertEquals(dir.toAbsolutePath().normalize().toString(), result(vms, id).value());
        }
    }

    @Test
    void aMissingStartDirectoryFailsTheTaskSayingWhichSettingToFix(@TempDir Path dir) {
        System.setProperty(VmConfig.START_DIR_PROP_NAME, dir.resolve("absent").toString());
        try (InMemoryVms vms = new InMemoryVms(2)) {
            TaskId id = vms.spawner.spawnFunction(w -> "ran").orElseThrow();
            TaskResult r = result(vms, id);
            assertFalse(r.success());
            assertTrue(r.error().contains("does not exist") && r.error().contains(VmConfig.START_DIR_PROP_NAME), r.error());
        }
    }

    @Test
    void mirrorGlobsThatLeaveTheWorkingDirectoryAreRefusedWhenTheVmOpens() {
        for (String bad : List.of("../secret.txt", "/etc/passwd", "inputs/../../x")) {
            VmException e = assertThrows(VmException.class, () -> new MirrorSource(Path.of(""), List.of(bad)));
            assertTrue(e.getMessage().contains(bad) && e.getMessage().contains("leaves"), e.getMessage());
        }
    }

    @Test
    void mirroredFilesFromTheWireThatLeaveTheirFolderAreNotWritten(@TempDir Path root) throws Exception {
        TaskFolders folders = new TaskFolders(root, 1234, 1, "host");
        folders.storeMirror(new MirrorSet(1, List.of(new MirrorSet.MirroredFile("../../escaped.txt", new byte[]{1}))));
        assertFalse(Files.exists(root.resolve("escaped.txt")));
        assertFalse(Files.exists(root.getParent().resolve("escaped.txt")));
        folders.storeMirror(new MirrorSet(2, List.of(new MirrorSet.MirroredFile("ok/in.txt", new byte[]{7}))));
        Path dir = folders.prepare(new TaskId(1, 5), new SpawnRequest(w -> null, true, null, 2, false));
        assertEquals(List.of((byte) 7), List.of(Files.readAllBytes(dir.resolve("ok/in.txt"))[0]));
        folders.finish(dir, false);
        assertFalse(Files.exists(dir), "a task's folder is removed when it ends");
    }

    @Test
    void keptTaskFoldersOutliveTheirTask(@TempDir Path root) throws Exception {
        TaskFolders folders = new TaskFolders(root, 1234, 1, "host");
        folders.storeMirror(new MirrorSet(1, List.of(new MirrorSet.MirroredFile("in.txt", new byte[]{1}))));
        Path dir = folders.prepare(new TaskId(1, 6), new SpawnRequest(w -> null, true, null, 1, true));
        folders.finish(dir, true);
        assertTrue(Files.exists(dir.resolve("in.txt")));
        folders.clear(List.of());
        assertFalse(Files.exists(dir), "clearing local storage removes kept folders too");
    }

    private static TaskResult result(InMemoryVms vms, TaskId id) {
        TaskResult result = null;
        while (true) {
            var r = vms.spawner.receiveMessage(java.time.Duration.ofSeconds(20)).orElseThrow();
            if (r.message() instanceof TaskResult res) result = res;
            if (r.message() instanceof TaskExit e && e.taskId().equals(id)) return result;
        }
    }
}
