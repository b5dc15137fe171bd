package io.paravm.transport.mpj;

import io.paravm.VmConfig;
import io.paravm.VmException;
import io.paravm.VirtualMachines;
import io.paravm.spi.launch.LaunchException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MpjLauncherTest {

    @Test
    void commandLineGivesRanksDeviceJvmOptionsClassPathMainAndArgs() {
        MpjJob job = MpjCommandLine.parse("-np", "3", "-dev", "niodev", "-J-Xss8m", "-J-Dparavm.mirror=target/m/**",
                "-cp", "a:b", "com.example.Main", "x", "-y", "-np", "1", "@args.txt", "--");
        assertEquals(new MpjJob(3, MpjDevice.NIODEV, "a:b", "com.example.Main", List.of("x", "-y", "-np", "1",
                "@args.txt", "--"), List.of("-Xss8m", "-Dparavm.mirror=target/m/**")), job);
    }

    @Test
    void classPathDefaultsToTheLaunchersOwn() {
        MpjJob job = MpjCommandLine.parse("-np", "2", "-dev", "multicore", "Main");
        assertEquals(System.getProperty("java.class.path"), job.classPath());
        assertEquals(MpjDevice.MULTICORE, job.device());
        assertEquals(MpjDevice.MULTICORE, MpjCommandLine.parse("-np", "2", "-dev", "smpdev", "-classpath", "c", "Main").device());
    }

    @Test
    void badCommandLinesNameTheProblem() {
        var dev = assertThrows(LaunchException.class, () -> MpjCommandLine.parse("-np", "2", "-dev", "shm", "Main"));
        assertTrue(dev.getMessage().contains("-dev shm") && dev.getMessage().contains("multicore or niodev"), dev.getMessage());
        var np = assertThrows(LaunchException.class, () -> MpjCommandLine.parse("-np", "0", "-dev", "niodev", "Main"));
        assertTrue(np.getMessage().contains("-np 0"), np.getMessage());
        var main = assertThrows(LaunchException.class, () -> MpjCommandLine.parse("-np", "2", "-dev", "niodev"));
        assertTrue(main.getMessage().contains("MAIN"), main.getMessage());
        var value = assertThrows(LaunchException.class, () -> MpjCommandLine.parse("-np"));
        assertTrue(value.getMessage().contains("-np"), value.getMessage());
    }

    @Test
    void aBadCommandLineEndsWithTheUsageStatus() {
        assertEquals(LaunchException.EXIT_STATUS, MpjLauncher.execute("-np", "2", "-dev", "shm", "Main"));
        assertTrue(MpjCommandLine.usage().contains("MpjLauncher -np N -dev multicore|niodev [-J<jvm option>]...")
                && MpjCommandLine.usage().contains("[-cp CLASSPATH] MAIN [ARGS...]"),
                MpjCommandLine.usage());
    }

    @Test
    void classPathWildcardsAreExpandedAndEntriesMadeAbsolute(@TempDir Path dir) throws Exception {
        Files.createFile(dir.resolve("b.jar"));
        Files.createFile(dir.resolve("a.jar"));
        Files.createFile(dir.resolve("notes.txt"));
        String cp = MpjJob.absoluteClassPath(dir + File.separator + "*" + File.pathSeparator + "classes");
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
        ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-D" + MpjProperties.HOME_PROP_NAME + "=" + emptyHome,
                MpjLauncher.class.getName(), "-np", "2", "-dev", "multicore", "Main")).redirectErrorStream(true);
        pb.environment().remove("MPJ_HOME");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(LaunchException.EXIT_STATUS, p.exitValue(), out);
        assertTrue(out.contains("MPJ_HOME " + emptyHome + " has no lib/mpj.jar") && out.contains("scripts/install-mpj.sh"),
                out);
        assertFalse(out.contains("\tat "), "one message, no stack trace: " + out);
    }

    @Test
    void aRankThatFailsFailsTheJobOnBothDevices() throws Exception {
        String cp = System.getProperty("java.class.path");
        for (MpjDevice device : MpjDevice.values()) {
            int status = MpjLauncher.run(new MpjJob(2, device, cp, "no.such.Main", List.of(), List.of()));
            assertNotEquals(0, status, device + ": a main class that cannot be loaded must fail the job");
        }
    }
}
