package io.paravm.transport.hazelcast;

import io.paravm.VmConfig;
import io.paravm.VmException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Starts the member JVMs of one ParaVM job on Hazelcast: the spawner (rank 0) first, then
 * the workers, which join it; every JVM runs the same {@code main}. Picks a free port, a
 * unique cluster name and a random shared secret per job (handed to the JVMs in their
 * environment, so it does not show in {@code ps}), listens on loopback unless told
 * otherwise, and ends every JVM it started when the spawner ends or dies, or when the
 * launcher itself is stopped. Also starts workers that join a spawner elsewhere; they need
 * the spawner's secret, which {@code --secret-file FILE} shares (the spawner's launcher
 * writes a new one there, readable only by you, if the file does not exist).
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
    public static final Duration WORKER_GRACE = Duration.ofSeconds(15);

    private static final Logger LOG = LoggerFactory.getLogger(HazelcastLauncher.class);
    private static final String USAGE = "usage: HazelcastLauncher [-np N] [--join HOST:PORT --cluster NAME] "
            + "[--secret-file FILE] [--port P] [--interface IP] [--timeout SECONDS] [-cp CLASSPATH] [-J<jvm option>]... "
            + "MAIN_CLASS [ARGS...]";

    private final String cluster;
    private final String secret;     // never logged nor put on a command line
    private final Path secretFile;
    private final String iface;
    private final int port;
    private final String join;
    private final String classpath;
    private final List<String> jvmOptions;
    private final String mainClass;
    private final List<String> args;
    private final Path logDir;
    private final List<Process> processes = new CopyOnWriteArrayList<>();
    private final Thread hook = new Thread(this::close, "paravm-launcher-shutdown");
    private int workersStarted;

    private HazelcastLauncher(Builder b) {
        this.cluster = b.cluster != null ? b.cluster
                : "paravm-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
        this.iface = b.iface;
        this.join = b.join;
        this.secretFile = b.secretFile;
        this.secret = secret(b);
        this.port = b.port > 0 ? b.port : b.join != null ? 0 : freePort(b.iface);
        this.classpath = b.classpath != null ? b.classpath : System.getProperty("java.class.path");
        this.jvmOptions = List.copyOf(b.jvmOptions);
        this.mainClass = Objects.requireNonNull(b.mainClass, "mainClass");
        this.args = List.copyOf(b.args);
        this.logDir = b.logDir;
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The secret given, else read from (or, for a new job, written to) the secret file, else inherited, else new. */
    private static String secret(Builder b) {
        if (b.secret != null) return b.secret;
        if (b.secretFile != null) {
            if (Files.exists(b.secretFile) || b.join != null) return HazelcastSecret.read(b.secretFile);
            String fresh = HazelcastSecret.newSecret();
            try {
                Files.writeString(Files.createFile(b.secretFile, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rw-------"))), fresh + System.lineSeparator());
            } catch (FileAlreadyExistsException e) {
                return HazelcastSecret.read(b.secretFile);
            } catch (IOException | UnsupportedOperationException e) {
                throw new VmException("cannot write a new secret to " + b.secretFile + ": " + e
                        + "; name a file in a directory you can write", e);
            }
            LOG.info("wrote a new secret for this job to {} (readable only by you); workers on other machines join "
                    + "with a copy of it: --secret-file FILE", b.secretFile);
            return fresh;
        }
        var inherited = HazelcastProperties.get(VmConfig.defaults(), HazelcastProperties.SECRET_PROP_NAME)
                .or(() -> HazelcastProperties.get(VmConfig.defaults(), HazelcastProperties.SECRET_FILE_PROP_NAME)
                        .map(f -> HazelcastSecret.read(Path.of(f))));
        if (inherited.isPresent()) return inherited.get();
        if (b.join != null) {
            throw new VmException("joining the spawner at " + b.join + " needs its secret: pass --secret-file FILE (a "
                    + "copy of the spawner's) or set the environment variable "
                    + HazelcastProperties.envName(HazelcastProperties.SECRET_PROP_NAME));
        }
        return HazelcastSecret.newSecret();
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

    /**
     * Starts the spawner's JVM, which waits for {@code np} ranks in all before it opens.
     *
     * @param np the ranks to wait for, spawner included
     * @return its process
     */
    public Process startSpawner(int np) {
        if (join != null) throw new VmException("this launcher joins the spawner at " + join + "; it starts no spawner");
        List<String> props = List.of("-D" + HazelcastProperties.PORT_PROP_NAME + "=" + port,
                "-D" + HazelcastProperties.NP_PROP_NAME + "=" + np);
        return start(props, "spawner");
    }

    /**
     * Starts one worker JVM that joins the spawner at {@link #joinAddress()}.
     *
     * @return its process
     */
    public synchronized Process startWorker() {
        return start(List.of("-D" + HazelcastProperties.JOIN_PROP_NAME + "=" + joinAddress()), "worker-" + ++workersStarted);
    }

    private Process start(List<String> roleProps, String role) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM_FLAGS);
        cmd.add("-D" + VmConfig.TRANSPORT_PROP_NAME + "=" + HazelcastTransport.NAME);
        cmd.add("-D" + HazelcastProperties.CLUSTER_PROP_NAME + "=" + cluster);
        cmd.add("-D" + HazelcastProperties.INTERFACE_PROP_NAME + "=" + iface);
        cmd.addAll(roleProps);
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(mainClass);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        // The environment, unlike the command line, is readable only by this user (and root).
        pb.environment().put(HazelcastProperties.envName(HazelcastProperties.SECRET_PROP_NAME), secret);
        pb.environment().remove(HazelcastProperties.envName(HazelcastProperties.SECRET_FILE_PROP_NAME));
        if (logDir != null) {
            try {
                Files.createDirectories(logDir);
            } catch (IOException e) {
                throw new VmException("cannot create the log directory " + logDir + ": " + e.getMessage(), e);
            }
            pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logDir.resolve(role + ".log").toFile()));
        } else {
            pb.inheritIO();
        }
        try {
            Process p = pb.start();
            processes.add(p);
            LOG.debug("started {} (pid {}) of cluster '{}' at {}", role, p.pid(), cluster, joinAddress());
            return p;
        } catch (IOException e) {
            throw new VmException("could not start the " + role + " JVM (" + cmd.get(0) + "): " + e.getMessage(), e);
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
        Process spawner = startSpawner(np);
        for (int i = 1; i < np; i++) startWorker();
        try {
            if (!spawner.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.error("the spawner (pid {}) ran longer than {}; ending the job", spawner.pid(), timeout);
                return -1;
            }
            return spawner.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
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
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean ok = true;
        try {
            for (Process p : processes) {
                long left = deadline - System.nanoTime();
                ok &= p.waitFor(Math.max(left, 0), TimeUnit.NANOSECONDS) && p.exitValue() == 0;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return ok;
    }

    /**
     * Ends every JVM this launcher started: lets workers leave by themselves for
     * {@link #WORKER_GRACE}, then asks them to stop, then kills them.
     */
    @Override
    public void close() {
        long deadline = System.nanoTime() + WORKER_GRACE.toNanos();
        try {
            for (Process p : processes) {
                long left = deadline - System.nanoTime();
                if (left > 0) p.waitFor(left, TimeUnit.NANOSECONDS);
                if (p.isAlive()) {
                    p.destroy();
                    if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            processes.forEach(Process::destroyForcibly);
        }
        if (Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down
            }
        }
    }

    /** Ends every JVM this launcher started at once, without a grace period. */
    public void kill() {
        for (Process p : processes) p.destroyForcibly();
    }

    /**
     * A port free on {@code iface} for a member to listen on. It is picked below the
     * system's ephemeral range when there is room: a port taken from that range (as
     * {@code new ServerSocket(0)} gives) can be handed to some outgoing connection in the
     * moment between choosing it and the member binding it.
     *
     * @param iface an address of this machine, or {@code *} for all
     * @return a port that was free just now
     */
    static int freePort(String iface) {
        try {
            InetAddress address = InetAddress.getByName(iface.contains("*") ? "0.0.0.0" : iface);
            int low = ephemeralLow();
            java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
            for (int attempt = 0; low > 10_000 && attempt < 100; attempt++) {
                int port = random.nextInt(10_000, low);
                try (ServerSocket s = new ServerSocket(port, 1, address)) {
                    return s.getLocalPort();
                } catch (IOException taken) {
                    // try another
                }
            }
            try (ServerSocket s = new ServerSocket(0, 1, address)) {
                return s.getLocalPort();
            }
        } catch (IOException e) {
            throw new VmException("no free TCP port on " + iface + ": " + e.getMessage(), e);
        }
    }

    /** The first port of Linux's ephemeral range, or 0 when unknown. */
    private static int ephemeralLow() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * Command line. Starts a job ({@code -np N}, default 2) and exits with the spawner's exit
     * code; or, with {@code --join}, starts {@code N} workers (default 1) joining a spawner
     * elsewhere and exits when they have.
     *
     * @param argv {@code [-np N] [--join HOST:PORT] [--cluster NAME] [--port P] [--interface IP]
     *             [--timeout SECONDS] [-cp CLASSPATH] [-J<jvm option>]... MAIN_CLASS [ARGS...]}
     */
    public static void main(String[] argv) {
        Builder b = builder();
        Integer np = null;
        long timeoutSeconds = Long.MAX_VALUE / 2_000_000_000L;
        int i = 0;
        try {
            for (; i < argv.length && b.mainClass == null; i++) {
                String a = argv[i];
                switch (a) {
                    case "-np", "-n" -> np = Integer.parseInt(argv[++i]);
                    case "--join" -> b.join(argv[++i]);
                    case "--cluster" -> b.cluster(argv[++i]);
                    case "--secret-file" -> b.secretFile(Path.of(argv[++i]));
                    case "--port" -> b.port(Integer.parseInt(argv[++i]));
                    case "--interface" -> b.networkInterface(argv[++i]);
                    case "--timeout" -> timeoutSeconds = Long.parseLong(argv[++i]);
                    case "-cp", "-classpath", "--class-path" -> b.classpath(argv[++i]);
                    default -> {
                        if (a.startsWith("-J")) b.jvmOption(a.substring(2));
                        else if (a.startsWith("-")) throw new IllegalArgumentException("unknown option " + a);
                        else b.mainClass(a);
                    }
                }
            }
            if (b.mainClass == null) throw new IllegalArgumentException("no main class given");
            if (b.join != null && b.cluster == null) {
                throw new IllegalArgumentException("--join needs --cluster NAME, the spawner's cluster name");
            }
        } catch (RuntimeException e) {
            LOG.error("{}\n{}", e.getMessage(), USAGE);
            System.exit(2);
            return;
        }
        b.args(List.of(argv).subList(i, argv.length));
        HazelcastLauncher job;
        try {
            job = b.build();
        } catch (VmException e) {
            LOG.error("{}", e.getMessage());
            System.exit(2);
            return;
        }
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        int exit;
        if (job.join != null) {
            int n = np == null ? 1 : np;
            for (int w = 0; w < n; w++) job.startWorker();
            exit = job.awaitAll(timeout) ? 0 : 1;
            job.close();
        } else {
            LOG.info("ParaVM job on Hazelcast: cluster '{}', spawner at {}; other machines join with: --join {} "
                    + "--cluster {} {}", job.clusterName(), job.joinAddress(), job.joinAddress(), job.clusterName(),
                    job.secretFile != null ? "--secret-file <a copy of " + job.secretFile + ">"
                            : "--secret-file FILE, once this job is started with --secret-file FILE (they need its secret)");
            exit = job.run(np == null ? 2 : np, timeout);
        }
        System.exit(exit);
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
