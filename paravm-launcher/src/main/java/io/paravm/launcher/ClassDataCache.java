package io.paravm.launcher;

import io.paravm.spi.launch.ClassPaths;
import io.paravm.spi.launch.UserJvmOptions;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A class data sharing (CDS) archive per job shape, so a fresh job's JVMs map the classes its
 * last run loaded instead of reading, verifying and linking them from jars again: Hazelcast,
 * Kryo and ParaVM are some 4,000 classes, and on a 2-core machine their loading and the JIT
 * work it brings take seconds of the cores the workers need (docs/waiting.md).
 *
 * <p>The first job of a shape (engine and its options, {@code java} and its build, class path
 * with each jar's size and time, JVM options) runs with {@code -XX:+RecordDynamicDumpInfo}, and
 * its spawner writes the archive once its VM has closed (vm-core's {@code ClassDataDump}); the
 * launcher keeps it only if the job ended with status 0. Every later job of that shape starts
 * each rank with {@code -XX:SharedArchiveFile}. A changed jar makes a new shape.
 *
 * <p>No archive is tried for a job with ranks on other hosts ({@code --hosts}, {@code --join}:
 * a JVM that cannot find the file runs without any CDS, the JDK's own included), for a class
 * path with a directory of classes before its jars (Java 17 ends a JVM that archives one), or
 * when the user passes CDS options of their own. When a job's spawner says it cannot have one
 * (its Java is not 17, too little disk), or a dump was started and no archive came of it (Java
 * 17 ends a JVM whose dump fails), the shape is noted ({@code .none}) and not tried again for
 * {@value #UNUSED_DAYS} days.
 *
 * <p>{@value #ENV_NAME} moves the archives ({@code PARAVM_CLASS_CACHE=/scratch/me/paravm}: a
 * directory only its owner may write to) or turns them off ({@code PARAVM_CLASS_CACHE=off}).
 * Files unused for {@value #UNUSED_DAYS} days are deleted, and at most {@value #MAX_ARCHIVES}
 * archives are kept, the most recently used.
 *
 * <pre>{@code
 * Optional<ClassDataCache> cache = ClassDataCache.forJob(System.getenv(), "hazelcast", Map.of(), java, classPath,
 *         jvmOptions, detail);
 * List<String> options = cache.map(ClassDataCache::jvmOptions).orElse(List.of());  // added to every rank's
 * int status = ...;  // run the job
 * cache.ifPresent(c -> c.jobEnded(status));
 * }</pre>
 */
final class ClassDataCache {

    /** Where the archives go, or {@code off}; default {@code $XDG_CACHE_HOME/paravm/class-data} or {@code ~/.cache/...}. */
    static final String ENV_NAME = "PARAVM_CLASS_CACHE";
    /** Files unused this long are deleted. */
    static final int UNUSED_DAYS = 14;
    /** The most archives kept (10-30 MB each). */
    static final int MAX_ARCHIVES = 8;

    /** The property vm-core's spawner reads (vm-core's ClassDataDump.DUMP_PROP_NAME). */
    private static final String DUMP_PROP_NAME = "paravm.cds.dump";
    /** JVM options by which the user manages CDS or the AOT cache: the launcher then stays out of it. */
    private static final List<String> USER_CDS_OPTIONS = List.of("-Xshare", "-XX:SharedArchiveFile",
            "-XX:ArchiveClassesAtExit", "-XX:+RecordDynamicDumpInfo", "-XX:SharedClassListFile",
            "-XX:DumpLoadedClassList", "-XX:+AutoCreateSharedArchive", "-XX:AOT");
    /** What the spawner leaves beside the file it was to write (vm-core's ClassDataDump). */
    private static final String STARTED = ".started";
    private static final String NONE = ".none";

    private final Path archive;
    private final Path pending;

    private ClassDataCache(Path archive, Path pending) {
        this.archive = archive;
        this.pending = pending;
    }

    /**
     * Returns the cache of a job's shape, or empty when archives are off or ruled out for it.
     *
     * @param env          the launcher's environment ({@value #ENV_NAME}, {@code XDG_CACHE_HOME}, {@code HOME},
     *                     {@code JAVA_TOOL_OPTIONS}, {@code JDK_JAVA_OPTIONS})
     * @param engine       the engine's name
     * @param engineValues the engine's own options given ({@code --device}, {@code --hosts}, ...)
     * @param java         the {@code java} the ranks start with
     * @param classPath    a rank's class path, as the recipe gives it ({@code dir/*} entries included)
     * @param jvmOptions   the user's options for every rank's JVM
     * @param install      what the engine runs with here (its check's detail): another installation, another archive
     */
    static Optional<ClassDataCache> forJob(Map<String, String> env, String engine, Map<String, String> engineValues,
                                           Path java, String classPath, List<String> jvmOptions, String install) {
        String setting = env.getOrDefault(ENV_NAME, "").trim();
        if (setting.equalsIgnoreCase("off")) return Optional.empty();
        if (EngineOptions.ranksElsewhere(engineValues)) return Optional.empty(); // the archive's file is not there
        List<String> userOptions = UserJvmOptions.of(env, jvmOptions);
        if (userOptions.stream().anyMatch(o -> USER_CDS_OPTIONS.stream().anyMatch(o::startsWith))) return Optional.empty();
        if (ClassPaths.directoryBeforeJars(classPath).isPresent()) return Optional.empty();
        Path dir = setting.isEmpty() ? defaultDir(env) : Path.of(setting);
        if (!ownDirectory(dir)) return Optional.empty();
        prune(dir, Instant.now().minus(Duration.ofDays(UNUSED_DAYS)), MAX_ARCHIVES);
        String name = engine + "-" + shape(engine, engineValues, java, classPath, jvmOptions, install);
        Path archive = dir.resolve(name + ".jsa");
        if (Files.isRegularFile(archive)) {
            touch(archive);
            return Optional.of(new ClassDataCache(archive, null));
        }
        Path none = dir.resolve(name + NONE);
        if (Files.isRegularFile(none)) return Optional.empty(); // not touched: tried again after UNUSED_DAYS
        return Optional.of(new ClassDataCache(archive, dir.resolve(name + "." + UUID.randomUUID() + ".jsa.tmp")));
    }

    /** Returns the options for every rank's JVM: use the archive, or have the spawner write it. */
    List<String> jvmOptions() {
        // quietly: writing an archive lists every class it leaves out
        if (pending == null) return List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
        return List.of("-XX:+RecordDynamicDumpInfo", "-D" + DUMP_PROP_NAME + "=" + pending, "-Xlog:cds=off",
                "-Xlog:cds+dynamic=off");
    }

    /** Returns whether this job writes the archive rather than using it. */
    boolean writes() {
        return pending != null;
    }

    /** Returns the archive's file. */
    Path archive() {
        return archive;
    }

    /**
     * Keeps the archive the spawner wrote if the job ended well; notes the shape when the
     * spawner said it cannot have one, or a dump was started and the job did not end well;
     * and removes what the job left.
     *
     * @param status the job's exit status
     */
    void jobEnded(int status) {
        if (pending == null) return;
        Path started = sibling(pending, STARTED);
        Path refused = sibling(pending, NONE);
        try {
            if (status == 0 && Files.isRegularFile(pending) && Files.size(pending) > 0) {
                move(pending, archive);
            } else if (Files.isRegularFile(refused)) {
                move(refused, sibling(archive, NONE));
            } else if (Files.isRegularFile(started) && !Files.isRegularFile(pending)) {
                // Java 17 ends a JVM whose dump fails (a full disk, a quota), or the JDK declined:
                // not again and again
                Files.writeString(sibling(archive, NONE), "a dump was started, no archive came of it, and the job "
                        + "ended with status " + status + "\n");
            }
            // else: the job ended before its spawner closed its VM; the next job tries again
        } catch (IOException | UncheckedIOException e) {
            // not kept: the next job of this shape writes it again
        } finally {
            for (Path p : List.of(pending, sibling(pending, ".temp"), started, refused)) {
                try {
                    Files.deleteIfExists(p); // .temp: the JDK's, when it was stopped mid-write
                } catch (IOException e) {
                    // left for prune
                }
            }
        }
    }

    private static Path sibling(Path file, String suffix) {
        String name = file.getFileName().toString();
        if (suffix.equals(NONE) && name.endsWith(".jsa")) name = name.substring(0, name.length() - ".jsa".length());
        return file.resolveSibling(name + suffix);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Deletes every file of the cache last touched before {@code before} (archives, notes, and
     * what a killed job left), then all but the {@code keep} most recently used archives.
     */
    static void prune(Path dir, Instant before, int keep) {
        List<Path> archives = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.{jsa,tmp,temp,started,none}")) {
            for (Path f : files) {
                if (Files.getLastModifiedTime(f).toInstant().isBefore(before)) {
                    Files.deleteIfExists(f);
                } else if (f.getFileName().toString().endsWith(".jsa")) {
                    archives.add(f);
                }
            }
            archives.sort(Comparator.comparing((Path f) -> {
                try {
                    return Files.getLastModifiedTime(f);
                } catch (IOException e) {
                    return FileTime.fromMillis(0);
                }
            }).reversed());
            for (Path f : archives.subList(Math.min(keep, archives.size()), archives.size())) Files.deleteIfExists(f);
        } catch (IOException e) {
            // a cache that cannot be tidied is still a cache
        }
    }

    private static void touch(Path archive) {
        try {
            Files.setLastModifiedTime(archive, FileTime.from(Instant.now())); // its "last used", for prune
        } catch (IOException e) {
            // only prune's clock: an archive in use is at worst written again
        }
    }

    private static Path defaultDir(Map<String, String> env) {
        String xdg = env.get("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".cache");
        return base.resolve("paravm").resolve("class-data");
    }

    /**
     * Makes {@code dir} (only its owner may enter it) or checks that it is the user's own and
     * no one else may write to it: the JVMs map whatever archive it holds.
     */
    static boolean ownDirectory(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir.getParent());
                try {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (UnsupportedOperationException e) {
                    Files.createDirectory(dir);
                }
            }
            PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
            if (view == null) return true; // no POSIX permissions to check here
            PosixFileAttributes attributes = view.readAttributes();
            Set<PosixFilePermission> others = Set.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);
            return attributes.owner().getName().equals(System.getProperty("user.name"))
                    && attributes.permissions().stream().noneMatch(others::contains);
        } catch (IOException | UnsupportedOperationException e) {
            return false; // a read-only home: the job runs as it would without the cache
        }
    }

    /**
     * A hash of what an archive is valid for. The JVM checks the class path's jars itself and
     * refuses a stale archive; keying on their sizes and times, and on the JVM's build, means a
     * rebuilt jar or an updated JDK gets a fresh archive instead of none. {@code -D} and
     * {@code -Xlog} options do not change what can be shared.
     */
    static String shape(String engine, Map<String, String> engineValues, Path java, String classPath,
                        List<String> jvmOptions, String install) {
        List<String> lines = new ArrayList<>();
        lines.add(engine);
        new TreeMap<>(engineValues).forEach((k, v) -> lines.add(k + "=" + v));
        lines.add(install);
        lines.add(realPath(java) + " " + System.getProperty("java.vm.version"));
        lines.add(classPath);
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.isEmpty()) continue;
            Optional<Path> wildcard = ClassPaths.wildcardDirectory(entry);
            if (wildcard.isPresent()) {
                for (Path jar : ClassPaths.jarsIn(wildcard.get())) lines.add(describe(jar));
            } else {
                lines.add(describe(Path.of(entry)));
            }
        }
        jvmOptions.stream().filter(o -> !o.startsWith("-D") && !o.startsWith("-Xlog")).forEach(lines::add);
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String line : lines) sha.update((line + "\n").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static String describe(Path p) {
        try {
            return p.toAbsolutePath().normalize() + " " + Files.size(p) + " " + Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize() + " missing";
        }
    }

    private static String realPath(Path p) {
        try {
            return p.toRealPath().toString();
        } catch (IOException e) {
            return p.toString();
        }
    }
}
