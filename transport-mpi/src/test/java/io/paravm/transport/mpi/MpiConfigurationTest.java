package io.paravm.transport.mpi;

import io.paravm.VirtualMachines;
import io.paravm.VmConfig;
import io.paravm.VmException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The mpi transport asked for where it cannot run, and an MPI call that fails: each says why and what to do. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MpiConfigurationTest {

    /** Runs {@link MpiProbe} in a JVM of {@code javaHome}, on {@code classPath}, with {@code env} and {@code props}. */
    private static String probe(String javaHome, String classPath, Map<String, String> env, List<String> props) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(javaHome, "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", classPath));
        if (!javaHome.equals(thisJava())) cmd.remove(1); // Java 17 has no such option
        cmd.addAll(props);
        cmd.add(MpiProbe.class.getName());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("OMPI_") || k.startsWith("PMI_") || k.startsWith("PARAVM_MPI"));
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the probe ended");
        return out;
    }

    private static String thisJava() {
        return System.getProperty("java.home");
    }

    private static String classPath() {
        return System.getProperty("java.class.path");
    }

    @Test
    void outsideMpirunTheMessageSaysHowToLaunch() {
        VmException e = assertThrows(VmException.class, () -> VirtualMachines.select(VmConfig.builder().transport("mpi").build()));
        assertTrue(e.getMessage().contains("transport 'mpi' was requested but is unavailable")
                && e.getMessage().contains("not started by an MPI launcher")
                && e.getMessage().contains("OMPI_COMM_WORLD_SIZE for Open MPI, PMI_RANK for MPICH")
                && e.getMessage().contains("mpirun.openmpi (or mpirun.mpich) -np N java --enable-native-access=ALL-UNNAMED"),
                e.getMessage());
    }

    /** The JDK 17 to run a probe on: the build's own (Maven's), else one under /usr/lib/jvm. */
    private static String jdk17() throws Exception {
        String build = System.getProperty("paravm.jdk17.home");
        List<Path> candidates = new ArrayList<>();
        if (build != null) candidates.add(Path.of(build));
        try (Stream<Path> jvms = java.nio.file.Files.list(Path.of(RankJdk.JVM_DIR))) {
            jvms.sorted().forEach(candidates::add);
        }
        for (Path home : candidates) {
            Path release = home.resolve("release");
            if (java.nio.file.Files.exists(release) && java.nio.file.Files.readString(release).contains("JAVA_VERSION=\"17")) {
                return home.toString();
            }
        }
        throw new AssertionError("no JDK 17 (the project's Java) in " + candidates + "; install openjdk-17-jdk-headless");
    }

    @Test
    void onJava17TheProviderLoadsAndSaysWhyItCannotRun() throws Exception {
        String jdk17 = jdk17();
        // What a Java 17 JVM sees of the multi-release jar: the release-17 classes, not META-INF/versions/22.
        String base = Stream.of(classPath().split(File.pathSeparator)).filter(e -> !e.contains("versions" + File.separator + "22"))
                .collect(Collectors.joining(File.pathSeparator));
        String out = probe(jdk17, base, Map.of("OMPI_COMM_WORLD_SIZE", "2"), List.of());
        assertTrue(out.contains("cause=the mpi transport needs Java 22 or later") && out.contains("runs Java 17")
                && out.contains("on host ") && out.contains("PARAVM_JAVA") && out.contains("use the openmpi transport")
                && out.contains("select=transport 'mpi' was requested but is unavailable"), out);
    }

    @Test
    void anImplementationOtherThanTheLaunchersIsRefusedNamingItsMpirun() throws Exception {
        String out = probe(thisJava(), classPath(), Map.of("OMPI_COMM_WORLD_SIZE", "2"),
                List.of("-D" + MpiProperties.IMPLEMENTATION_PROP_NAME + "=mpich"));
        assertTrue(out.contains("paravm.mpi.implementation=mpich but this rank was started by Open MPI's mpirun")
                && out.contains("start the job with mpirun.mpich"), out);
    }

    @Test
    void anotherMpisLibraryIsRefusedAsEveryRankWouldBeASpawner() throws Exception {
        String out = probe(thisJava(), classPath(), Map.of("PMI_RANK", "0", "PMI_SIZE", "2"),
                List.of("-D" + MpiProperties.LIBRARY_PROP_NAME + "=" + MpiAbi.OPEN_MPI.soname()));
        assertTrue(out.contains("libmpi.so.40 is Open MPI's library, but this rank was started by MPICH's mpirun")
                && out.contains("every rank would start alone and call itself the spawner")
                && out.contains("start the job with mpirun.openmpi"), out);
    }

    @Test
    void aMissingLibraryIsNamedWithWhereTheLoaderLookedAndTheSetting() throws Exception {
        String out = probe(thisJava(), classPath(), Map.of("PMI_RANK", "0", "PMI_SIZE", "2"),
                List.of("-D" + MpiProperties.LIBRARY_PROP_NAME + "=libmpich-nowhere.so.12"));
        assertTrue(out.contains("no MPI library: libmpich-nowhere.so.12 did not load")
                && out.contains("LD_LIBRARY_PATH") && out.contains("/etc/ld.so.cache")
                && out.contains("-Dparavm.mpi.library=FILE or PARAVM_MPI_LIBRARY"), out);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.paravm.transport.mpi.MpiJobs#mpis")
    void aFailingMpiCallThrowsAtTheCallerWithMpisOwnText(String mpiName) throws Exception {
        MpiAbi mpi = MpiAbi.named(mpiName).orElseThrow();
        Process job = MpiJobs.command(mpi, 1, List.of("-D" + MpiProperties.TAG_PROP_NAME + "=-5"), MpiErrorJob.class.getName(),
                List.of()).redirectErrorStream(true).start();
        String out = new String(job.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(job.waitFor(60, TimeUnit.SECONDS), "the job ended");
        assertEquals(0, job.exitValue(), out);
        // Open MPI: "MPI_ERR_TAG: invalid tag"; MPICH: "Invalid tag, value is -5"
        assertTrue(out.contains("caught EngineFailureException: MPI_Iprobe from " + mpi.anySource() + ", tag -5 failed in "
                + mpi.displayName()) && out.toLowerCase(java.util.Locale.ROOT).contains("invalid tag"), out);
    }
}
