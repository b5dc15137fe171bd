package io.paravm.benchmarks.efficiency;

import io.paravm.benchmarks.backend.OpenMpiBackend;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The PyOPUS-style anchor: the same loop on mpi4py (Debian's {@code python3-mpi4py}), rank 0
 * sending work and the other ranks computing and replying, started with
 * {@code mpirun.openmpi} (Open MPI's own starter, named so: MPICH may be installed too) the
 * way a PyOPUS user starts a job, with Open MPI's default binding, reported.
 *
 * <pre>{@code
 * Mpi4pyAnchor anchor = new Mpi4pyAnchor(Path.of("benchmarks/anchor/efficiency_anchor.py"));
 * if (anchor.unavailabilityCause().isEmpty()) cmd = anchor.command(3, args);
 * }</pre>
 */
final class Mpi4pyAnchor {

    /** The anchor's name in file names and the report. */
    static final String NAME = "mpi4py";
    /** The Python that has Debian's mpi4py; {@code -Dparavm.bench.python} overrides. */
    static final String PYTHON_PROP_NAME = "paravm.bench.python";
    static final String PYTHON_DEFAULT = "/usr/bin/python3";
    /** Open MPI's starter, by its own name. */
    static final String MPIRUN = "mpirun.openmpi";

    private final Path script;
    private final String python = System.getProperty(PYTHON_PROP_NAME, PYTHON_DEFAULT);

    Mpi4pyAnchor(Path script) {
        this.script = script;
    }

    /** Why the anchor cannot run here, or empty when it can. */
    Optional<String> unavailabilityCause() {
        if (!Files.isRegularFile(script)) return Optional.of("the anchor's script " + script + " is missing");
        if (onPath(MPIRUN).isEmpty()) {
            return Optional.of(MPIRUN + " is not on PATH; install Debian's openmpi-bin (scripts/install-openmpi-java.sh does)");
        }
        if (!Files.isExecutable(Path.of(python))) {
            return Optional.of(python + " is not there; install python3, or pass -D" + PYTHON_PROP_NAME + "=PYTHON");
        }
        try {
            // without MPI_Init (no mpirun here), as benchmarks/anchor/install.sh checks
            String imports = "import mpi4py; mpi4py.rc.initialize = False; from mpi4py import MPI; import psutil";
            Process p = new ProcessBuilder(python, "-c", imports).redirectErrorStream(true).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.of(python + " took over 60 s to import mpi4py");
            }
            String said = new String(p.getInputStream().readAllBytes()).trim();
            if (p.exitValue() != 0) {
                return Optional.of(python + " cannot import mpi4py and psutil (" + lastLine(said) + "); install Debian's "
                        + "python3-mpi4py and python3-psutil (benchmarks/anchor/install.sh does, as root)");
            }
        } catch (IOException e) {
            return Optional.of("cannot run " + python + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while checking " + python);
        }
        return Optional.empty();
    }

    /**
     * {@code mpirun.openmpi --oversubscribe --report-bindings -np N python3 SCRIPT ARGS}: Open MPI's default
     * binding (a core per rank when they fit, none when oversubscribed), as a PyOPUS job gets it.
     */
    List<String> command(int ranks, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(MPIRUN, "--oversubscribe", "--report-bindings", "-np", String.valueOf(ranks),
                python, script.toString()));
        cmd.addAll(args);
        return cmd;
    }

    /** What {@code mpirun} needs here: as for the openmpi backend (root, no ssh, no cross-memory attach). */
    Map<String, String> environment() {
        return new OpenMpiBackend().jobEnvironment();
    }

    /** The binding {@code mpirun --report-bindings} printed into the job's log. */
    String binding(Path log) {
        return new OpenMpiBackend().binding(log);
    }

    private static Optional<Path> onPath(String exe) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, exe);
            if (Files.isExecutable(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    private static String lastLine(String text) {
        String[] lines = text.split("\n");
        return lines.length == 0 ? "" : lines[lines.length - 1];
    }
}
