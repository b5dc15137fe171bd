package io.paravm.examples.launcher;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/** Starts a {@link Job} the way its engine wants and waits for it; its exit status is the job's. */
final class JobRunner {

    /** The exit status when the job ran past {@code --timeout} (as {@code timeout(1)}'s). */
    static final int TIMED_OUT = 124;

    private JobRunner() {
    }

    /**
     * Picks the engine a job runs on when none was named: the installed one whose provider
     * ranks highest, announced on {@code err} in one line.
     *
     * @param installation where the engines' class paths are
     * @param err          where to say which engine was chosen
     * @return the engine
     */
    static Engine bestInstalled(Installation installation, PrintWriter err) {
        List<EngineStatus> all = EngineStatus.probeAll(installation);
        EngineStatus best = EngineStatus.best(all).orElseThrow(() -> new LaunchException(
                "no transport is installed here; `paravm info` says why for each"));
        err.println("paravm: running on " + best.engine() + ", the best installed transport (choose with --transport; "
                + "paravm info lists them)");
        err.flush();
        return best.engine();
    }

    /**
     * Runs a job to its end, or until its timeout, or until this JVM is stopped; then ends
     * every process it started.
     *
     * @param installation where the engines' class paths are
     * @param job          the job
     * @param err          where the launcher's own messages go
     * @return the job's exit status
     */
    static int run(Installation installation, Job job, PrintWriter err) {
        EngineStatus status = EngineStatus.probe(installation, job.engine());
        if (!status.installed()) {
            throw new LaunchException("transport " + job.engine() + " is not installed here: " + status.detail());
        }
        Path workDir = Path.of("").toAbsolutePath();
        job.checkClassPath(workDir);
        ProcessBuilder command = job.command(installation, Path.of(System.getProperty("java.home"), "bin", "java"))
                .inheritIO();
        try (ProcessTree tree = ProcessTree.start(command)) {
            int exit = tree.waitFor(job.timeout().orElse(null));
            if (exit == -1 && tree.root().isAlive()) {
                err.println("paravm: the job ran longer than --timeout " + job.timeout().orElseThrow().toSeconds()
                        + " s; ending it");
                return TIMED_OUT;
            }
            return exit;
        } catch (IOException e) {
            throw new LaunchException("could not start " + command.command().get(0) + " for " + job.engine() + ": "
                    + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }
}
