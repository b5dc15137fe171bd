package io.paravm.launcher;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The class data cache on real engines: the first job's spawner writes the archive, and every
 * rank of the next job maps ParaVM's classes from it ({@code -Xlog:class+load} says where each
 * class came from); where the class path or the ranks' Java rules an archive out, jobs still
 * end well and say why once.
 */
class ClassDataCacheIT {

    private static final String FIRST_PROGRAM = "io.paravm.examples.FirstProgram";
    /** A class every rank loads: ParaVM's VM core. */
    private static final String FROM_ARCHIVE = "io.paravm.core.CoreVirtualMachine source: shared objects file (top)";

    @TempDir
    Path dir;

    /**
     * The engines whose launch keeps ParaVM's jars first and runs the ranks on Java 17: the first
     * job's spawner saves an archive.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"hazelcast, ''", "openmpi, ''", "mpj, --device=niodev"})
    void theNextJobsRanksMapTheClassesTheFirstJobsSpawnerSaved(String transport, String engineOption) throws Exception {
        assumeTrue(ParavmRunner.installed(transport), transport + " is not installed here");
        Path cache = dir.resolve("cache");
        Map<String, String> env = Map.of(ClassDataCache.ENV_NAME, cache.toString());

        ParavmRunner.Result first = ParavmRunner.run(env, dir, job(transport, engineOption, List.of()));
        assertEquals(0, first.exit(), first.output());
        assertTrue(first.output().contains("paravm: the spawner saves the classes it loaded to " + cache), first.output());
        assertFalse(first.output().contains("dump to file"), "the JDK's own line stays off the program's output:\n"
                + first.output());
        List<Path> archives = files(cache);
        assertEquals(1, archives.size(), "one archive and no half-written file: " + archives);
        assertTrue(archives.get(0).getFileName().toString().matches(transport + "-[0-9a-f]{16}\\.jsa"), archives.toString());

        Path logs = Files.createDirectories(dir.resolve("logs"));
        ParavmRunner.Result next = ParavmRunner.run(env, dir, job(transport, engineOption,
                List.of("-J-Xlog:class+load=info:file=" + logs.resolve("rank-%p.log"))));
        assertEquals(0, next.exit(), next.output());
        assertFalse(next.output().contains("saves the classes"), next.output());
        assertEquals(archives, files(cache), "the same archive, used");
        List<Path> rankLogs = files(logs);
        assertEquals(3, rankLogs.size(), "a class-load log from each of the 3 ranks: " + rankLogs);
        for (Path log : rankLogs) {
            assertTrue(Files.readString(log).contains(FROM_ARCHIVE), log + " loaded ParaVM from the jars, not the archive");
        }
    }

    /**
     * The engine whose ranks run a later Java (mpi's, 22+): its spawner says it saves no
     * archive, the job ends well, and later jobs of that shape do not try.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"mpi, --mpi=openmpi", "mpi, --mpi=mpich"})
    void ranksOnALaterJavaRunWithoutAnArchiveAndSayWhyOnce(String transport, String engineOption) throws Exception {
        assumeTrue(ParavmRunner.installed(transport), transport + " is not installed here");
        Path cache = dir.resolve("cache");
        Map<String, String> env = Map.of(ClassDataCache.ENV_NAME, cache.toString());

        ParavmRunner.Result first = ParavmRunner.run(env, dir, job(transport, engineOption, ParavmRunner.DEMOS, List.of()));
        assertEquals(0, first.exit(), first.output());
        assertTrue(first.output().contains("ParaVM saves no class data archive for this job: ParaVM saves class data "
                + "archives on Java 17 only, and this spawner runs Java "), first.output());
        assertNoArchiveAndNoSecondTry(cache, env, job(transport, engineOption, ParavmRunner.DEMOS, List.of()));
    }

    /**
     * A program whose classes are a directory before the jars: Java 17 would end a JVM that
     * archived that class path, so the launcher asks for no archive and the job runs as before.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"hazelcast", "openmpi"})
    void aDirectoryOfClassesBeforeTheJarsMeansNoArchiveAndAJobThatEndsWell(String transport) throws Exception {
        assumeTrue(ParavmRunner.installed(transport), transport + " is not installed here");
        Path cache = dir.resolve("cache");
        String classes = ParavmRunner.TEST_CLASSES + File.pathSeparator + ParavmRunner.DEMOS;
        ParavmRunner.Result r = ParavmRunner.run(Map.of(ClassDataCache.ENV_NAME, cache.toString()), dir,
                job(transport, "", classes, List.of()));
        assertEquals(0, r.exit(), r.output());
        assertFalse(r.output().contains("saves the classes"), r.output());
        assertFalse(r.output().contains("ParaVM saves no class data archive"), r.output());
        assertFalse(Files.exists(cache) && !files(cache).isEmpty(), "nothing in the cache");
    }

    private void assertNoArchiveAndNoSecondTry(Path cache, Map<String, String> env, String[] job) throws Exception {
        List<Path> left = files(cache);
        assertEquals(1, left.size(), left.toString());
        assertTrue(left.get(0).getFileName().toString().endsWith(".none"), "no archive, a note not to try: " + left);
        ParavmRunner.Result next = ParavmRunner.run(env, dir, job);
        assertEquals(0, next.exit(), next.output());
        assertFalse(next.output().contains("saves the classes"), next.output());
        assertFalse(next.output().contains("ParaVM saves "), "said once:\n" + next.output());
    }

    /** The spawner writes its archive as it closes its VM; the job then fails: nothing is kept, nothing noted. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"hazelcast, 3", "openmpi, 5"})
    void aJobThatEndsWithAnErrorLeavesNoArchive(String transport, int status) throws Exception {
        assumeTrue(ParavmRunner.installed(transport), transport + " is not installed here");
        Path cache = dir.resolve("cache");
        String classPath = programJar() + File.pathSeparator + ParavmRunner.DEMOS;
        ParavmRunner.Result r = ParavmRunner.run(Map.of(ClassDataCache.ENV_NAME, cache.toString()), dir, "run", "-t",
                transport, "-np", "2", "-cp", classPath, ExitStatusProgram.class.getName(), Integer.toString(status));
        assertEquals(status, r.exit(), r.output());
        assertTrue(r.output().contains("paravm: the spawner saves the classes it loaded to " + cache), r.output());
        assertEquals(List.of(), files(cache));
    }

    /** ExitStatusProgram in a jar of its own: a directory of classes first would rule an archive out. */
    private Path programJar() throws IOException {
        Path jar = dir.resolve("program.jar");
        String entry = ExitStatusProgram.class.getName().replace('.', '/') + ".class";
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry(entry));
            out.write(Files.readAllBytes(ParavmRunner.TEST_CLASSES.resolve(entry)));
            out.closeEntry();
        }
        return jar;
    }

    private static String[] job(String transport, String engineOption, List<String> jvmOptions) {
        return job(transport, engineOption, ParavmRunner.DEMOS, jvmOptions);
    }

    private static String[] job(String transport, String engineOption, String classPath, List<String> jvmOptions) {
        List<String> args = new ArrayList<>(List.of("run", "-t", transport, "-np", "3"));
        if (!engineOption.isEmpty()) args.add(engineOption);
        args.addAll(jvmOptions);
        args.addAll(List.of("-cp", classPath, FIRST_PROGRAM));
        return args.toArray(String[]::new);
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
