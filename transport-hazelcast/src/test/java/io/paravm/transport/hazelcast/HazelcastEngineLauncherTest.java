package io.paravm.transport.hazelcast;

import io.paravm.spi.TransportProvider;
import io.paravm.spi.launch.EngineLauncher;
import io.paravm.spi.launch.LaunchException;
import io.paravm.spi.launch.LaunchOption;
import io.paravm.spi.launch.LaunchRequest;
import io.paravm.spi.launch.ProcessTree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Hazelcast launch recipe: what {@code paravm run -t hazelcast} starts, and a real job started that way. */
class HazelcastEngineLauncherTest {

    private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
    private final HazelcastEngineLauncher recipe = new HazelcastEngineLauncher();

    private static LaunchRequest request(int ranks, List<String> jvmOptions, Map<String, String> options) {
        return new LaunchRequest(ranks, "app.jar", "lib/*", "com.example.Main", List.of("arg1", "--flag"), jvmOptions,
                options, JAVA);
    }

    @Test
    void isFoundByServiceLoaderUnderTheTransportsNameAndPriority() {
        EngineLauncher found = ServiceLoader.load(EngineLauncher.class).stream().map(ServiceLoader.Provider::get)
                .filter(l -> l.name().equals("hazelcast")).findFirst().orElseThrow();
        TransportProvider provider = new HazelcastTransportProvider();
        assertEquals(provider.name(), found.name());
        assertEquals(provider.priority(), found.priority());
        assertFalse(found.summary().isBlank());
        assertTrue(found.check().installed(), found.check().detail());
    }

    @Test
    void commandStartsHazelcastLauncherOnTheEngineClassPathAndTheRanksOnTheRankClassPath() {
        List<String> cmd = recipe.command(request(4, List.of("-Xmx1g", "-Dx=1"), Map.of())).command();
        assertEquals(List.of(JAVA.toString(), "-cp", "lib/*", HazelcastLauncher.class.getName(), "-np", "4",
                "-J-Xmx1g", "-J-Dx=1", "-cp", "app.jar" + java.io.File.pathSeparator + "lib/*", "com.example.Main",
                "arg1", "--flag"), cmd);
    }

    @Test
    void engineOptionsArePassedToTheLauncher() {
        List<String> names = recipe.options().stream().map(LaunchOption::name).toList();
        assertTrue(names.containsAll(List.of("--interface", "--secret-file")), names.toString());
        List<String> cmd = recipe.command(request(4, List.of(), Map.of("--interface", "10.0.0.5",
                "--secret-file", "/home/me/job.secret"))).command();
        assertEquals(List.of("-np", "4", "--interface", "10.0.0.5", "--secret-file", "/home/me/job.secret", "-cp"),
                cmd.subList(4, 11));
    }

    @Test
    void everyCommandTheRecipeBuildsIsOneTheLauncherParses() {
        List<String> cmd = recipe.command(request(3, List.of("-Xss8m"), Map.of("--interface", "10.0.0.5",
                "--secret-file", "s", "--port", "5701", "--join", "10.0.0.5:5701", "--cluster", "paravm-1"))).command();
        HazelcastLauncherCommand parsed = HazelcastLauncherCommand.parse(cmd.subList(4, cmd.size()).toArray(String[]::new));
        assertEquals(3, parsed.np);
        assertEquals("10.0.0.5:5701", parsed.join);
        assertEquals("paravm-1", parsed.cluster);
        assertEquals(5701, parsed.port);
        assertEquals(List.of("-Xss8m"), parsed.jvmOptions);
        assertEquals("com.example.Main", parsed.mainClass);
        assertEquals(List.of("arg1", "--flag"), parsed.args);
    }

    /** The spawner's own options reach its member's command line, and no worker's. */
    @Test
    void spawnerOptionsGoToTheSpawnersMemberAlone() {
        LaunchRequest job = new LaunchRequest(3, "app.jar", "lib/*", "com.example.Main", List.of(), List.of("-Xss8m"),
                Map.of(), JAVA, List.of("-XX:TieredStopAtLevel=1"));
        List<String> cmd = recipe.command(job).command();
        HazelcastLauncherCommand parsed = HazelcastLauncherCommand.parse(cmd.subList(4, cmd.size()).toArray(String[]::new));
        assertEquals(List.of("-Xss8m"), parsed.jvmOptions);
        assertEquals(List.of("-XX:TieredStopAtLevel=1"), parsed.spawnerJvmOptions);
        MemberCommand member = new MemberCommand("c", "127.0.0.1", "app.jar", parsed.jvmOptions, parsed.spawnerJvmOptions,
                "com.example.Main", List.of(), null);
        List<String> spawner = member.build(MemberCommand.SPAWNER_ROLE, MemberCommand.spawner(5701, 3), "s").command();
        List<String> worker = member.build("worker-1", MemberCommand.worker("127.0.0.1:5701"), "s").command();
        assertTrue(spawner.containsAll(List.of("-Xss8m", "-XX:TieredStopAtLevel=1")), spawner.toString());
        assertTrue(spawner.indexOf("-XX:TieredStopAtLevel=1") < spawner.indexOf("com.example.Main"), spawner.toString());
        assertTrue(worker.contains("-Xss8m") && !worker.contains("-XX:TieredStopAtLevel=1"), worker.toString());
    }

    @Test
    void badOptionValuesAreLaunchErrorsNamingTheOption() {
        LaunchException port = assertThrows(LaunchException.class,
                () -> recipe.command(request(2, List.of(), Map.of("--port", "70000"))));
        assertTrue(port.getMessage().contains("--port 70000") && port.getMessage().contains("[1, 65535]"), port.getMessage());
        LaunchException join = assertThrows(LaunchException.class,
                () -> recipe.command(request(2, List.of(), Map.of("--join", "10.0.0.5:5701"))));
        assertTrue(join.getMessage().contains("--join needs --cluster"), join.getMessage());
    }

    /** As the paravm CLI may load it: a class loader with the transport and vm-api, and no Hazelcast. */
    @Test
    void theRecipeNeedsNoHazelcastClassAndSaysWhenHazelcastIsMissing() throws Exception {
        URL[] path = {location(HazelcastEngineLauncher.class), location(EngineLauncher.class)};
        try (URLClassLoader loader = new URLClassLoader(path, ClassLoader.getPlatformClassLoader())) {
            Class<?> type = loader.loadClass(HazelcastEngineLauncher.class.getName());
            Object alone = type.getConstructor().newInstance();
            assertEquals("hazelcast", type.getMethod("name").invoke(alone));
            Object check = type.getMethod("check").invoke(alone);
            assertEquals(false, check.getClass().getMethod("installed").invoke(check));
            assertTrue(check.getClass().getMethod("detail").invoke(check).toString().contains("com.hazelcast:hazelcast"));
            assertFalse(((List<?>) type.getMethod("options").invoke(alone)).isEmpty());
        }
    }

    private static URL location(Class<?> c) {
        return c.getProtectionDomain().getCodeSource().getLocation();
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aJobStartedByTheRecipeRunsAndExitsWithTheSpawnersStatus() throws Exception {
        Path log = Path.of("target", "recipe-job.log");
        LaunchRequest job = new LaunchRequest(2, "", System.getProperty("java.class.path"), RecipeJob.class.getName(),
                List.of("7"), List.of(), Map.of(), JAVA);
        try (ProcessTree tree = ProcessTree.create()) {
            Process p = tree.start(recipe.command(job).redirectErrorStream(true).redirectOutput(log.toFile()));
            assertTrue(p.waitFor(150, TimeUnit.SECONDS), "the job ended");
            assertEquals(7, p.exitValue(), "the spawner ran its task and exited with 7:\n" + Files.readString(log));
            assertTrue(tree.awaitExit(Duration.ofSeconds(20)), "no member JVM is left: " + tree.seen());
        }
    }
}
