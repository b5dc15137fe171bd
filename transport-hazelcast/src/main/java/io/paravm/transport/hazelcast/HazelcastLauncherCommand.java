package io.paravm.transport.hazelcast;

import io.paravm.VmException;
import io.paravm.spi.launch.LaunchException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs {@link HazelcastLauncher}'s command line and returns its exit status.
 *
 * <p>It parses the command line with picocli (everything after MAIN is the program's), builds
 * the launcher, and runs the job or starts the joining workers; only
 * {@link HazelcastLauncher#main} exits.
 *
 * <pre>{@code
 * int status = HazelcastLauncherCommand.execute("-np", "4", "-J-Xmx1g", "com.example.Main", "arg1");
 * }</pre>
 */
@Command(name = "HazelcastLauncher", sortOptions = false, separator = " ",
        customSynopsis = "Usage: HazelcastLauncher [-np N] [--join HOST:PORT --cluster NAME] [--secret-file FILE] "
                + "[--port P] [--interface IP] [--timeout SECONDS] [-cp CLASSPATH] [-J<jvm option>]... [-S<jvm option>]... MAIN_CLASS [ARGS...]",
        description = "Starts a ParaVM job of member JVMs on Hazelcast (the spawner, then workers that join it), or "
                + "with --join, workers that join a spawner elsewhere; exits with the spawner's status.")
final class HazelcastLauncherCommand {

    /** The default number of JVMs of a job: the spawner and one worker. */
    static final int NP_DEFAULT = 2;
    /** As good as no limit: Long.MAX_VALUE milliseconds, in seconds, with room to spare. */
    static final long TIMEOUT_SECONDS_DEFAULT = Long.MAX_VALUE / 2_000_000_000L;

    /** Under the launcher's name, the command the user typed. */
    private static final Logger LOG = LoggerFactory.getLogger(HazelcastLauncher.class);

    @Option(names = {"-np", "-n"}, paramLabel = "N",
            description = "JVMs (ranks) of the job, spawner included (default 2); with --join, workers to start (default 1).")
    Integer np;

    @Option(names = "--join", paramLabel = "HOST:PORT", description = "Start workers joining the spawner there.")
    String join;

    @Option(names = "--cluster", paramLabel = "NAME", description = "The cluster name; --join needs the spawner's.")
    String cluster;

    @Option(names = "--secret-file", paramLabel = "FILE",
            description = "The job's secret: read from FILE, or for a new job written there if it does not exist.")
    Path secretFile;

    @Option(names = "--port", paramLabel = "P", description = "The spawner's port (default: a free one).")
    int port;

    @Option(names = "--interface", paramLabel = "IP", description = "The address members bind to (default loopback).")
    String iface = HazelcastProperties.INTERFACE_DEFAULT;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "How long the job may run (default: no limit).")
    long timeoutSeconds = TIMEOUT_SECONDS_DEFAULT;

    @Option(names = {"-cp", "-classpath", "--class-path"}, paramLabel = "CLASSPATH",
            description = "The class path of the JVMs (default: this JVM's).")
    String classpath;

    @Option(names = "-J", paramLabel = "<jvm option>", description = "An option for every JVM, one token: -J-Xmx2g.")
    List<String> jvmOptions = new ArrayList<>();

    @Option(names = "-S", paramLabel = "<jvm option>", description = "An option for the spawner's JVM only, after "
            + "those of -J: -S-XX:TieredStopAtLevel=1.")
    List<String> spawnerJvmOptions = new ArrayList<>();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    @Parameters(index = "0", paramLabel = "MAIN_CLASS", description = "The class whose main every JVM runs.")
    String mainClass;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "The program's arguments.")
    List<String> args = new ArrayList<>();

    /**
     * @param argv the command line
     * @return the spawner's exit status; with {@code --join}, 0 when every worker exited with 0,
     *         else 1; {@link LaunchException#EXIT_STATUS} for a usage error
     */
    static int execute(String... argv) {
        CommandLine cl = commandLine(new HazelcastLauncherCommand());
        HazelcastLauncherCommand c;
        try {
            c = parse(cl, argv);
        } catch (CommandLine.ParameterException | LaunchException e) {
            LOG.error("{}\n{}", e.getMessage(), cl.getUsageMessage());
            return LaunchException.EXIT_STATUS;
        }
        if (cl.isUsageHelpRequested()) {
            LOG.info("{}", cl.getUsageMessage());
            return 0;
        }
        HazelcastLauncher job;
        try {
            job = c.builder().build();
        } catch (VmException e) {
            LOG.error("{}", e.getMessage());
            return LaunchException.EXIT_STATUS;
        }
        return c.run(job);
    }

    /**
     * Parses and checks a command line, starting nothing.
     *
     * @param argv the command line
     * @return the parsed command
     * @throws CommandLine.ParameterException if picocli cannot parse it
     * @throws LaunchException if the options do not go together
     */
    static HazelcastLauncherCommand parse(String... argv) {
        return parse(commandLine(new HazelcastLauncherCommand()), argv);
    }

    private static CommandLine commandLine(HazelcastLauncherCommand c) {
        // Everything from MAIN on is the program's, taken as it is: no @file expansion either.
        return new CommandLine(c).setStopAtPositional(true).setExpandAtFiles(false);
    }

    private static HazelcastLauncherCommand parse(CommandLine cl, String... argv) {
        cl.parseArgs(argv);
        HazelcastLauncherCommand c = cl.getCommand();
        if (!cl.isUsageHelpRequested()) c.validate();
        return c;
    }

    private void validate() {
        if (mainClass == null) throw new LaunchException("no main class given");
        if (join != null && cluster == null) {
            throw new LaunchException("--join needs --cluster NAME, the spawner's cluster name");
        }
        if (np != null && np < 1) {
            throw new LaunchException("-np " + np + " must be at least 1 (" + (join != null ? "a worker" : "the spawner") + ")");
        }
    }

    private HazelcastLauncher.Builder builder() {
        HazelcastLauncher.Builder b = HazelcastLauncher.builder().join(join).cluster(cluster).secretFile(secretFile)
                .port(port).networkInterface(iface).classpath(classpath).mainClass(mainClass).args(args);
        jvmOptions.forEach(b::jvmOption);
        spawnerJvmOptions.forEach(b::spawnerJvmOption);
        return b;
    }

    private int run(HazelcastLauncher job) {
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        try {
            if (job.joinsElsewhere()) {
                try {
                    for (int w = 0; w < (np == null ? 1 : np); w++) job.startWorker();
                    return job.awaitAll(timeout) ? 0 : 1;
                } finally {
                    job.close();
                }
            }
            LOG.info("ParaVM job on Hazelcast: cluster '{}', spawner at {}; other machines join with: {}",
                    job.clusterName(), job.joinAddress(), job.joinHint());
            return job.run(np == null ? NP_DEFAULT : np, timeout);
        } catch (VmException e) {
            LOG.error("{}", e.getMessage());
            return 1;
        }
    }
}
