package io.paravm.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which options a job's ranks get from the class data cache, and which files it keeps. */
class ClassDataCacheTest {

    private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

    @TempDir
    Path dir;

    private Map<String, String> env() {
        return Map.of(ClassDataCache.ENV_NAME, dir.resolve("cache").toString());
    }

    private String classPath() throws IOException {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        if (!Files.exists(lib.resolve("a.jar"))) Files.writeString(lib.resolve("a.jar"), "not really a jar");
        return lib + File.separator + "*" + File.pathSeparator + Files.createDirectories(dir.resolve("conf"));
    }

    private Optional<ClassDataCache> forJob(Map<String, String> env, Map<String, String> engineValues, List<String> options)
            throws IOException {
        return ClassDataCache.forJob(env, "hazelcast", engineValues, JAVA, classPath(), options, "embedded");
    }

    private ClassDataCache cache(List<String> jvmOptions) throws IOException {
        return forJob(env(), Map.of(), jvmOptions).orElseThrow();
    }

    /** The file the spawner is told to write (the JVM side is what ClassDataCacheIT runs for real). */
    private static Path pending(ClassDataCache cache) {
        String option = cache.jvmOptions().stream().filter(o -> o.startsWith("-Dparavm.cds.dump=")).findFirst().orElseThrow();
        return Path.of(option.substring(option.indexOf('=') + 1));
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("cache"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theFirstJobOfAShapeHasItsSpawnerWriteTheArchiveAndTheNextMapsIt() throws IOException {
        ClassDataCache first = cache(List.of("-Xmx1g"));
        assertTrue(first.writes());
        assertTrue(first.jvmOptions().contains("-XX:+RecordDynamicDumpInfo"), first.jvmOptions().toString());
        Files.writeString(pending(first).resolveSibling(pending(first).getFileName() + ".started"), "");
        Files.writeString(pending(first), "archive");
        first.jobEnded(0);
        assertEquals(List.of(first.archive().getFileName().toString()), files(), "the archive, and nothing else");

        ClassDataCache next = cache(List.of("-Xmx1g"));
        assertFalse(next.writes());
        assertEquals(first.archive(), next.archive());
        assertTrue(next.jvmOptions().contains("-XX:SharedArchiveFile=" + first.archive()), next.jvmOptions().toString());
        assertFalse(next.jvmOptions().contains("-XX:+RecordDynamicDumpInfo"));
    }

    @Test
    void aJobThatFailsLeavesNothingAndTheNextTriesAgain() throws IOException {
        ClassDataCache first = cache(List.of());
        first.jobEnded(3); // before its spawner closed its VM
        assertEquals(List.of(), files());
        ClassDataCache second = cache(List.of());
        Path p = pending(second);
        Files.writeString(p.resolveSibling(p.getFileName() + ".started"), "");
        Files.writeString(p, "archive");
        second.jobEnded(3); // after its spawner wrote the archive: the job's own failure
        assertEquals(List.of(), files());
        assertTrue(cache(List.of()).writes());
    }

    @Test
    void aDumpThatEndedTheJvmOrCameToNothingIsNotTriedAgain() throws IOException {
        for (int status : new int[]{1, 0}) {
            ClassDataCache first = cache(List.of("-Xss" + (status + 1) + "m"));
            Path p = pending(first);
            Files.writeString(p.resolveSibling(p.getFileName() + ".started"), "");
            Files.writeString(p.resolveSibling(p.getFileName() + ".temp"), "half an archive");
            first.jobEnded(status);
            assertEquals(Optional.empty(), forJob(env(), Map.of(), List.of("-Xss" + (status + 1) + "m")),
                    "status " + status);
        }
        assertEquals(2, files().size(), files().toString());
        assertTrue(files().stream().allMatch(f -> f.endsWith(".none")), "only the notes are left: " + files());
    }

    @Test
    void aSpawnerThatSaysItCannotHaveOneIsBelievedUntilTheNoteExpires() throws IOException {
        ClassDataCache first = cache(List.of());
        Path p = pending(first);
        Files.writeString(p.resolveSibling(p.getFileName() + ".none"), "Java 25");
        first.jobEnded(0);
        assertEquals(1, files().size(), files().toString());
        assertEquals("Java 25", Files.readString(dir.resolve("cache").resolve(files().get(0))));
        assertEquals(Optional.empty(), forJob(env(), Map.of(), List.of()));
        assertTrue(cache(List.of("-Xmx1g")).writes(), "another shape still tries");

        Files.setLastModifiedTime(dir.resolve("cache").resolve(files().get(0)),
                FileTime.from(Instant.now().minus(Duration.ofDays(ClassDataCache.UNUSED_DAYS + 1))));
        assertTrue(cache(List.of()).writes(), "tried again once the note is older than " + ClassDataCache.UNUSED_DAYS + " days");
    }

    @Test
    void aChangedJarJvmOptionOrEngineOptionIsAnotherShapeButASystemPropertyOrLogOptionIsNot() throws IOException {
        String cp = classPath();
        String shape = ClassDataCache.shape("mpj", Map.of(), JAVA, cp, List.of("-Xmx1g"), "embedded");
        assertEquals(shape, ClassDataCache.shape("mpj", Map.of(), JAVA, cp,
                List.of("-Xmx1g", "-Dparavm.dashboard.port=0", "-Xlog:gc:file=gc.log"), "embedded"));
        assertNotEquals(shape, ClassDataCache.shape("mpj", Map.of(), JAVA, cp, List.of("-Xmx2g"), "embedded"));
        assertNotEquals(shape, ClassDataCache.shape("openmpi", Map.of(), JAVA, cp, List.of("-Xmx1g"), "embedded"));
        assertNotEquals(shape, ClassDataCache.shape("mpj", Map.of("--device", "niodev"), JAVA, cp, List.of("-Xmx1g"),
                "embedded"));
        assertNotEquals(shape, ClassDataCache.shape("mpj", Map.of(), JAVA, cp, List.of("-Xmx1g"), "another JDK"));

        Files.writeString(dir.resolve("lib").resolve("a.jar"), "rebuilt, and longer than before");
        assertNotEquals(shape, ClassDataCache.shape("mpj", Map.of(), JAVA, cp, List.of("-Xmx1g"), "embedded"));
        String rebuilt = ClassDataCache.shape("mpj", Map.of(), JAVA, cp, List.of("-Xmx1g"), "embedded");
        Files.writeString(dir.resolve("lib").resolve("b.JAR"), "a new jar in lib/*");
        assertNotEquals(rebuilt, ClassDataCache.shape("mpj", Map.of(), JAVA, cp, List.of("-Xmx1g"), "embedded"));
    }

    @Test
    void offRemoteRanksADirectoryOfClassesFirstOrTheUsersOwnSharingOptionsLeaveTheJvmsAlone() throws IOException {
        assertEquals(Optional.empty(), forJob(Map.of(ClassDataCache.ENV_NAME, "off"), Map.of(), List.of()));
        assertEquals(Optional.empty(), forJob(env(), Map.of("--hosts", "a,b"), List.of()));
        assertEquals(Optional.empty(), forJob(env(), Map.of("--join", "10.0.0.1:5701"), List.of()));
        for (String own : List.of("-Xshare:off", "-XX:SharedArchiveFile=/tmp/mine.jsa", "-XX:ArchiveClassesAtExit=x.jsa",
                "-XX:AOTCache=app.aot")) {
            assertEquals(Optional.empty(), forJob(env(), Map.of(), List.of(own)), own);
        }
        Map<String, String> toolOptions = Map.of(ClassDataCache.ENV_NAME, dir.resolve("cache").toString(),
                "JAVA_TOOL_OPTIONS", "-Xmx1g -XX:ArchiveClassesAtExit=app.jsa");
        assertEquals(Optional.empty(), forJob(toolOptions, Map.of(), List.of()));

        Path classes = Files.createDirectories(dir.resolve("classes"));
        Files.writeString(classes.resolve("Main.class"), "");
        assertEquals(Optional.empty(), ClassDataCache.forJob(env(), "hazelcast", Map.of(), JAVA,
                classes + File.pathSeparator + classPath(), List.of(), "embedded"));
    }

    @Test
    void aCacheDirectoryThatCannotBeMadeOrThatOthersMayWriteToIsNotUsed() throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "");
        assertEquals(Optional.empty(), forJob(Map.of(ClassDataCache.ENV_NAME, file.resolve("sub").toString()), Map.of(),
                List.of()));
        Path shared = Files.createDirectories(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertEquals(Optional.empty(), forJob(Map.of(ClassDataCache.ENV_NAME, shared.toString()), Map.of(), List.of()));
    }

    @Test
    void withoutTheSettingTheArchivesGoUnderTheUsersCacheInADirectoryOnlyTheUserMayEnter() throws IOException {
        ClassDataCache c = forJob(Map.of("XDG_CACHE_HOME", dir.toString()), Map.of(), List.of()).orElseThrow();
        assertEquals(dir.resolve("paravm").resolve("class-data"), c.archive().getParent());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(c.archive().getParent())));
        c = forJob(Map.of("HOME", dir.toString()), Map.of(), List.of()).orElseThrow();
        assertEquals(dir.resolve(".cache").resolve("paravm").resolve("class-data"), c.archive().getParent());
    }

    @Test
    void pruneDeletesWhatWasUnusedSinceTheCutOffAndKeepsTheNewestArchives() throws IOException {
        Path cache = Files.createDirectories(dir.resolve("cache"));
        FileTime longAgo = FileTime.from(Instant.now().minus(Duration.ofDays(ClassDataCache.UNUSED_DAYS + 1)));
        for (String old : List.of("hazelcast-1.jsa", "hazelcast-2.x.jsa.tmp", "hazelcast-2.x.jsa.tmp.temp",
                "hazelcast-2.x.jsa.tmp.started", "openmpi-4.none", "notes.txt")) {
            Files.setLastModifiedTime(Files.writeString(cache.resolve(old), ""), longAgo);
        }
        for (int i = 0; i < 3; i++) {
            Path recent = Files.writeString(cache.resolve("mpj-" + i + ".jsa"), "");
            Files.setLastModifiedTime(recent, FileTime.from(Instant.now().minus(Duration.ofHours(3 - i))));
        }
        ClassDataCache.prune(cache, Instant.now().minus(Duration.ofDays(ClassDataCache.UNUSED_DAYS)), 2);
        assertEquals(List.of("mpj-1.jsa", "mpj-2.jsa", "notes.txt"), files());
    }
}
