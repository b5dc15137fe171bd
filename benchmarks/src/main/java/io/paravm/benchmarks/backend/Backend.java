package io.paravm.benchmarks.backend;

import io.paravm.VirtualMachine;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One engine the benchmarks run on. Everything engine-specific lives in one implementation
 * of this interface (listed in {@link Backends#ALL}); the benchmarks themselves are written
 * against {@link VirtualMachine} and {@link RawChannel} only.
 *
 * <p>Two sides: the orchestrator ({@code BenchRunner}, a plain JVM started by
 * {@code run.sh}) asks whether the engine is installed and how to start a job of N ranks;
 * inside the job, the spawner asks for the engine's version and opens raw channels, which
 * run the engine's own send/receive beside ParaVM's, in the same processes.
 *
 * <pre>{@code
 * Backend b = Backends.named(vm.transportName());
 * try (RawChannel raw = b.openRaw(vm, new RawSpec("direct", 8, 1))) {
 *     raw.exchange();             // one round trip through the engine itself
 * }
 * }</pre>
 */
public interface Backend {

    /**
     * The backend's name in file names and the report, e.g. {@code openmpi} or
     * {@code mpj-niodev}; unique among {@link Backends#ALL}.
     */
    String name();

    /**
     * The ParaVM transport the jobs run on, as {@link VirtualMachine#transportName()} returns
     * it; also names the job class path {@code target/lib-<transport>/}. Defaults to
     * {@link #name()}.
     */
    default String transport() {
        return name();
    }

    /** How the ranks of a job are laid out, for the report, e.g. "one JVM per rank, started by mpirun". */
    String layout();

    /** What the raw figure is, for the report: the engine calls and how they share the job with ParaVM. */
    String rawDescription();

    /** Issue 7's targets for this backend (ratios to the raw figure measured beside it). */
    Targets targets();

    // ---- orchestrator side (outside any job) ----

    /** Why this engine cannot be benchmarked on this machine, or empty when it can. */
    Optional<String> unavailabilityCause();

    /**
     * The jobs to run: each starts {@link JobPlan#ranks()} ranks of the job main.
     *
     * @param quick the CI smoke mode
     */
    default List<JobPlan> plans(boolean quick) {
        return quick ? List.of(JobPlan.all(2)) : List.of(JobPlan.all(2), JobPlan.tasksOnly(3));
    }

    /**
     * The command that starts one job; the caller prefixes {@code timeout --kill-after=10 N}.
     *
     * @param ranks     how many ranks (processes or threads) to start
     * @param classPath the class path every rank uses: {@code target/classes} and
     *                  {@code target/lib-<transport>/*}
     * @param jvmArgs   JVM options for every rank
     * @param spawnerJvmArgs JVM options for the spawner's JVM alone, after {@code jvmArgs}
     *                  ({@link Backends#spawnerJvmArgs}); empty unless {@link #startsSpawnerApart()}
     * @param mainClass the class every rank runs
     * @param args      its arguments
     */
    List<String> jobCommand(int ranks, String classPath, List<String> jvmArgs, List<String> spawnerJvmArgs,
                            String mainClass, List<String> args);

    /**
     * Whether {@link #jobCommand} can give the spawner's JVM options of its own, as the engine's
     * launch recipe can ({@code EngineLauncher.startsSpawnerApart()}): MPMD for mpirun, {@code -S}
     * for HazelcastLauncher. MPJ starts every rank alike.
     */
    default boolean startsSpawnerApart() {
        return false;
    }

    /** Environment variables the job needs (added to the orchestrator's own). */
    Map<String, String> jobEnvironment();

    /**
     * How ranks were bound to cores, read from the job's output (for example mpirun's
     * {@code --report-bindings} lines), or a sentence saying it is unknown.
     *
     * @param jobLog the job's combined output
     */
    String binding(Path jobLog);

    // ---- job side (on the spawner, inside the VM) ----

    /** The engine's name and version, as the running engine reports it. */
    String engineVersion();

    /** Raw variants for latency, e.g. {@code direct} and {@code bytes}; the first is the reference. */
    List<String> rawLatencyVariants();

    /** Raw variants for bandwidth, e.g. {@code direct}, {@code bytes} and {@code doubles}. */
    List<String> rawBandwidthVariants();

    /**
     * Starts the engine's own echo on a worker (as a ParaVM task that then talks to the
     * engine directly) and returns the spawner's end of it.
     *
     * @param vm   the open VM, on the spawner
     * @param spec what to exchange
     */
    RawChannel openRaw(VirtualMachine vm, RawSpec spec);
}
