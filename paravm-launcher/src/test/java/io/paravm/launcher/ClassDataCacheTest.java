package io.paravm.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
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

/** Which options a job's ranks get from the class data cache, and which archive it keeps. */
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
        return lib + File.separator + "*" + File.pathSeparator + dir.resolve("classes");
    }

    private ClassDataCache cache(List<String> jvmOptions) throws IOException {
        return ClassDataCache.forJob(env(), "hazelcast", JAVA, classPath(), jvmOptions, "embedded").orElseThrow();
    }

    /** Stands in for the spawner's VM.cds: the JVM side is what ClassDataCacheIT runs for real. */
    private static void spawnerWrites(ClassDataCache cache) throws IOException {
        String option = cache.jvmOptions().stream().filter(o -> o.startsWith("-Dparavm.cds.dump=")).findFirst().orElseThrow();
        Files.writeString(Path.of(option.substring(option.indexOf('=') + 1)), "archive");
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("cache"))) {
            return s.toList();
        }
    }

    @Test
    void theFirstJobOfAShapeHasItsSpawnerWriteTheArchiveAndTheNextMapsIt() throws IOException {
        ClassDataCache first = cache(List.of("-Xmx1g"));
        assertTrue(first.writes());
        assertTrue(first.jvmOptions().contains("-XX:+RecordDynamicDumpInfo"), first.jvmOptions().toString());
        spawnerWrites(first);
        first.jobEnded(0);
        assertEquals(List.of(first.archive()), files(), "the archive, and no file half-written");

        ClassDataCache next = cache(List.of("-Xmx1g"));
        assertFalse(next.writes());
        assertEquals(first.archive(), next.archive());
        assertTrue(next.jvmOptions().contains("-XX:SharedArchiveFile=" + first.archive()), next.jvmOptions().toString());
        assertFalse(next.jvmOptions().contains("-XX:+RecordDynamicDumpInfo"));
    }

    @Test
    void aJobThatFailsKeepsNothing() throws IOException {
        ClassDataCache first = cache(List.of());
        spawnerWrites(first);
        first.jobEnded(3);
        assertEquals(List.of(), files());
        assertTrue(cache(List.of()).writes(), "the next job writes it again");
    }

    @Test
    void aJobThatEndsWellWithoutAnArchiveMakesLaterJobsOfItsShapeNotTry() throws IOException {
        ClassDataCache first = cache(List.of());
        first.jobEnded(0);
        List<Path> left = files();
        assertEquals(1, left.size(), left.toString());
        assertTrue(left.get(0).getFileName().toString().endsWith(".none"), left.toString());
        assertEquals(Optional.empty(), ClassDataCache.forJob(env(), "hazelcast", JAVA, classPath(), List.of(), "embedded"));
        assertTrue(ClassDataCache.forJob(env(), "hazelcast", JAVA, classPath(), List.of("-Xmx1g"), "embedded")
                .orElseThrow().writes(), "another shape still tries");
    }

    @Test
    void aChangedJarOrJvmOptionIsAnotherShapeButASystemPropertyOrLogOptionIsNot() throws IOException {
        String cp = classPath();
        String shape = ClassDataCache.shape("hazelcast", JAVA, cp, List.of("-Xmx1g"), "embedded");
        assertEquals(shape, ClassDataCache.shape("hazelcast", JAVA, cp,
                List.of("-Xmx1g", "-Dparavm.dashboard.port=0", "-Xlog:gc:file=gc.log"), "embedded"));
        assertNotEquals(shape, ClassDataCache.shape("hazelcast", JAVA, cp, List.of("-Xmx2g"), "embedded"));
        assertNotEquals(shape, ClassDataCache.shape("openmpi", JAVA, cp, List.of("-Xmx1g"), "embedded"));
        assertNotEquals(shape, ClassDataCache.shape("hazelcast", JAVA, cp, List.of("-Xmx1g"), "another JDK"));

        Files.writeString(dir.resolve("lib").resolve("a.jar"), "rebuilt, and longer than before");
        assertNotEquals(shape, ClassDataCache.shape("hazelcast", JAVA, cp, List.of("-Xmx1g"), "embedded"));
        Files.writeString(dir.resolve("lib").resolve("b.JAR"), "a new jar in lib/*");
        assertNotEquals(ClassDataCache.shape("hazelcast", JAVA, cp, List.of("-Xmx1g"), "embedded"), shape);
    }

    @Test
    void offOrTheUsersOwnSharingOptionsLeaveTheJvmsAlone() throws IOException {
        String cp = classPath();
        assertEquals(Optional.empty(), ClassDataCache.forJob(Map.of(ClassDataCache.ENV_NAME, "off"), "hazelcast", JAVA, cp,
                List.of(), "embedded"));
        for (String own : List.of("-Xshare:off", "-XX:SharedArchiveFile=/tmp/mine.jsa", "-XX:ArchiveClassesAtExit=x.jsa")) {
            assertEquals(Optional.empty(), ClassDataCache.forJob(env(), "hazelcast", JAVA, cp, List.of(own), "embedded"), own);
        }
    }

    @Test
    void aCacheDirectoryThatCannotBeMadeLeavesTheJvmsAlone() throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "");
        assertEquals(Optional.empty(), ClassDataCache.forJob(Map.of(ClassDataCache.ENV_NAME, file.resolve("sub").toString()),
                "hazelcast", JAVA, classPath(), List.of(), "embedded"));
    }

    @Test
    void withoutTheSettingTheArchivesGoUnderTheUsersCache() throws IOException {
        ClassDataCache c = ClassDataCache.forJob(Map.of("XDG_CACHE_HOME", dir.toString()), "hazelcast", JAVA, classPath(),
                List.of(), "embedded").orElseThrow();
        assertEquals(dir.resolve("paravm").resolve("class-data"), c.archive().getParent());
        c = ClassDataCache.forJob(Map.of("HOME", dir.toString()), "hazelcast", JAVA, classPath(), List.of(), "embedded")
                .orElseThrow();
        assertEquals(dir.resolve(".cache").resolve("paravm").resolve("class-data"), c.archive().getParent());
    }

    @Test
    void pruneDeletesArchivesAndLeftoversUnusedSinceTheCutOff() throws IOException {
        Path cache = Files.createDirectories(dir.resolve("cache"));
        Path old = Files.writeString(cache.resolve("hazelcast-1.jsa"), "");
        Path leftover = Files.writeString(cache.resolve("hazelcast-2.x.jsa.tmp"), "");
        Path recent = Files.writeString(cache.resolve("hazelcast-3.jsa"), "");
        Path marker = Files.writeString(cache.resolve("openmpi-4.none"), "");
        Path other = Files.writeString(cache.resolve("notes.txt"), "");
        FileTime longAgo = FileTime.from(Instant.now().minus(Duration.ofDays(ClassDataCache.UNUSED_DAYS + 1)));
        for (Path p : List.of(old, leftover, marker, other)) Files.setLastModifiedTime(p, longAgo);
        ClassDataCache.prune(cache, Instant.now().minus(Duration.ofDays(ClassDataCache.UNUSED_DAYS)));
        assertEquals(List.of(recent, other), files().stream().sorted().toList());
    }
}
