package io.paravm.launcher;

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
import java.util.UUID;

/**
 * A class data sharing (CDS) archive per job shape, so a fresh job's JVMs map the classes its
 * last run loaded instead of reading, verifying and linking them from jars again: Hazelcast,
 * Kryo and ParaVM are some 4,000 classes, and on a 2-core machine their loading and the JIT
 * work it brings take seconds of the cores the workers need (docs/waiting.md).
 *
 * <p>The first job of a shape (engine, {@code java}, class path with each jar's size and time,
 * JVM options) runs with {@code -XX:+RecordDynamicDumpInfo}, and its spawner writes the
 * archive when its VM closes (vm-core's {@code ClassDataDump}); the launcher keeps it only if
 * the job ended with status 0. Every later job of that shape starts each rank with
 * {@code -XX:SharedArchiveFile}. A changed jar makes a new shape; a JVM that cannot use an
 * archive (another JDK on a remote host, the file missing there) runs without it, silently.
 * A class path with a directory of classes before its jars has no archive (the JDK archives
 * jars only, and ends a JVM that tries): its spawner says so once, and the launcher notes it
 * so that later jobs of that shape do not try again.
 *
 * <p>{@value #ENV_NAME} moves the archives ({@code PARAVM_CLASS_CACHE=/scratch/paravm}) or
 * turns them off ({@code PARAVM_CLASS_CACHE=off}); they are also off when the user passes
 * CDS options of their own ({@code -J-Xshare:off}). Archives not used for
 * {@value #UNUSED_DAYS} days are deleted.
 *
 * <pre>{@code
 * Optional<ClassDataCache> cache = ClassDataCache.forJob(System.getenv(), "hazelcast", java, classPath, jvmOptions, detail);
 * List<String> options = cache.map(ClassDataCache::jvmOptions).orElse(List.of());  // added to every rank's
 * int status = ...;  // run the job
 * cache.ifPresent(c -> c.jobEnded(status));
 * }</pre>
 */
final class ClassDataCache {

    /** Where the archives go, or {@code off}; default {@code $XDG_CACHE_HOME/paravm/class-data} or {@code ~/.cache/...}. */
    static final String ENV_NAME = "PARAVM_CLASS_CACHE";
    /** Archives unused this long are deleted when a new one is written. */
    static final int UNUSED_DAYS = 14;

    /** The property vm-core's spawner reads (vm-core's ClassDataDump.DUMP_PROP_NAME). */
    private static final String DUMP_PROP_NAME = "paravm.cds.dump";
    /** JVM options by which the user manages CDS: the launcher then stays out of it. */
    private static final List<String> USER_CDS_OPTIONS = List.of("-Xshare", "-XX:SharedArchiveFile",
            "-XX:ArchiveClassesAtExit", "-XX:+RecordDynamicDumpInfo", "-XX:SharedClassListFile", "-XX:+AutoCreateSharedArchive");

    private final Path archive;
    private final Path pending;

    private ClassDataCache(Path archive, Path pending) {
        this.archive = archive;
        this.pending = pending;
    }

    /**
     * Returns the cache of a job's shape, or empty when the archives are off, the user manages
     * CDS, or the cache directory cannot be made.
     *
     * @param env        the launcher's environment ({@value #ENV_NAME}, {@code XDG_CACHE_HOME}, {@code HOME})
     * @param engine     the engine's name
     * @param java       the {@code java} the ranks start with
     * @param classPath  a rank's class path, as the recipe gives it ({@code dir/*} entries included)
     * @param jvmOptions the user's options for every rank's JVM
     * @param install    what the engine runs with here (its check's detail): another installation, another archive
     */
    static Optional<ClassDataCache> forJob(Map<String, String> env, String engine, Path java, String classPath,
                                           List<String> jvmOptions, String install) {
        String setting = env.getOrDefault(ENV_NAME, "").trim();
        if (setting.equalsIgnoreCase("off")) return Optional.empty();
        if (jvmOptions.stream().anyMatch(o -> USER_CDS_OPTIONS.stream().anyMatch(o::startsWith))) return Optional.empty();
        Path dir = setting.isEmpty() ? defaultDir(env) : Path.of(setting);
        try {
            Files.createDirectories(dir);
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty(); // a read-only home: the job runs as it would without the cache
        }
        String name = engine + "-" + shape(engine, java, classPath, jvmOptions, install);
        Path archive = dir.resolve(name + ".jsa");
        if (Files.isRegularFile(archive)) {
            touch(archive);
            return Optional.of(new ClassDataCache(archive, null));
        }
        Path none = dir.resolve(name + ".none");
        if (Files.isRegularFile(none)) {
            touch(none); // a job of this shape ended well and its spawner wrote nothing (its log says why)
            return Optional.empty();
        }
        return Optional.of(new ClassDataCache(archive, dir.resolve(name + "." + UUID.randomUUID() + ".jsa.tmp")));
    }

    /** Returns the options for every rank's JVM: use the archive, or have the spawner write it. */
    List<String> jvmOptions() {
        // quietly: a rank that cannot map the archive (another JDK, no such file on its host) runs
        // without it, and writing one would list every class it leaves out
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
     * Keeps the archive the spawner wrote if the job ended well, else drops it; then deletes
     * archives unused for {@value #UNUSED_DAYS} days.
     *
     * @param status the job's exit status
     */
    void jobEnded(int status) {
        if (pending == null) return;
        try {
            if (status == 0 && Files.isRegularFile(pending) && Files.size(pending) > 0) {
                move(pending, archive);
                prune(archive.getParent(), Instant.now().minus(Duration.ofDays(UNUSED_DAYS)));
            } else {
                Files.deleteIfExists(pending);
                // ended well without an archive: the class path cannot have one (the spawner's log
                // says why), so later jobs of this shape neither try nor say they will
                if (status == 0) Files.writeString(noneMarker(), "the spawner of a job of this shape wrote no archive\n");
            }
        } catch (IOException | UncheckedIOException e) {
            // not kept: the next job of this shape writes it again
        }
    }

    private Path noneMarker() {
        String name = archive.getFileName().toString();
        return archive.resolveSibling(name.substring(0, name.length() - ".jsa".length()) + ".none");
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Deletes archives, "none" markers, and files a killed launcher left half-written, last
     * touched before {@code before}.
     */
    static void prune(Path dir, Instant before) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.{jsa,jsa.tmp,none}")) {
            for (Path f : files) {
                if (Files.getLastModifiedTime(f).toInstant().isBefore(before)) Files.deleteIfExists(f);
            }
        }
    }

    private static void touch(Path archive) {
        try {
            Files.setLastModifiedTime(archive, FileTime.from(Instant.now())); // its "last used", for prune
        } catch (IOException e) {
            // only prune's clock: an archive in use is at worst written again after UNUSED_DAYS
        }
    }

    private static Path defaultDir(Map<String, String> env) {
        String xdg = env.get("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".cache");
        return base.resolve("paravm").resolve("class-data");
    }

    /**
     * A hash of what an archive is valid for. The JVM checks the class path's jars itself and
     * refuses a stale archive; keying on their sizes and times as well means a rebuilt jar gets
     * a fresh archive instead of none. {@code -D} and {@code -Xlog} options do not change what
     * can be shared.
     */
    static String shape(String engine, Path java, String classPath, List<String> jvmOptions, String install) {
        List<String> lines = new ArrayList<>();
        lines.add(engine);
        lines.add(install);
        lines.add(realPath(java));
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.isEmpty()) continue;
            if (entry.equals("*") || entry.endsWith(File.separator + "*")) {
                Path dir = Path.of(entry.equals("*") ? "." : entry.substring(0, entry.length() - 2));
                for (Path jar : jars(dir)) lines.add(describe(jar));
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

    /** The jars {@code dir/*} stands for, in a fixed order (the JVM takes {@code .jar} and {@code .JAR}). */
    private static List<Path> jars(Path dir) {
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.{jar,JAR}")) {
            files.forEach(jars::add);
        } catch (IOException e) {
            // a missing directory: the job itself will say so
        }
        jars.sort(Comparator.naturalOrder());
        return jars;
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
