package io.paravm.transport.mpj;

import io.paravm.VmConfig;
import io.paravm.VmException;
import io.paravm.VirtualMachines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class MpjLauncherTest {

    @Test
    void commandLineGivesRanksDeviceJvmOptionsClassPathMainAndArgs() {
        MpjLauncher.Job job = MpjLauncher.parse(new String[]{"-np", "3", "-dev", "niodev", "-J-Xss8m", "-cp", "a:b",
                "com.example.Main", "x", "-y"});
        assertEquals(new MpjLauncher.Job(3, MpjLauncher.Device.NIODEV, "a:b", "com.example.Main", List.of("x", "-y"),
                List.of("-Xss8m")), job);
    }

    @Test
    void classPathDefaultsToTheLaunchersOwn() {
        MpjLauncher.Job job = MpjLauncher.parse(new String[]{"-np", "2", "-dev", "multicore", "Main"});
        assertEquals(System.getProperty("java.class.path"), job.classPath());
        assertEquals(MpjLauncher.Device.MULTICORE, job.device());
    }

    @Test
    void badCommandLinesNameTheProblem() {
        var dev = assertThrows(IllegalArgumentException.class,
                () -> MpjLauncher.parse(new String[]{"-np", "2", "-dev", "shm", "Main"}));
        assertTrue(dev.getMessage().contains("shm") && dev.getMessage().contains("multicore"), dev.getMessage());
        var np = assertThrows(IllegalArgumentException.class,
                () -> MpjLauncher.parse(new String[]{"-np", "0", "-dev", "niodev", "Main"}));
        assertTrue(np.getMessage().contains("-np 0"), np.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MpjLauncher.parse(new String[]{"-np", "2", "-dev", "niodev"}));
        assertThrows(IllegalArgumentException.class, () -> MpjLauncher.parse(new String[]{"-np"}));
    }

    @Test
    void classPathWildcardsAreExpandedAndEntriesMadeAbsolute(@TempDir Path dir) throws Exception {
        Files.createFile(dir.resolve("b.jar"));
        Files.createFile(dir.resolve("a.jar"));
        Files.createFile(dir.resolve("notes.txt"));
        String cp = MpjLauncher.absoluteClassPath(dir + File.separator + "*" + File.pathSeparator + "classes");
        assertEquals(String.join(File.pathSeparator, dir.resolve("a.jar").toString(), dir.resolve("b.jar").toString(),
                Path.of("classes").toAbsolutePath().toString()), cp);
    }

    @Test
    void outsideMpjTheTransportIsUnavailableAndSaysHowToLaunch() {
        assertFalse(Mpj.isAvailable());
        assertTrue(Mpj.unavailabilityCause().contains("MpjLauncher"), Mpj.unavailabilityCause());
        assertThrows(UnsatisfiedLinkError.class, Mpj::ensureAvailability);
        MpjTransportProvider provider = new MpjTransportProvider();
        assertEquals("mpj", provider.name());
        assertEquals(200, provider.priority());
        var e = assertThrows(VmException.class,
                () -> VirtualMachines.select(VmConfig.builder().transport("mpj").build()));
        assertTrue(e.getMessage().contains("MpjLauncher"), e.getMessage());
    }

    @Test
    void withoutMpjInstalledTheLauncherSaysHowToInstallInOneLine(@TempDir Path emptyHome) throws Exception {
        assumeTrue(System.getenv("MPJ_HOME") == null, "MPJ_HOME is set in this environment");
        ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-D" + MpjProperties.HOME_PROP_NAME + "=" + emptyHome,
                MpjLauncher.class.getName(), "-np", "2", "-dev", "multicore", "Main")).redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("MPJ_HOME " + emptyHome + " has no lib/mpj.jar") && out.contains("scripts/install-mpj.sh"),
                out);
        assertFalse(out.contains("\tat "), "one message, no stack trace: " + out);
    }

    @Test
    void aRankThatFailsFailsTheJobOnBothDevices() throws Exception {
        String cp = System.getProperty("java.class.path");
        for (MpjLauncher.Device device : MpjLauncher.Device.values()) {
            int status = MpjLauncher.run(new MpjLauncher.Job(2, device, cp, "no.such.Main", List.of(), List.of()));
            assertNotEquals(0, status, device + ": a main class that cannot be loaded must fail the job");
        }
    }
}
