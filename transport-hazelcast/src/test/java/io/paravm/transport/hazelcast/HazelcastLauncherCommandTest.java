package io.paravm.transport.hazelcast;

import io.paravm.spi.launch.LaunchException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** HazelcastLauncher's command line, as the poms, the README and the recipe write it. */
class HazelcastLauncherCommandTest {

    @Test
    void theTckCommandLineParsesAndEverythingAfterMainIsTheProgramsOwn() {
        HazelcastLauncherCommand c = HazelcastLauncherCommand.parse("-np", "2", "-J-Xss8m", "-J-Dparavm.worker.slots=2",
                "-J-Dparavm.mirror=target/tck-mirror/**", "io.paravm.tck.TckLauncher", "--verification", "X",
                "-np", "9", "-J-Xmx1g", "@pom.xml", "--");
        assertEquals(2, c.np);
        assertEquals(List.of("-Xss8m", "-Dparavm.worker.slots=2", "-Dparavm.mirror=target/tck-mirror/**"), c.jvmOptions);
        assertEquals("io.paravm.tck.TckLauncher", c.mainClass);
        assertEquals(List.of("--verification", "X", "-np", "9", "-J-Xmx1g", "@pom.xml", "--"), c.args);
    }

    @Test
    void joinCommandLineParses() {
        HazelcastLauncherCommand c = HazelcastLauncherCommand.parse("--join", "10.0.0.5:5701", "--cluster", "paravm-1a2b",
                "--secret-file", "s.secret", "--interface", "10.0.0.7", "--port", "6000", "--timeout", "60",
                "-classpath", "a.jar", "-n", "2", "com.example.Main");
        assertEquals("10.0.0.5:5701", c.join);
        assertEquals("paravm-1a2b", c.cluster);
        assertEquals(Path.of("s.secret"), c.secretFile);
        assertEquals("10.0.0.7", c.iface);
        assertEquals(6000, c.port);
        assertEquals(60, c.timeoutSeconds);
        assertEquals("a.jar", c.classpath);
        assertEquals(2, c.np);
        assertEquals(List.of(), c.args);
    }

    @Test
    void defaultsAreAJobOfTwoOnLoopbackWithoutLimit() {
        HazelcastLauncherCommand c = HazelcastLauncherCommand.parse("com.example.Main");
        assertNull(c.np);
        assertEquals("127.0.0.1", c.iface);
        assertEquals(HazelcastLauncherCommand.TIMEOUT_SECONDS_DEFAULT, c.timeoutSeconds);
    }

    @Test
    void usageErrorsReturnTheLaunchErrorStatusAndStartNothing() {
        assertEquals(LaunchException.EXIT_STATUS, HazelcastLauncher.execute("--bogus", "com.example.Main"));
        assertEquals(LaunchException.EXIT_STATUS, HazelcastLauncher.execute("-np", "2"));
        assertEquals(LaunchException.EXIT_STATUS, HazelcastLauncher.execute("-np", "0", "com.example.Main"));
        assertEquals(LaunchException.EXIT_STATUS, HazelcastLauncher.execute("-np", "two", "com.example.Main"));
        assertEquals(LaunchException.EXIT_STATUS, HazelcastLauncher.execute("--join", "h:5701", "com.example.Main"));
    }
}
