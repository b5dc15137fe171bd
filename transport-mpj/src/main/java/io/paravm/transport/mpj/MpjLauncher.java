package io.paravm.transport.mpj;

import io.paravm.spi.launch.LaunchException;
import io.paravm.spi.launch.ProcessTree;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a program on MPJ Express without MPJ's scripts or daemons, and ends everything it
 * started when the job ends, fails or is interrupted (every JVM runs in one {@link ProcessTree}).
 *
 * <ul>
 * <li>{@code multicore}: one child JVM running MPJ's {@code MulticoreStarter}; every rank is
 * a thread with its own class loader over the given class path ({@link RankCommand#multicore}).</li>
 * <li>{@code niodev}: one JVM per rank; the launcher is MPJ's rendezvous server
 * ({@link NiodevRendezvous}), and the job's status follows {@link JobExitPolicy}.</li>
 * </ul>
 * Every rank runs {@link MpjRankMain} in front of the main class. The exit status is the
 * spawner's (rank 0), or that of a rank that failed first; a rank still running
 * {@value MpjProperties#EXIT_GRACE_MILLIS_PROP_NAME} ms after the spawner ended is ended.
 * System properties named {@code paravm.*} are passed on to the ranks.
 *
 * <pre>{@code
 * java -cp CP io.paravm.transport.mpj.MpjLauncher -np 4 -dev niodev -J-Xmx1g -cp CP com.example.Main arg1
 * int status = MpjLauncher.run(new MpjJob(4, MpjDevice.MULTICORE, cp, "com.example.Main", List.of("arg1"), List.of()));
 * }</pre>
 */
public final class MpjLauncher {

    /** The exit status when the launcher was interrupted while the job ran (as a shell's after Ctrl-C). */
    public static final int INTERRUPTED_STATUS = 130;

    private static final Logger LOG = LoggerFactory.getLogger(MpjLauncher.class);
    /** How long rank JVMs have to stop, once asked, before they are killed. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private MpjLauncher() {
    }

    /**
     * Command line entry point; exits with the job's status ({@value LaunchException#EXIT_STATUS}
     * when it cannot start).
     *
     * @param argv {@code -np N -dev multicore|niodev [-J<jvm option>]... [-cp CLASSPATH] MAIN [ARGS...]}
     */
    public static void main(String[] argv) {
        System.exit(execute(argv));
    }

    /**
     * Runs a command line to its end, saying what went wrong in the log.
     *
     * @param argv {@code -np N -dev multicore|niodev [-J<jvm option>]... [-cp CLASSPATH] MAIN [ARGS...]};
     *             {@code -cp} defaults to this JVM's class path
     * @return the job's exit status; {@value LaunchException#EXIT_STATUS} on a bad command line, when MPJ
     *         Express is not installed or a JVM cannot start; {@value #INTERRUPTED_STATUS} if interrupted
     */
    public static int execute(String... argv) {
        MpjJob job;
        try {
            job = MpjCommandLine.parse(argv);
        } catch (LaunchException e) {
            LOG.error("{}\n{}", e.getMessage(), MpjCommandLine.usage());
            return LaunchException.EXIT_STATUS;
        }
        try {
            return run(job);
        } catch (LaunchException e) {
            LOG.error("{}", e.getMessage()); // MPJ not installed, a JVM that cannot start: the message says what to do
            return LaunchException.EXIT_STATUS;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return INTERRUPTED_STATUS;
        }
    }

    /**
     * Runs a job to its end, then ends every JVM of it still running.
     *
     * @param job the job
     * @return its exit status: 0 when every rank succeeded
     * @throws LaunchException      if MPJ Express is not installed, or a JVM or the rendezvous port fails
     * @throws InterruptedException if interrupted while waiting (the job is then ended)
     */
    public static int run(MpjJob job) throws InterruptedException {
        MpjJob absolute = job.withAbsoluteClassPath();
        MpjHome home = MpjHome.locate().requireInstalled();
        try (ProcessTree tree = ProcessTree.create()) {
            try {
                return absolute.device() == MpjDevice.MULTICORE ? multicore(absolute, home, tree)
                        : niodev(absolute, home, tree);
            } catch (IOException e) {
                throw new LaunchException("the MPJ " + absolute.device().id() + " job " + absolute.mainClass()
                        + " could not start: " + e.getMessage() + " (is " + home + " complete, and is there a free "
                        + "loopback port?)", e);
            } finally {
                tree.endAll(STOP_GRACE);
            }
        }
    }

    private static int multicore(MpjJob job, MpjHome home, ProcessTree tree) throws IOException, InterruptedException {
        int status = start(tree, RankCommand.multicore(job, home)).waitFor();
        if (status != 0) LOG.error("MPJ multicore job {} ({} ranks) ended with status {}", job.mainClass(), job.ranks(), status);
        return status;
    }

    private static int niodev(MpjJob job, MpjHome home, ProcessTree tree) throws IOException, InterruptedException {
        List<Process> ranks = new ArrayList<>();
        try (NiodevRendezvous rendezvous = new NiodevRendezvous(job.ranks())) {
            String configuration = rendezvous.configuration(MpjProperties.longProperty(
                    MpjProperties.PROTOCOL_SWITCH_BYTES_PROP_NAME, MpjProperties.PROTOCOL_SWITCH_BYTES_DEFAULT));
            for (int r = 0; r < job.ranks(); r++) ranks.add(start(tree, RankCommand.niodev(job, home, r, configuration)));
            long timeout = MpjProperties.longProperty(MpjProperties.STARTUP_TIMEOUT_MILLIS_PROP_NAME,
                    MpjProperties.STARTUP_TIMEOUT_MILLIS_DEFAULT);
            if (!rendezvous.await(ranks, timeout)) return 1;
        }
        Duration grace = Duration.ofMillis(MpjProperties.longProperty(MpjProperties.EXIT_GRACE_MILLIS_PROP_NAME,
                MpjProperties.EXIT_GRACE_MILLIS_DEFAULT));
        return new JobExitPolicy(grace).await(job.mainClass(), ranks);
    }

    private static Process start(ProcessTree tree, ProcessBuilder command) throws IOException {
        LOG.debug("starting {}", command.command());
        return tree.start(command);
    }
}
