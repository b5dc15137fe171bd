package io.paravm.transport.mpi;

import io.paravm.spi.launch.Executables;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One MPI implementation installed on this machine, found without loading it in a JVM: its
 * own {@code mpirun} on {@code PATH}, its library where the system's loader finds it (its
 * cache, {@code ldconfig -p}, and {@code LD_LIBRARY_PATH}), and its version from its own
 * tool ({@code ompi_info}, {@code mpichversion}).
 *
 * <pre>{@code
 * MpiInstallation.find(MpiAbi.MPICH).ifPresent(m -> log.info("{}", m.describe()));
 * }</pre>
 *
 * @param abi     the implementation
 * @param mpirun  its {@code mpirun}
 * @param library its library file
 * @param version its version, or "version unknown"
 */
public record MpiInstallation(MpiAbi abi, Path mpirun, Path library, String version) {

    /** How long a version tool may take before it is given up on. */
    private static final long TOOL_TIMEOUT_SECONDS = 10;

    /** Returns one line for {@code paravm info}. */
    public String describe() {
        return abi.displayName() + " " + version + " (" + library + ", " + mpirun + ")";
    }

    /**
     * Finds an implementation's installation.
     *
     * @param abi the implementation
     * @return it, or empty when its {@code mpirun} or its library is missing
     */
    public static Optional<MpiInstallation> find(MpiAbi abi) {
        Optional<Path> mpirun = Executables.onPath(abi.mpirun());
        Optional<Path> library = library(abi.soname());
        if (mpirun.isEmpty() || library.isEmpty()) return Optional.empty();
        return Optional.of(new MpiInstallation(abi, mpirun.get(), library.get(), version(abi)));
    }

    /** Returns what is missing of {@code abi}'s installation, for a message. */
    public static String missing(MpiAbi abi) {
        List<String> gone = new ArrayList<>();
        if (Executables.onPath(abi.mpirun()).isEmpty()) gone.add(abi.mpirun() + " is not on PATH");
        if (library(abi.soname()).isEmpty()) gone.add(abi.soname() + " is not in the loader's cache (ldconfig -p) or LD_LIBRARY_PATH");
        return abi.displayName() + ": " + String.join(", ", gone);
    }

    private static Optional<Path> library(String soname) {
        String ldPath = System.getenv("LD_LIBRARY_PATH");
        if (ldPath != null) {
            for (String dir : ldPath.split(":")) {
                if (!dir.isEmpty() && Files.exists(Path.of(dir, soname))) return Optional.of(Path.of(dir, soname));
            }
        }
        for (String ldconfig : List.of("/sbin/ldconfig", "/usr/sbin/ldconfig")) {
            if (!Files.isExecutable(Path.of(ldconfig))) continue;
            // lines like "	libmpich.so.12 (libc6,x86-64) => /lib/x86_64-linux-gnu/libmpich.so.12"
            for (String line : run(List.of(ldconfig, "-p"))) {
                String t = line.trim();
                int arrow = t.indexOf(" => ");
                if (t.startsWith(soname + " ") && arrow > 0) return Optional.of(Path.of(t.substring(arrow + 4).trim()));
            }
        }
        return Optional.empty();
    }

    private static String version(MpiAbi abi) {
        for (String line : run(abi.versionCommand())) {
            String t = line.trim();
            // "Open MPI v4.1.4" (ompi_info --version), "MPICH Version:    4.0.2" (mpichversion)
            if (t.startsWith("Open MPI v")) return t.substring("Open MPI v".length()).trim();
            if (t.startsWith("MPICH Version:")) return t.substring("MPICH Version:".length()).trim();
        }
        return "version unknown";
    }

    private static List<String> run(List<String> command) {
        Path out = null;
        try {
            out = Files.createTempFile("paravm-mpi-", ".out"); // a file, not a pipe: waitFor's timeout holds whatever it prints
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(TOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return List.of();
            }
            return Files.readAllLines(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        } finally {
            if (out != null) out.toFile().delete();
        }
    }
}
