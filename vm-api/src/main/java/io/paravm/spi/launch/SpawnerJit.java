package io.paravm.spi.launch;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which JIT the spawner's JVM gets. At {@code -np} = cores + 1, {@code paravm run}'s default,
 * the workers' tasks need every core, and a fresh spawner's C2 compiler takes a large share of
 * one: in the Mandelbrot demo on Hazelcast, about 11 s of compiler-thread CPU over its first
 * 20-30 s, while a worker's JIT needs about 6 s. The spawner's own work (sending jobs, reading
 * results) runs well enough compiled by C1 alone, which compiles sooner and costs a fraction of
 * that; the workers keep the full JIT for the user's function. Measured (docs/waiting.md): the
 * demo's warm speed-up on Hazelcast 1.43-1.49x against 1.31-1.36x, 3 interleaved pairs. The
 * efficiency suite on another machine of the kind, at {@code -np 3} on 2 cores: a map of 1 ms
 * tasks the same; a map of 0.1 ms tasks on Open MPI 0.83-0.87 against 0.68 (its spawner used
 * half the CPU); a fresh job's first tasks faster on every engine. The price is paid where the
 * spawner itself is the bottleneck: a warm spawn loop of trivial tasks, about a fifth slower.
 *
 * <p>{@value #ENV_NAME}: {@code auto} (the default: C1 only while ranks outnumber this
 * machine's cores), {@code full} (never; for a program that does heavy work in its spawner),
 * {@code quick} (whenever the job has workers). Never for a job with ranks on other hosts.
 *
 * <p>The rule lives here, in the launch SPI, so that {@code paravm run} and anything else that
 * starts a job the way it does (the benchmarks' orchestrators) give the spawner the same JIT.
 *
 * <pre>{@code
 * List<String> spawnerOnly = SpawnerJit.options(System.getenv(), 3, 2, false, List.of("-Xmx1g"), true);
 * // [-XX:TieredStopAtLevel=1] on 2 cores, unless PARAVM_SPAWNER_JIT=full or the user chose a JIT
 * }</pre>
 */
public final class SpawnerJit {

    /** The setting's environment variable. */
    public static final String ENV_NAME = "PARAVM_SPAWNER_JIT";
    /** The spawner's options when it compiles with C1 only. */
    public static final List<String> QUICK = List.of("-XX:TieredStopAtLevel=1");
    /** JIT options of the user's own, which this leaves alone. */
    private static final List<String> USER_JIT_OPTIONS = List.of("-XX:TieredStopAtLevel", "-XX:-TieredCompilation",
            "-XX:+TieredCompilation", "-Xint", "-Xcomp", "-Xmixed", "-XX:CICompilerCount");

    private SpawnerJit() {
    }

    /**
     * Returns the options for the spawner's JVM only.
     *
     * @param env            the environment ({@value #ENV_NAME}, {@code JAVA_TOOL_OPTIONS})
     * @param ranks          the job's ranks, spawner included
     * @param cores          this machine's cores
     * @param ranksElsewhere whether some ranks run on other hosts ({@code --hosts}, {@code --join})
     * @param jvmOptions     every rank's JVM options given
     * @param spawnerApart   whether the engine's recipe starts the spawner's JVM apart
     * @return the spawner's own options ({@link #QUICK}), or none
     * @throws LaunchException if the setting is none of auto, full, quick
     */
    public static List<String> options(Map<String, String> env, int ranks, int cores, boolean ranksElsewhere,
                                       List<String> jvmOptions, boolean spawnerApart) {
        String setting = env.getOrDefault(ENV_NAME, "auto").trim().toLowerCase(Locale.ROOT);
        if (!List.of("auto", "full", "quick", "").contains(setting)) {
            throw new LaunchException(ENV_NAME + "=" + env.get(ENV_NAME) + " is not auto, full or quick; leave it unset "
                    + "for auto (the spawner compiles with C1 only while ranks outnumber the cores), or set full to "
                    + "give it the full JIT");
        }
        if (setting.equals("full") || !spawnerApart || ranks < 2 || ranksElsewhere) {
            return List.of(); // --hosts, --join: ranks elsewhere, and no spawner here for --join
        }
        if (UserJvmOptions.of(env, jvmOptions).stream()
                .anyMatch(o -> USER_JIT_OPTIONS.stream().anyMatch(o::startsWith))) {
            return List.of();
        }
        return setting.equals("quick") || ranks > cores ? QUICK : List.of();
    }
}
