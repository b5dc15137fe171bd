package io.paravm.core;

import io.paravm.TaskId;
import io.paravm.VmConfig;
import io.paravm.VmException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Collection;
import java.util.stream.Stream;

/**
 * A worker's local storage (PyOPUS's local storage and mirroring): under the storage root,
 * one folder per worker ({@code w-PID-rRANK}) holding the mirrored files of each version and
 * a fresh folder per task, removed when the task ends unless kept. Every path written comes
 * from the network, so each is checked to stay inside its folder.
 */
final class TaskFolders {

    private static final Logger LOG = LoggerFactory.getLogger(TaskFolders.class);
    private static final String WORKER_PREFIX = "w-";

    private final Path root;
    private final Path workerDir;
    private final String host;
    private volatile int newestMirror;

    TaskFolders(Path root, long pid, int rank, String host) {
        this.root = root.toAbsolutePath().normalize();
        this.workerDir = this.root.resolve(WORKER_PREFIX + pid + "-r" + rank);
        this.host = host;
    }

    /** The storage root from {@code paravm.storage.root}, else {@code paravm-USER} in the temp directory. */
    static Path rootFrom(VmConfig config) {
        return config.property(VmConfig.STORAGE_ROOT_PROP_NAME).map(Path::of)
                .orElseGet(() -> Path.of(System.getProperty("java.io.tmpdir"),
                        "paravm-" + System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_")));
    }

    /**
     * The directory a task runs in: a fresh folder with the mirrored files, the start
     * directory, or this JVM's working directory.
     */
    Path prepare(TaskId task, SpawnRequest request) throws IOException {
        if (request.mirrorVersion() > 0) {
            Path source = mirrorDir(request.mirrorVersion());
            if (!Files.isDirectory(source)) {
                throw new VmException("task " + task + ": mirrored files version " + request.mirrorVersion()
                        + " never reached " + host + " (newest here: " + newestMirror + ")");
            }
            Path dir = workerDir.resolve("task-" + task.rank() + "-" + task.number());
            deleteTree(dir);
            copyTree(source, dir);
            return dir;
        }
        if (request.startDir() != null) {
            Path dir = Path.of(request.startDir()).toAbsolutePath().normalize();
            if (!Files.isDirectory(dir)) {
                throw new VmException("task " + task + ": start directory " + dir + " does not exist on " + host
                        + "; create it on every worker host or change " + VmConfig.START_DIR_PROP_NAME);
            }
            return dir;
        }
        return Path.of("").toAbsolutePath();
    }

    /** Removes a task's folder (only folders this class made), unless kept. */
    void finish(Path taskDir, boolean keep) {
        if (taskDir == null || keep || !taskDir.startsWith(workerDir)) return;
        try {
            deleteTree(taskDir);
        } catch (IOException e) {
            LOG.warn("could not remove task folder {}: {}", taskDir, e.toString());
        }
    }

    /** Writes a mirror set into its own version folder, refusing paths that leave it. */
    void storeMirror(MirrorSet set) {
        Path dir = mirrorDir(set.version());
        try {
            deleteTree(dir);
            for (MirrorSet.MirroredFile f : set.files()) {
                Path target = dir.resolve(f.path()).normalize();
                if (!target.startsWith(dir) || Path.of(f.path()).isAbsolute()) {
                    throw new VmException("mirrored file '" + f.path() + "' leaves the task folder; refused");
                }
                Files.createDirectories(target.getParent());
                Files.write(target, f.bytes());
            }
            // Older versions stay until close or clear: a spawn queued here may still name one.
            newestMirror = Math.max(newestMirror, set.version());
        } catch (IOException | VmException e) {
            LOG.warn("could not store {} mirrored files (version {}) in {}: {}; tasks that need them fail",
                    set.files().size(), set.version(), dir, e.toString());
            try {
                deleteTree(dir);
            } catch (IOException ignored) {
                // the tasks that need it fail and say so
            }
        }
    }

    /**
     * Clears local storage: this worker's task folders except those in use, its mirrored files, and the
     * folders of workers on this host whose process has ended.
     */
    void clear(Collection<Path> inUse) {
        try {
            if (Files.isDirectory(workerDir)) {
                try (DirectoryStream<Path> own = Files.newDirectoryStream(workerDir)) {
                    for (Path p : own) if (!inUse.contains(p)) deleteTree(p); // the spawner sends mirrors again
                }
            }
            if (!Files.isDirectory(root)) return;
            try (DirectoryStream<Path> workers = Files.newDirectoryStream(root, WORKER_PREFIX + "*")) {
                for (Path w : workers) {
                    if (!w.equals(workerDir) && !processAlive(w.getFileName().toString())) deleteTree(w);
                }
            }
        } catch (IOException e) {
            LOG.warn("could not clear local storage under {}: {}", root, e.toString());
        }
    }

    private static boolean processAlive(String folderName) {
        try {
            String pid = folderName.substring(WORKER_PREFIX.length(), folderName.indexOf("-r"));
            return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
        } catch (RuntimeException e) {
            return true; // not a folder we made: leave it
        }
    }

    /** Removes this worker's folder, keeping kept task folders. */
    void close() {
        if (!Files.isDirectory(workerDir)) return;
        try (DirectoryStream<Path> mirrors = Files.newDirectoryStream(workerDir, "mirror-*")) {
            for (Path p : mirrors) deleteTree(p);
        } catch (IOException e) {
            LOG.debug("could not remove mirrored files in {}: {}", workerDir, e.toString());
        }
        try (Stream<Path> left = Files.list(workerDir)) {
            if (left.findAny().isEmpty()) Files.delete(workerDir);
        } catch (IOException e) {
            LOG.debug("could not remove {}: {}", workerDir, e.toString());
        }
    }

    private Path mirrorDir(int version) {
        return workerDir.resolve("mirror-" + version);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file).toString()));
                return FileVisitResult.CONTINUE;
            }
        });
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) throw e;
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
