package io.paravm.spi.launch;

import java.util.List;

/**
 * One engine's launch recipe: whether the engine is installed here, which options it takes,
 * and the command that starts a job of N ranks on it. Each transport module ships one,
 * found by {@link java.util.ServiceLoader} through
 * {@code META-INF/services/io.paravm.spi.launch.EngineLauncher}.
 *
 * <p>The {@code paravm} launcher loads each engine's recipe from that engine's own class
 * path, in a class loader of its own. A recipe builds command lines and looks at files; it
 * never loads its engine's classes (Open MPI's and MPJ Express's jars both define package
 * {@code mpi}) and never opens a VM.
 *
 * <pre>{@code
 * public final class MineLauncher implements EngineLauncher {
 *     public String name() { return "mine"; }
 *     public int priority() { return 10; }
 *     public String summary() { return "Mine, ranks started by mine-run"; }
 *     public EngineCheck check() {
 *         return Executables.onPath("mine-run").map(p -> EngineCheck.installed("mine-run " + p))
 *                 .orElseGet(() -> EngineCheck.missing("mine-run is not on PATH; install the mine package"));
 *     }
 *     public ProcessBuilder command(LaunchRequest job) {
 *         List<String> cmd = new ArrayList<>(List.of("mine-run", "-n", Integer.toString(job.ranks()),
 *                 job.java().toString(), "-cp", job.rankClassPath()));
 *         cmd.addAll(job.jvmOptions());
 *         cmd.add(job.mainClass());
 *         cmd.addAll(job.args());
 *         return new ProcessBuilder(cmd);
 *     }
 * }
 * }</pre>
 */
public interface EngineLauncher {

    /** Returns the engine's name, as {@code --transport} and {@code -Dparavm.transport} take it, e.g. {@code openmpi}. */
    String name();

    /**
     * Returns the rank in choosing the best installed engine (higher wins); the same scale
     * as the transport provider's priority.
     */
    int priority();

    /** Returns one line saying what the engine is and how its jobs start, for {@code paravm info}. */
    String summary();

    /**
     * Looks whether a job can be started on this engine here: its programs, libraries and
     * home directory. Must not throw and must not load the engine's classes.
     *
     * @return installed, with what it runs with; or missing, with what to do
     */
    EngineCheck check();

    /**
     * Returns whether the engine needs nothing installed beyond its jars, so a job runs on
     * it wherever Java runs; {@code paravm demo} prefers such an engine.
     */
    default boolean embedded() {
        return false;
    }

    /**
     * Returns whether {@link #command} starts the spawner's JVM with
     * {@link LaunchRequest#spawnerJvmOptions()} beside every rank's options; the launcher gives
     * those only to a recipe that says so. An engine that starts every rank alike (MPJ Express;
     * on its multicore device the ranks are threads of one JVM) keeps the default, no.
     */
    default boolean startsSpawnerApart() {
        return false;
    }

    /** Returns the options this engine takes beyond the common ones ({@code --device}, {@code --join}, ...). */
    default List<LaunchOption> options() {
        return List.of();
    }

    /**
     * Returns the command that starts the whole job: every rank runs
     * {@link LaunchRequest#mainClass()}, rank 0 is the spawner. The caller starts it in a
     * {@link ProcessTree}, waits for it and ends whatever it leaves behind; its exit status
     * is the job's.
     *
     * @param request the job
     * @return the process to start, with its environment set
     * @throws LaunchException if the request cannot run on this engine (a bad option value,
     *                         a missing library), saying what to do
     */
    ProcessBuilder command(LaunchRequest request);
}
