package io.paravm.transport.openmpi;

import io.paravm.spi.launch.EngineCheck;
import io.paravm.spi.launch.EngineLauncher;
import io.paravm.spi.launch.Executables;
import io.paravm.spi.launch.LaunchException;
import io.paravm.spi.launch.LaunchRequest;
import io.paravm.spi.launch.ProcessTree;
import io.paravm.tck.FaultJob;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Open MPI's launch recipe: what it finds on this machine, the mpirun command it builds, and a real job started with it. */
class OpenMpiEngineLauncherTest {

    private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

    private final OpenMpiEngineLauncher recipe = new OpenMpiEngineLauncher();

    @AfterEach
    void forgetTheLibraryDirectory() {
        System.clearProperty(OpenMpiProperties.LIBRARY_DIR_PROP_NAME);
    }

    private static LaunchRequest job(int ranks, Map<String, String> options) {
        return new LaunchRequest(ranks, "app.jar", "engine/*", "com.example.Main", List.of("in.txt", "-v"),
                List.of("-Xmx1g"), options, JAVA);
    }

    /** Names a folder holding a (fake) libmpi_java.so, so the command does not depend on this machine's Open MPI. */
    private static Path fakeBindings(Path dir) throws Exception {
        Files.createFile(dir.resolve("libmpi_java.so"));
        System.setProperty(OpenMpiProperties.LIBRARY_DIR_PROP_NAME, dir.toString());
        return dir;
    }

    @Test
    void isFoundByServiceLoaderUnderTheTransportsNameAndPriority() {
        EngineLauncher found = ServiceLoader.load(EngineLauncher.class).stream().map(ServiceLoader.Provider::get)
                .filter(r -> r.name().equals("openmpi")).findFirst().orElseThrow();
        OpenMpiTransportProvider provider = new OpenMpiTransportProvider();
        assertEquals(provider.name(), found.name());
        assertEquals(provider.priority(), found.priority());
        assertEquals(List.of("--hosts"), found.options().stream().map(o -> o.name()).toList());
    }

    @Test
    void aJobIsMpirunRunningJavaWithTheBindingsOnEveryRank(@TempDir Path libDir) throws Exception {
        fakeBindings(libDir);
        ProcessBuilder pb = recipe.command(job(3, Map.of()));
        assertEquals(List.of("mpirun.openmpi", "--oversubscribe", "-np", "3", JAVA.toString(), "-cp", ".",
                "--class-path", "app.jar" + File.pathSeparator + "engine/*", "-Djava.library.path=" + libDir, "-Xmx1g",
                "com.example.Main", "in.txt", "-v"), pb.command());
        Map<String, String> env = pb.environment();
        assertEquals("none", env.get("OMPI_MCA_btl_vader_single_copy_mechanism"));
        if ("root".equals(System.getProperty("user.name"))) {
            assertEquals("1", env.get("OMPI_ALLOW_RUN_AS_ROOT"));
            assertEquals("1", env.get("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"));
        }
        if (Executables.onPath("ssh").isEmpty() && System.getenv("OMPI_MCA_plm") == null) {
            assertEquals("isolated", env.get("OMPI_MCA_plm"), "without ssh, a job on this machine starts its ranks itself");
        }
    }

    @Test
    void hostsBecomeMpirunHostAndKeepMpirunsOwnLauncher(@TempDir Path libDir) throws Exception {
        fakeBindings(libDir);
        ProcessBuilder pb = recipe.command(job(4, Map.of("--hosts", " node1, node2 ")));
        assertEquals(List.of("mpirun.openmpi", "--oversubscribe", "-np", "4", "--host", "node1,node2"), pb.command().subList(0, 6));
        assertEquals(System.getenv("OMPI_MCA_plm"), pb.environment().get("OMPI_MCA_plm"),
                "ranks on other hosts are started over ssh");
    }

    /**
     * The spawner's own options make the MPMD form: rank 0 alone with them, then the workers;
     * each context gets the class path mpirun rewrites, and the hosts (--host binds to one context).
     */
    @Test
    void spawnerOptionsGoToAFirstContextOfOneRank(@TempDir Path libDir) throws Exception {
        fakeBindings(libDir);
        LaunchRequest job = new LaunchRequest(4, "app.jar", "engine/*", "com.example.Main", List.of("in.txt"),
                List.of("-Xmx1g"), Map.of("--hosts", "node1,node2"), JAVA, List.of("-XX:TieredStopAtLevel=1"));
        List<String> cmd = recipe.command(job).command();
        int colon = cmd.indexOf(":");
        List<String> spawner = cmd.subList(0, colon);
        List<String> workers = cmd.subList(colon + 1, cmd.size());
        assertEquals(List.of("mpirun.openmpi", "--oversubscribe", "-np", "1", "--host", "node1,node2", JAVA.toString(),
                "-cp", ".", "--class-path"), spawner.subList(0, 10));
        assertEquals(List.of("-Xmx1g", "-XX:TieredStopAtLevel=1", "com.example.Main", "in.txt"),
                spawner.subList(spawner.size() - 4, spawner.size()));
        assertEquals(List.of("-np", "3", "--host", "node1,node2", JAVA.toString(), "-cp", ".", "--class-path"),
                workers.subList(0, 8));
        assertEquals(List.of("-Xmx1g", "com.example.Main", "in.txt"), workers.subList(workers.size() - 3, workers.size()));
    }

    @Test
    void hostsNamingNoHostAreRefusedSayingWhatToGive(@TempDir Path libDir) throws Exception {
        fakeBindings(libDir);
        LaunchException e = assertThrows(LaunchException.class, () -> recipe.command(job(2, Map.of("--hosts", " , "))));
        assertTrue(e.getMessage().contains("--hosts ' , ' names no host") && e.getMessage().contains("--hosts node1,node2"),
                e.getMessage());
    }

    @Test
    void withoutLibmpiJavaInTheNamedFolderItIsMissingAndSaysWhatToDo(@TempDir Path empty) {
        System.setProperty(OpenMpiProperties.LIBRARY_DIR_PROP_NAME, empty.toString());
        assumeTrue(Executables.onPath("mpirun.openmpi").isPresent(), "mpirun.openmpi is not installed here");
        EngineCheck check = recipe.check();
        assertFalse(check.installed());
        assertTrue(check.detail().contains("libmpi_java.so (Open MPI's Java bindings) was not found in " + empty)
                && check.detail().contains("scripts/install-openmpi-java.sh")
                && check.detail().contains("-Dparavm.openmpi.libdir=DIR or PARAVM_OPENMPI_LIBDIR"), check.detail());
        LaunchException e = assertThrows(LaunchException.class, () -> recipe.command(job(2, Map.of())));
        assertEquals(check.detail(), e.getMessage());
    }

    /** As the paravm launcher runs it: without Open MPI's jar (so no class of package mpi), and here without mpirun. */
    @Test
    void withoutMpirunOnPathItIsMissingAndItNeverNeedsOpenMpisClasses(@TempDir Path emptyPath, @TempDir Path libDir)
            throws Exception {
        Files.createFile(libDir.resolve("libmpi_java.so"));
        String noOpenMpiJar = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains(File.separator + "open-mpi" + File.separator)).collect(Collectors.joining(File.pathSeparator));
        ProcessBuilder pb = new ProcessBuilder(JAVA.toString(), "-cp", noOpenMpiJar,
                "-D" + OpenMpiProperties.LIBRARY_DIR_PROP_NAME + "=" + libDir, OpenMpiRecipeProbe.class.getName())
                .redirectErrorStream(true);
        pb.environment().put("PATH", emptyPath.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("openmpi: EngineCheck[installed=false, detail=mpirun.openmpi (or mpirun) is not on PATH; install Open MPI"), out);
        assertTrue(out.contains("command [mpirun.openmpi, --oversubscribe, -np, 1, java, -cp, ., --class-path, engine.jar, -Djava.library.path="
                + libDir + ", Main]"), out);
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aJobStartedFromTheRecipeRunsOnEveryRankAndEndsWithItsStatus(@TempDir Path dir) throws Exception {
        EngineCheck check = recipe.check();
        assumeTrue(check.installed(), check.detail());
        Path pids = dir.resolve("job.pids");
        assertEquals(0, run(FaultJob.class.getName(), List.of("--pids", pids.toString(), "--mode", "close"), dir),
                "a job whose spawner closes the VM and returns ends with status 0");
        assertTrue(Files.readAllLines(pids).contains("tasks 1"), "the worker ran a task: " + Files.readAllLines(pids));
        assertNotEquals(0, run("no.such.Main", List.of(), dir), "ranks that cannot start fail the job");
    }

    private int run(String mainClass, List<String> args, Path dir) throws Exception {
        LaunchRequest request = new LaunchRequest(2, "", System.getProperty("java.class.path"), mainClass, args,
                List.of(), Map.of(), JAVA);
        Path log = dir.resolve("job.log");
        try (ProcessTree tree = ProcessTree.create()) {
            Process job = tree.start(recipe.command(request).redirectErrorStream(true).redirectOutput(log.toFile()));
            int status = job.waitFor();
            System.out.printf("mpirun job %s ended with %d:%n%s%n", mainClass, status, Files.readString(log));
            return status;
        }
    }
}
