package io.paravm.launcher;

import io.paravm.spi.launch.ClassPaths;
import io.paravm.spi.launch.LaunchException;
import io.paravm.spi.launch.LaunchRequest;
import io.paravm.spi.launch.ProcessTree;
import io.paravm.spi.launch.SpawnerJit;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Starts a job through its engine's recipe, waits for it, and ends every process it started; the job's exit status is the launcher's. */
final class JobRunner {

    /** The exit status when the job ran past {@code --timeout} (as {@code timeout(1)}'s). */
    static final int TIMED_OUT = 124;
    /** The exit status when the launcher was interrupted (as a shell's after SIGINT). */
    static final int INTERRUPTED = 130;

    private JobRunner() {
    }

    /**
     * Runs a job to its end, or until its timeout, or until this JVM is stopped; then ends
     * every process it started.
     *
     * @param installation where the engines' class paths are
     * @param engine       the engine to run on
     * @param ranks        the ranks, spawner included
     * @param classPath    the program's class path
     * @param mainClass    the class every rank runs
     * @param args         the program's arguments
     * @param options      the common options (JVM options, timeout)
     * @param engineValues the engine's own options given
     * @param err          where the launcher's own messages go
     * @return the job's exit status
     */
    static int run(Installation installation, Engine engine, int ranks, String classPath, String mainClass,
                   List<String> args, JobOptions options, Map<String, String> engineValues, PrintWriter err) {
        if (!engine.installed()) {
            throw new LaunchException("transport " + engine.name() + " is not installed here: " + engine.check().detail());
        }
        checkClassPath(classPath, Path.of("").toAbsolutePath());
        Optional<Duration> timeout = options.timeout();
        timeout.ifPresent(t -> {
            if (t.isNegative() || t.isZero()) throw new LaunchException("--timeout " + t.toSeconds() + " must be positive");
        });
        int cores = Runtime.getRuntime().availableProcessors();
        // a bad setting fails before anything is said
        List<String> spawnerOptions = SpawnerJit.options(System.getenv(), ranks, cores,
                EngineOptions.ranksElsewhere(engineValues), options.jvmOptions(), engine.recipe().startsSpawnerApart());
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String engineClassPath = engine.classPath(installation.conf());
        List<String> jvmOptions = new ArrayList<>(options.jvmOptions());
        Optional<ClassDataCache> classData = ClassDataCache.forJob(System.getenv(), engine.name(), engineValues, java,
                classPath + File.pathSeparator + engineClassPath, jvmOptions, engine.check().detail());
        classData.ifPresent(c -> {
            jvmOptions.addAll(c.jvmOptions());
            if (c.writes()) {
                err.println("paravm: the spawner saves the classes it loaded to " + c.archive() + " as the job ends "
                        + "(a few seconds, once for this class path and these options), so later jobs start faster ("
                        + ClassDataCache.ENV_NAME + "=off: never)");
                err.flush();
            }
        });
        if (!spawnerOptions.isEmpty()) {
            err.println("paravm: the spawner compiles with C1 only (" + String.join(" ", spawnerOptions) + "), leaving "
                    + "more of this machine's " + cores + " cores to the " + (ranks - 1) + " workers' tasks ("
                    + SpawnerJit.ENV_NAME + "=full gives it the full JIT, for heavy work in the spawner)");
            err.flush();
        }
        LaunchRequest request = new LaunchRequest(ranks, classPath, engineClassPath, mainClass, args, jvmOptions,
                engineValues, java, spawnerOptions);
        ProcessBuilder command = engine.recipe().command(request).inheritIO();
        int status = INTERRUPTED;
        try (ProcessTree tree = ProcessTree.create()) {
            Process job = tree.start(command);
            if (timeout.isEmpty()) return status = job.waitFor();
            if (job.waitFor(timeout.get().toMillis(), TimeUnit.MILLISECONDS)) return status = job.exitValue();
            err.println("paravm: the job ran longer than --timeout " + timeout.get().toSeconds() + " s; ending it");
            err.flush();
            return status = TIMED_OUT;
        } catch (IOException e) {
            throw new LaunchException("could not start " + command.command().get(0) + " for " + engine.name() + ": "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return INTERRUPTED;
        } finally {
            // after the tree has ended every process: the archive the spawner wrote is kept only if the job ended well
            int ended = status;
            classData.ifPresent(c -> c.jobEnded(ended));
        }
    }

    /**
     * Checks that every class path entry exists (relative ones against {@code workDir}), so a
     * typo fails here rather than as N copies of "could not find main class".
     */
    static void checkClassPath(String classPath, Path workDir) {
        if (classPath == null || classPath.isBlank()) throw new LaunchException("no class path given; use -cp CLASSPATH");
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.isEmpty()) continue;
            Optional<Path> dir = ClassPaths.wildcardDirectory(entry);
            Path p = workDir.resolve(dir.orElse(Path.of(entry)));
            if (dir.isPresent() ? !Files.isDirectory(p) : !Files.exists(p)) {
                throw new LaunchException("class path entry " + entry + " does not exist (looked for " + p.normalize()
                        + "); -cp takes directories, jars and dir/* separated by " + File.pathSeparator);
            }
        }
    }
}
