package io.paravm.transport.mpi;

import io.paravm.spi.launch.LaunchRequest;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How the tests start {@code mpi} jobs: through this module's own launch recipe (so its
 * command line is what every test runs), on the test JVM's class path and Java (22+).
 *
 * <pre>{@code
 * Process job = MpiJobs.command(MpiAbi.MPICH, 3, List.of("-Xss8m"), FaultJob.class.getName(), List.of("--mode", "hold"))
 *         .redirectErrorStream(true).start();
 * }</pre>
 */
final class MpiJobs {

    private MpiJobs() {
    }

    /** The names of the MPIs every job-level test runs on (names: they make the tests' folder names). */
    static List<String> mpis() {
        return MpiAbi.KNOWN.stream().map(MpiAbi::name).toList();
    }

    /**
     * @param mpi        the MPI whose mpirun starts the job
     * @param ranks      the number of ranks
     * @param jvmOptions options for every rank's JVM
     * @param main       the class every rank runs
     * @param args       its arguments
     * @return the job's command, environment set, not started
     */
    static ProcessBuilder command(MpiAbi mpi, int ranks, List<String> jvmOptions, String main, List<String> args) {
        LaunchRequest request = new LaunchRequest(ranks, "", System.getProperty("java.class.path"), main, args, jvmOptions,
                Map.of(MpiEngineLauncher.MPI_OPTION, mpi.name()), Path.of(System.getProperty("java.home"), "bin", "java"));
        return new MpiEngineLauncher().command(request);
    }

    /**
     * A job whose last rank's JVM gets {@code lastRankOptions} too, in mpirun's MPMD form ({@code mpirun -np 2
     * java ... : -np 1 java ... -Dparavm.worker.slots=2 ...}, which both Open MPI and hydra take): how a user gives
     * one host's worker more slots, and how a 3-rank job runs the rules that need a worker with 2 slots beside
     * workers with one. Hosts are not given ({@code --hosts} would be a global option of hydra's).
     *
     * @param mpi             the MPI whose mpirun starts the job
     * @param ranks           the number of ranks, 2 or more
     * @param jvmOptions      options for every rank's JVM
     * @param lastRankOptions options for the last rank's JVM, after those
     * @param main            the class every rank runs
     * @param args            its arguments
     * @return the job's command, environment set, not started
     */
    static ProcessBuilder commandWithLastRank(MpiAbi mpi, int ranks, List<String> jvmOptions, List<String> lastRankOptions,
            String main, List<String> args) {
        if (ranks < 2) throw new IllegalArgumentException("an MPMD job needs 2 ranks or more, not " + ranks);
        ProcessBuilder first = command(mpi, ranks - 1, jvmOptions, main, args);
        List<String> lastOptions = new ArrayList<>(jvmOptions);
        lastOptions.addAll(lastRankOptions);
        List<String> last = command(mpi, 1, lastOptions, main, args).command();
        List<String> cmd = new ArrayList<>(first.command());
        cmd.add(":");
        cmd.addAll(last.subList(last.indexOf("-np"), last.size())); // the second app context: -np 1 java ...
        first.command(cmd);
        return first;
    }

    /** The seconds a TCK job may take before its test kills it and fails. */
    static long jobTimeoutSeconds() {
        return Long.getLong("tck.job.timeout", 900);
    }
}
