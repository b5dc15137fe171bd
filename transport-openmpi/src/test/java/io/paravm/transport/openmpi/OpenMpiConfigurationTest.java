package io.paravm.transport.openmpi;

import io.paravm.VirtualMachines;
import io.paravm.VmConfig;
import io.paravm.VmException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Open MPI asked for where it cannot run: one message that says why and what to do. */
class OpenMpiConfigurationTest {

    @Test
    void outsideMpirunTheMessageSaysHowToLaunch() {
        assumeTrue(System.getenv("OMPI_COMM_WORLD_SIZE") == null, "these tests run under mpirun");
        VmException e = assertThrows(VmException.class,
                () -> VirtualMachines.select(VmConfig.builder().transport("openmpi").build()));
        assertTrue(e.getMessage().contains("transport 'openmpi' was requested but is unavailable")
                && e.getMessage().contains("not started by Open MPI's mpirun")
                && e.getMessage().contains("mpirun.openmpi -np N java -cp CLASSPATH -Djava.library.path=")
                && e.getMessage().contains("#transport-unavailable"), e.getMessage());
    }

    @Test
    void withoutLibmpiJavaTheMessageNamesTheLibraryPathToPass(@TempDir Path noLibraries) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Djava.library.path=" + noLibraries,
                OpenMpiProbe.class.getName())).redirectErrorStream(true);
        pb.environment().put("OMPI_COMM_WORLD_SIZE", "1"); // looks like mpirun started it; libmpi_java is nowhere to be found
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertTrue(out.contains("libmpi_java could not be loaded") && out.contains("-Djava.library.path="
                + OpenMpiProperties.LIBRARY_DIR_DEFAULT) && out.contains("scripts/install-openmpi-java.sh")
                && out.contains("java.library.path is now " + noLibraries), out);
    }
}
