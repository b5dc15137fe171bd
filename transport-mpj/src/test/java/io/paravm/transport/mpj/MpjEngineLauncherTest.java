package io.paravm.transport.mpj;

import io.paravm.spi.launch.EngineCheck;
import io.paravm.spi.launch.EngineLauncher;
import io.paravm.spi.launch.LaunchException;
import io.paravm.spi.launch.LaunchRequest;
import io.paravm.spi.launch.ProcessTree;
import io.paravm.tck.FaultJob;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** MPJ Express's launch recipe: what it finds on this machine, the MpjLauncher command it builds, and a real job started with it. */
class MpjEngineLauncherTest {

    private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

    private final MpjEngineLauncher recipe = new MpjEngineLauncher();

    @BeforeEach
    void homeComesFromTheProperty() {
        assumeTrue(System.getenv("MPJ_HOME") == null, "MPJ_HOME is set in this environment and wins over -Dparavm.mpj.home");
    }

    @AfterEach
    void forgetTheHome() {
        System.clearProperty(MpjProperties.HOME_PROP_NAME);
    }

    private static LaunchRequest job(Map<String, String> options) {
        return new LaunchRequest(3, "app.jar", "engine/*", "com.example.Main", List.of("in.txt", "-v"), List.of("-Xmx1g"),
                options, JAVA);
    }

    /** Names a home with what a job needs (empty files), so the command does not depend on this machine's MPJ. */
    private static Path fakeHome(Path dir) throws Exception {
        Files.createDirectories(dir.resolve("lib"));
        Files.createDirectories(dir.resolve("conf"));
        Files.createFile(dir.resolve("lib").resolve("mpj.jar"));
        Files.createFile(dir.resolve("conf").resolve("mpjexpress.conf"));
        System.setProperty(MpjProperties.HOME_PROP_NAME, dir.toString());
        return dir;
    }

    @Test
    void isFoundByServiceLoaderUnderTheTransportsNameAndPriority() {
        EngineLauncher found = ServiceLoader.load(EngineLauncher.class).stream().map(ServiceLoader.Provider::get)
                .filter(r -> r.name().equals("mpj")).findFirst().orElseThrow();
        MpjTransportProvider provider = new MpjTransportProvider();
        assertEquals(provider.name(), found.name());
        assertEquals(provider.priority(), found.priority());
        assertEquals(List.of("--device"), found.options().stream().map(o -> o.name()).toList());
    }

    @Test
    void aJobIsMpjLauncherOnTheEngineClassPathStartingMulticoreRanks(@TempDir Path dir) throws Exception {
        Path home = fakeHome(dir);
        assertEquals(List.of(JAVA.toString(), "-cp", "engine/*" + File.pathSeparator + "app.jar",
                "-Dparavm.mpj.home=" + home, "io.paravm.transport.mpj.MpjLauncher", "-np", "3", "-dev", "multicore",
                "-J-Xmx1g", "-cp", "app.jar" + File.pathSeparator + "engine/*", "com.example.Main", "in.txt", "-v"),
                recipe.command(job(Map.of())).command());
    }

    @Test
    void deviceChoosesNiodevAndABadOneIsRefusedNamingBoth(@TempDir Path dir) throws Exception {
        fakeHome(dir);
        List<String> niodev = recipe.command(job(Map.of("--device", "NIODEV"))).command();
        assertEquals(List.of("-dev", "niodev"), niodev.subList(7, 9));
        LaunchException e = assertThrows(LaunchException.class, () -> recipe.command(job(Map.of("--device", "shm"))));
        assertEquals("--device shm is not one of MPJ Express's devices; use multicore or niodev", e.getMessage());
    }

    @Test
    void withAnEmptyMpjHomeItIsMissingAndSaysWhatToDo(@TempDir Path empty) {
        System.setProperty(MpjProperties.HOME_PROP_NAME, empty.toString());
        EngineCheck check = recipe.check();
        assertFalse(check.installed());
        assertEquals("MPJ_HOME " + empty + " has no lib/mpj.jar or conf/mpjexpress.conf; run scripts/install-mpj.sh, "
                + "or set MPJ_HOME (or -Dparavm.mpj.home)", check.detail());
        LaunchException e = assertThrows(LaunchException.class, () -> recipe.command(job(Map.of())));
        assertEquals(check.detail(), e.getMessage());
    }

    /** As the paravm launcher loads it: in a class loader of its own, where no class of package mpi may be defined. */
    @Test
    void itNeverLoadsMpjExpressClasses(@TempDir Path dir) throws Exception {
        fakeHome(dir);
        URL[] classPath = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(e -> { try { return Path.of(e).toUri().toURL(); } catch (Exception x) { throw new AssertionError(x); } })
                .toArray(URL[]::new);
        try (URLClassLoader loader = new URLClassLoader("recipe", classPath, ClassLoader.getPlatformClassLoader())) {
            Class<?> type = loader.loadClass(MpjEngineLauncher.class.getName());
            Object fresh = type.getConstructor().newInstance();
            Object request = loader.loadClass(LaunchRequest.class.getName()).getConstructor(int.class, String.class,
                    String.class, String.class, List.class, List.class, Map.class, Path.class).newInstance(2, "", "e",
                    "Main", List.of(), List.of(), Map.of(), JAVA);
            for (String method : List.of("name", "summary", "check", "options")) type.getMethod(method).invoke(fresh);
            type.getMethod("command", request.getClass()).invoke(fresh, request);
            assertNull(loader.getDefinedPackage("mpi"), "the recipe loaded a class of package mpi");
            assertTrue(loader.getDefinedPackage("io.paravm.transport.mpj") != null, "the recipe ran in its own loader");
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aMulticoreJobStartedFromTheRecipeRunsATaskAndEndsWithStatusZero(@TempDir Path dir) throws Exception {
        EngineCheck check = recipe.check();
        assumeTrue(check.installed(), check.detail());
        Path pids = dir.resolve("job.pids");
        Path log = dir.resolve("job.log");
        LaunchRequest request = new LaunchRequest(2, "", System.getProperty("java.class.path"), FaultJob.class.getName(),
                List.of("--pids", pids.toString(), "--mode", "close"), List.of("-Dparavm.mpj.exit.grace.ms=5000"),
                Map.of("--device", "multicore"), JAVA);
        int status;
        try (ProcessTree tree = ProcessTree.create()) {
            status = tree.start(recipe.command(request).redirectErrorStream(true).redirectOutput(log.toFile())).waitFor();
        }
        String out = Files.readString(log);
        assertEquals(0, status, out);
        assertTrue(Files.readAllLines(pids).contains("tasks 1"), "the worker ran a task: " + out);
        assertEquals(1, out.split("paravm.mpj.exit.grace.ms is deprecated", -1).length - 1,
                "one warning for the old name: " + out);
    }
}
