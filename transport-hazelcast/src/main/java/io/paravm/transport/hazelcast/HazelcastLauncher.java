package io.paravm.transport.hazelcast;

import io.paravm.VmException;
import io.paravm.spi.launch.LaunchException;
import io.paravm.spi.launch.ProcessTree;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Starts and ends the member JVMs of one ParaVM job on Hazelcast.
 *
 * <p>The spawner (rank 0) starts first, then the workers, which join it; every JVM runs the
 * same {@code main}. Picks a free port ({@link FreePort}), a unique cluster name and the job's
 * secret ({@link JobSecret}, handed to the JVMs in their environment, so it does not show in
 * {@code ps}), listens on loopback unless told otherwise, and ends every JVM it started
 * ({@link ExitPolicy}, in one {@link ProcessTree}) when the spawner ends or dies, or when the
 * launcher itself is stopped. Also starts workers that join a spawner elsewhere; they need the
 * spawner's secret, which {@code --secret-file FILE} shares (the spawner's launcher writes a
 * new one there, readable only by you, if the file does not exist).
 *
 * <pre>{@code
 * // command line: 4 JVMs on this machine; exits with the spawner's exit code
 * java -cp app.jar:... io.paravm.transport.hazelcast.HazelcastLauncher -np 4 com.example.Main arg1
 * // a job other machines may join: its secret is written to (or read from) ~/.paravm-secret
 * java -cp app.jar:... io.paravm.transport.hazelcast.HazelcastLauncher --interface 10.0.0.5 \
 *      --secret-file ~/.paravm-secret -np 4 com.example.Main arg1
 * // 2 more workers, on another machine with a copy of that file, joining that job
 * // (the spawner's log names the address and cluster)
 * java -cp app.jar:... io.paravm.transport.hazelcast.HazelcastLauncher --join 10.0.0.5:5701 \
 *      --cluster paravm-1a2b3c4d --secret-file ~/.paravm-secret --interface 10.0.0.7 -np 2 com.example.Main arg1
 *
 * // API
 * try (HazelcastLauncher job = HazelcastLauncher.builder().mainClass("com.example.Main").build()) {
 *     int exit = job.run(4, Duration.ofMinutes(10));
 * }
 * }</pre>
 */
public final class HazelcastLauncher implements AutoCloseable {

    /** The JVM options Hazelcast asks for on Java 17; given to every JVM started. */
    public static final List<String> JVM_FLAGS = List.of("--add-modules", "java.se",
            "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.management/sun.management=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "-Dorg.slf4j.simpleLogger.log.com.hazelcast=warn");

    /** How long workers may take to leave by themselves once the spawner has ended. */
    public static final Duration WORKER_GRACE = ExitPolicy.WORKER_GRACE;

    private static final Logger LOG = LoggerFactory.getLogger(HazelcastLauncher.class);

    private final String cluster;
    private final String secret;     // never logged nor put on a command line
    private final Path secretFile;
    private final String iface;
    private final int port;
    private final String join;
    private final MemberCommand member;
    private final ProcessTree tree;
    private int workersStarted;

    private HazelcastLauncher(Builder b) {
        this.cluster = b.cluster != null ? b.cluster
                : "paravm-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
        this.iface = b.iface;
        this.join = b.join;
        this.secretFile = b.secretFile;
        this.secret = JobSecret.resolve(b.secret, b.secretFile, b.join);
        this.port = b.port > 0 ? b.port : b.join != null ? 0 : FreePort.on(b.iface);
        this.member = new MemberCommand(cluster, iface, b.classpath != null ? b.classpath
                : System.getProperty("java.class.path"), b.jvmOptions, b.spawnerJvmOptions,
                Objects.requireNonNull(b.mainClass, "mainClass"),
                b.args, b.logDir);
        this.tree = ProcessTree.create();
    }

    /** Returns a builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the cluster name every JVM of this job uses. */
    public String clusterName() {
        return cluster;
    }

    /** Returns the spawner's address, {@code host:port}, that workers join. */
    public String joinAddress() {
        return join != null ? join : iface + ":" + port;
    }

    /** Returns whether this launcher only starts workers that join a spawner elsewhere. */
    boolean joinsElsewhere() {
        return join != null;
    }

    /** Returns how workers on other machines join this job, for the log. */
    String joinHint() {
        return "--join " + joinAddress() + " --cluster " + cluster + " " + (secretFile != null
                ? "--secret-file <a copy of " + secretFile + ">"
                : "--secret-file FILE, once this job is started with --secret-file FILE (they need its secret)");
    }

    /**
     * Starts the spawner's JVM, which waits for {@code np} ranks in all before it opens.
     *
     * @param np the ranks to wait for, spawner included
     * @return its process
     */
    public Process startSpawner(int np) {
        if (join != null) throw new VmException("this launcher joins the spawner at " + join + "; it starts no spawner");
        return start(MemberCommand.SPAWNER_ROLE, MemberCommand.spawner(port, np));
    }

    /**
     * Starts one worker JVM that joins the spawner at {@link #joinAddress()}.
     *
     * @return its process
     */
    public synchronized Process startWorker() {
        return start("worker-" + ++workersStarted, MemberCommand.worker(joinAddress()));
    }

    private Process start(String role, List<String> roleProperties) {
        ProcessBuilder pb = member.build(role, roleProperties, secret);
        try {
            Process p = tree.start(pb);
            LOG.debug("started {} (pid {}) of cluster '{}' at {}", role, p.pid(), cluster, joinAddress());
            return p;
        } catch (IOException e) {
            throw new VmException("could not start the " + role + " JVM (" + pb.command().get(0) + "): " + e.getMessage(), e);
        }
    }

    /**
     * Runs a whole job: the spawner, then {@code np - 1} workers; waits for the spawner,
     * then ends every JVM still running.
     *
     * @param np      the number of JVMs (ranks), at least 1
     * @param timeout how long the spawner may run; then everything is ended and -1 returned
     * @return the spawner's exit code
     */
    public int run(int np, Duration timeout) {
        if (np < 1) throw new VmException("-np " + np + " must be at least 1 (the spawner)");
        try {
            Process spawner = startSpawner(np);
            for (int i = 1; i < np; i++) startWorker();
            return ExitPolicy.spawnerStatus(spawner, timeout);
        } finally {
            close();
        }
    }

    /**
     * Waits for every JVM this launcher started to exit.
     *
     * @param timeout how long to wait in all
     * @return whether they all exited with 0 in time
     */
    public boolean awaitAll(Duration timeout) {
        return ExitPolicy.allSucceeded(tree, timeout);
    }

    /**
     * Ends every JVM this launcher started: lets workers leave by themselves for
     * {@link #WORKER_GRACE}, then asks them to stop, then kills them.
     */
    @Override
    public void close() {
        ExitPolicy.end(tree);
        tree.close();
    }

    /** Ends every JVM this launcher started at once, without a grace period. */
    public void kill() {
        tree.kill();
    }

    /**
     * Runs the command line ({@link HazelcastLauncherCommand}) and returns its exit status
     * instead of exiting.
     *
     * @param argv {@code [-np N] [--join HOST:PORT --cluster NAME] [--secret-file FILE] [--port P]
     *             [--interface IP] [--timeout SECONDS] [-cp CLASSPATH] [-J<jvm option>]... [-S<spawner's jvm option>]...
     *             MAIN_CLASS [ARGS...]}
     * @return the spawner's exit status; with {@code --join}, 0 when every worker exited with 0;
     *         {@link LaunchException#EXIT_STATUS} for a usage error
     */
    public static int execute(String... argv) {
        return HazelcastLauncherCommand.execute(argv);
    }

    /**
     * Command line. Starts a job ({@code -np N}, default 2) and exits with the spawner's exit
     * code; or, with {@code --join}, starts {@code N} workers (default 1) joining a spawner
     * elsewhere and exits when they have.
     *
     * @param argv as {@link #execute}
     */
    public static void main(String[] argv) {
        System.exit(execute(argv));
    }

    /** Configures a {@link HazelcastLauncher}. */
    public static final class Builder {
        private String cluster;
        private String secret;
        private Path secretFile;
        private String iface = HazelcastProperties.INTERFACE_DEFAULT;
        private int port;
        private String join;
        private String classpath;
        private final List<String> jvmOptions = new ArrayList<>();
        private final List<String> spawnerJvmOptions = new ArrayList<>();
        private String mainClass;
        private List<String> args = List.of();
        private Path logDir;

        private Builder() {
        }

        /** @param name the cluster name (default: {@code paravm-} and 8 random hex digits) */
        public Builder cluster(String name) {
            this.cluster = name;
            return this;
        }

        /**
         * @param value the cluster's shared secret (default: {@link #secretFile}'s, else the
         *              environment's {@code PARAVM_HAZELCAST_SECRET}, else a new random one;
         *              joining a spawner elsewhere needs one)
         */
        public Builder secret(String value) {
            this.secret = value;
            return this;
        }

        /**
         * @param file a file holding the shared secret; for a new job (no {@link #join}), a
         *             file that does not exist yet is created with a new secret, readable only
         *             by you, to copy to the machines whose workers will join
         */
        public Builder secretFile(Path file) {
            this.secretFile = file;
            return this;
        }

        /** @param address the address members bind to and announce (default loopback) */
        public Builder networkInterface(String address) {
            this.iface = address;
            return this;
        }

        /** @param p the spawner's port (default: a free one) */
        public Builder port(int p) {
            this.port = p;
            return this;
        }

        /** @param address join the spawner at {@code host:port} instead of starting one */
        public Builder join(String address) {
            this.join = address;
            return this;
        }

        /** @param cp the class path of the JVMs (default: this JVM's) */
        public Builder classpath(String cp) {
            this.classpath = cp;
            return this;
        }

        /** @param option one more JVM option, e.g. {@code -Xmx2g} */
        public Builder jvmOption(String option) {
            this.jvmOptions.add(option);
            return this;
        }

        /** @param option one more option for the spawner's JVM only, after those of {@link #jvmOption} */
        public Builder spawnerJvmOption(String option) {
            this.spawnerJvmOptions.add(option);
            return this;
        }

        /** @param name the class whose {@code main} every JVM runs */
        public Builder mainClass(String name) {
            this.mainClass = name;
            return this;
        }

        /** @param arguments the program's arguments */
        public Builder args(List<String> arguments) {
            this.args = List.copyOf(arguments);
            return this;
        }

        /** @param dir write each JVM's output to {@code dir/<role>.log} instead of this JVM's */
        public Builder logDirectory(Path dir) {
            this.logDir = dir;
            return this;
        }

        /** Returns the launcher; nothing is started yet. */
        public HazelcastLauncher build() {
            return new HazelcastLauncher(this);
        }
    }
}
