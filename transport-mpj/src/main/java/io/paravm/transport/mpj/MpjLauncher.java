package io.paravm.transport.mpj;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Starts a program on MPJ Express without MPJ's scripts or daemons, and ends everything it
 * started when the job ends, fails or is interrupted.
 *
 * <ul>
 * <li>{@code multicore}: one child JVM running MPJ's {@code MulticoreStarter}; every rank is
 * a thread with its own class loader over the given class path (which must therefore not
 * be the child's {@code -cp}: that holds only MPJ's shared device jars from
 * {@code $MPJ_HOME/lib}).</li>
 * <li>{@code niodev}: one JVM per rank; the launcher is MPJ's rendezvous server on a free
 * loopback port: it collects every rank's ports, answers all of them with the peer table
 * and closes the port.</li>
 * </ul>
 * Every rank runs {@link MpjRankMain} in front of the main class. The exit status is the
 * spawner's (rank 0), or that of a rank that failed first; a rank still running
 * {@value MpjProperties#EXIT_GRACE_MS_PROP_NAME} ms after the spawner ended is ended.
 * System properties named {@code paravm.*} are passed on to the ranks.
 *
 * <pre>{@code
 * java -cp CP io.paravm.transport.mpj.MpjLauncher -np 4 -dev niodev -J-Xmx1g -cp CP com.example.Main arg1
 * int status = MpjLauncher.run(new MpjLauncher.Job(4, MpjLauncher.Device.MULTICORE, cp, "com.example.Main",
 *         List.of("arg1"), List.of()));
 * }</pre>
 */
public final class MpjLauncher {

    private static final Logger LOG = LoggerFactory.getLogger(MpjLauncher.class);
    private static final String USAGE = "usage: MpjLauncher -np N -dev multicore|niodev [-J<jvm option>]... "
            + "[-cp CLASSPATH] MainClass [args...]";
    private static final long DESTROY_WAIT_MS = 5_000;

    /** The MPJ device a job runs on. */
    public enum Device {
        /** Ranks are threads of one JVM (MPJ's smpdev). */
        MULTICORE("smpdev"),
        /** Ranks are JVMs talking over TCP (MPJ's niodev). */
        NIODEV("niodev");

        private final String mpjName;

        Device(String mpjName) {
            this.mpjName = mpjName;
        }

        /** Returns MPJ's name of the device ({@code smpdev} or {@code niodev}). */
        public String mpjName() {
            return mpjName;
        }

        /**
         * @param name {@code multicore}/{@code smpdev} or {@code niodev}
         * @return the device
         */
        public static Device parse(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "multicore", "smpdev" -> MULTICORE;
                case "niodev" -> NIODEV;
                default -> throw new IllegalArgumentException("-dev " + name + " is not an MPJ device; use multicore or niodev");
            };
        }
    }

    /**
     * One job.
     *
     * @param ranks      the number of ranks, at least 1 (rank 0 is the spawner)
     * @param device     where the ranks run
     * @param classPath  the program's class path (with transport-mpj and its dependencies)
     * @param mainClass  the class whose {@code main} every rank runs
     * @param args       the program's arguments
     * @param jvmOptions options for the rank JVMs (multicore: the one JVM), e.g. {@code -Xss8m}
     */
    public record Job(int ranks, Device device, String classPath, String mainClass, List<String> args,
                      List<String> jvmOptions) {
        /** Validates and copies. */
        public Job {
            if (ranks < 1) throw new IllegalArgumentException("-np " + ranks + " must be at least 1");
            if (device == null) throw new IllegalArgumentException("no -dev given; use multicore or niodev");
            if (classPath == null || classPath.isBlank()) throw new IllegalArgumentException("empty -cp; " + USAGE);
            if (mainClass == null || mainClass.isBlank()) throw new IllegalArgumentException("no main class; " + USAGE);
            args = List.copyOf(args);
            jvmOptions = List.copyOf(jvmOptions);
        }
    }

    private MpjLauncher() {
    }

    /**
     * Command line entry point; exits with the job's status (2 on a usage error).
     *
     * @param argv {@code -np N -dev multicore|niodev [-J<jvm option>]... [-cp CLASSPATH] MainClass [args...]}
     * @throws Exception if the job cannot be started
     */
    public static void main(String[] argv) throws Exception {
        Job job;
        try {
            job = parse(argv);
        } catch (IllegalArgumentException e) {
            LOG.error("{}\n{}", e.getMessage(), USAGE);
            System.exit(2);
            return;
        }
        int status;
        try {
            status = run(job);
        } catch (IOException e) {
            LOG.error("{}", e.getMessage()); // MPJ not installed, a JVM that cannot start: the message says what to do
            status = 2;
        }
        System.exit(status);
    }

    /**
     * Parses a command line; {@code -cp} defaults to this JVM's class path.
     *
     * @param argv the command line
     * @return the job
     */
    public static Job parse(String[] argv) {
        int np = 0;
        Device device = null;
        String cp = System.getProperty("java.class.path");
        List<String> jvm = new ArrayList<>();
        int i = 0;
        try {
            for (; i < argv.length && argv[i].startsWith("-"); i++) {
                String a = argv[i];
                if (a.equals("-np")) np = Integer.parseInt(argv[++i]);
                else if (a.equals("-dev")) device = Device.parse(argv[++i]);
                else if (a.equals("-cp") || a.equals("-classpath")) cp = argv[++i];
                else if (a.startsWith("-J") && a.length() > 2) jvm.add(a.substring(2));
                else throw new IllegalArgumentException("unknown option " + a);
            }
        } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
            throw new IllegalArgumentException("option " + argv[i - 1] + " needs a value (" + e.getMessage() + ")", e);
        }
        if (i >= argv.length) throw new IllegalArgumentException("no main class given");
        return new Job(np, device, cp, argv[i], Arrays.asList(argv).subList(i + 1, argv.length), jvm);
    }

    /**
     * Runs a job to its end.
     *
     * @param job the job
     * @return its exit status: 0 when every rank succeeded
     * @throws IOException          if a JVM cannot be started or the rendezvous port fails
     * @throws InterruptedException if interrupted while waiting (the job is then ended)
     */
    public static int run(Job job) throws IOException, InterruptedException {
        job = new Job(job.ranks(), job.device(), absoluteClassPath(job.classPath()), job.mainClass(), job.args(),
                job.jvmOptions());
        Path home = MpjProperties.home();
        if (!Files.isRegularFile(home.resolve("lib").resolve("mpj.jar"))
                || !Files.isRegularFile(home.resolve("conf").resolve("mpjexpress.conf"))) {
            throw new IOException("MPJ_HOME " + home + " has no lib/mpj.jar or conf/mpjexpress.conf; run "
                    + "scripts/install-mpj.sh, or set MPJ_HOME (or -D" + MpjProperties.HOME_PROP_NAME + ")");
        }
        List<Process> started = new CopyOnWriteArrayList<>();
        Thread hook = new Thread(() -> destroyAll(started), "mpj-launcher-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return job.device() == Device.MULTICORE ? multicore(job, home, started) : niodev(job, home, started);
        } finally {
            destroyAll(started);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }

    private static int multicore(Job job, Path home, List<Process> started) throws IOException, InterruptedException {
        List<String> cmd = java(job, home, Device.MULTICORE);
        cmd.add("-cp");
        cmd.add(jars(home, "smpdev", "xdev", "mpjbuf", "loader2", "starter", "mpiExp", "runtimecommon", "log4j-1.2"));
        cmd.add("runtime.starter.MulticoreStarter");
        cmd.add(System.getProperty("user.dir"));
        cmd.add(Integer.toString(job.ranks()));
        cmd.add(Device.MULTICORE.mpjName());
        cmd.add("useLocalLoader");
        cmd.add(job.classPath());
        cmd.add(MpjRankMain.class.getName());
        cmd.add(job.mainClass());
        cmd.addAll(job.args());
        Process p = start(cmd, home, started);
        int status = p.waitFor();
        if (status != 0) LOG.error("MPJ multicore job {} ({} ranks) ended with status {}", job.mainClass(), job.ranks(), status);
        return status;
    }

    private static int niodev(Job job, Path home, List<Process> started) throws IOException, InterruptedException {
        List<Process> ranks = new ArrayList<>();
        try (ServerSocket server = new ServerSocket(0, job.ranks(), InetAddress.getLoopbackAddress())) {
            String conf = "#Number of Processes;" + job.ranks() + ";#Protocol Switch Limit;"
                    + MpjProperties.longProperty(MpjProperties.PROTOCOL_SWITCH_BYTES_PROP_NAME,
                    MpjProperties.PROTOCOL_SWITCH_BYTES_DEFAULT)
                    + ";#Server Name;" + server.getInetAddress().getHostAddress() + ";#Server Port;" + server.getLocalPort();
            String cp = job.classPath() + File.pathSeparator + jars(home, "mpj", "mpiExp", "log4j-1.2");
            for (int r = 0; r < job.ranks(); r++) {
                List<String> cmd = java(job, home, Device.NIODEV);
                cmd.add("-cp");
                cmd.add(cp);
                cmd.add(MpjRankMain.class.getName());
                cmd.add(Integer.toString(r));
                cmd.add(conf);
                cmd.add(Device.NIODEV.mpjName());
                cmd.add(job.mainClass());
                cmd.addAll(job.args());
                ranks.add(start(cmd, home, started));
            }
            long timeout = MpjProperties.longProperty(MpjProperties.STARTUP_TIMEOUT_MS_PROP_NAME,
                    MpjProperties.STARTUP_TIMEOUT_MS_DEFAULT);
            if (!rendezvous(server, ranks, timeout)) return 1;
        }
        return awaitJob(job, ranks);
    }

    /** Plays MPJ's rendezvous server: collects every rank's ports, then sends all of them the peer table. */
    private static boolean rendezvous(ServerSocket server, List<Process> ranks, long timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        Map<Integer, String> peers = new TreeMap<>();
        List<Socket> sockets = new ArrayList<>();
        server.setSoTimeout(250); // to notice a rank that died before reporting in
        try {
            while (peers.size() < ranks.size()) {
                for (int r = 0; r < ranks.size(); r++) {
                    if (!ranks.get(r).isAlive() && !peers.containsKey(r)) {
                        LOG.error("MPJ niodev rank {} ended with status {} before reporting its ports", r,
                                ranks.get(r).exitValue());
                        return false;
                    }
                }
                if (System.nanoTime() - deadline >= 0) {
                    LOG.error("only ranks {} of {} reported their ports within {} ms (raise -D{})", peers.keySet(),
                            ranks.size(), timeoutMillis, MpjProperties.STARTUP_TIMEOUT_MS_PROP_NAME);
                    return false;
                }
                Socket s;
                try {
                    s = server.accept();
                } catch (SocketTimeoutException e) {
                    continue;
                }
                sockets.add(s);
                s.setSoTimeout((int) Math.min(timeoutMillis, Integer.MAX_VALUE));
                DataInputStream in = new DataInputStream(s.getInputStream());
                String hello = in.readUTF();
                int writePort = in.readInt();
                int readPort = in.readInt();
                int rank = in.readInt();
                if (!hello.equals("Sending Info") || rank < 0 || rank >= ranks.size() || peers.containsKey(rank)) {
                    LOG.error("unexpected rendezvous message '{}' from rank {} (ranks are [0, {}), seen {})", hello,
                            rank, ranks.size(), peers.keySet());
                    return false;
                }
                peers.put(rank, s.getInetAddress().getHostAddress() + "@" + readPort + "@" + writePort + "@" + rank + "@0");
            }
            String table = "#Peer Information;" + String.join(";", peers.values());
            for (Socket s : sockets) {
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeUTF(table);
                out.flush();
            }
            LOG.debug("MPJ niodev peers: {}", table);
            return true;
        } finally {
            for (Socket s : sockets) s.close();
        }
    }

    /** Waits for the spawner, or for a rank that fails first; then gives the others the grace period. */
    private static int awaitJob(Job job, List<Process> ranks) throws InterruptedException {
        CompletableFuture<Integer> failed = new CompletableFuture<>();
        for (int r = 1; r < ranks.size(); r++) {
            int rank = r;
            ranks.get(r).onExit().thenAccept(p -> {
                if (p.exitValue() != 0) failed.complete(rank);
            });
        }
        try {
            CompletableFuture.anyOf(ranks.get(0).onExit(), failed).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiting for the MPJ ranks failed", e);
        }
        if (failed.isDone() && ranks.get(0).isAlive()) {
            int rank = failed.join();
            int status = ranks.get(rank).exitValue();
            LOG.error("MPJ niodev rank {} of {} failed with status {}; ending the job", rank, job.mainClass(), status);
            return status;
        }
        int status = ranks.get(0).exitValue();
        if (status != 0) {
            LOG.error("MPJ niodev job {}: the spawner (rank 0) ended with status {}; ending the job", job.mainClass(), status);
            return status;
        }
        long grace = MpjProperties.longProperty(MpjProperties.EXIT_GRACE_MS_PROP_NAME, MpjProperties.EXIT_GRACE_MS_DEFAULT);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(grace);
        for (int r = 1; r < ranks.size(); r++) {
            Process p = ranks.get(r);
            if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                LOG.warn("MPJ niodev rank {} still runs {} ms after the spawner ended; ending it", r, grace);
            } else if (p.exitValue() != 0 && status == 0) {
                LOG.error("MPJ niodev rank {} ended with status {}", r, p.exitValue());
                status = p.exitValue();
            }
        }
        if (status != 0) LOG.error("MPJ niodev job {} ({} ranks) ended with status {}", job.mainClass(), job.ranks(), status);
        return status;
    }

    private static List<String> java(Job job, Path home, Device device) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(job.jvmOptions());
        System.getProperties().stringPropertyNames().stream().sorted()
                .filter(n -> n.startsWith("paravm.") && !n.equals(MpjProperties.DEVICE_PROP_NAME)
                        && !n.equals(MpjProperties.LAUNCHER_PID_PROP_NAME))
                .forEach(n -> cmd.add("-D" + n + "=" + System.getProperty(n)));
        cmd.add("-D" + MpjProperties.DEVICE_PROP_NAME + "=" + device.name().toLowerCase(Locale.ROOT));
        cmd.add("-D" + MpjProperties.LAUNCHER_PID_PROP_NAME + "=" + ProcessHandle.current().pid());
        cmd.add("-D" + MpjProperties.HOME_PROP_NAME + "=" + home);
        return cmd;
    }

    /**
     * Makes every entry absolute and expands {@code dir/*} to the jars in {@code dir}, as
     * {@code java -cp} would: MPJ's multicore class loaders do neither.
     */
    static String absoluteClassPath(String classPath) throws IOException {
        List<String> out = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.isEmpty()) continue;
            if (entry.equals("*") || entry.endsWith(File.separator + "*")) {
                Path dir = Path.of(entry.substring(0, entry.length() - 1)).toAbsolutePath();
                if (!Files.isDirectory(dir)) continue;
                try (var jars = Files.list(dir)) {
                    jars.map(Path::toString).filter(n -> n.endsWith(".jar") || n.endsWith(".JAR")).sorted().forEach(out::add);
                }
            } else {
                out.add(Path.of(entry).toAbsolutePath().normalize().toString());
            }
        }
        return String.join(File.pathSeparator, out);
    }

    private static String jars(Path home, String... names) {
        return Arrays.stream(names).map(n -> home.resolve("lib").resolve(n + ".jar").toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static Process start(List<String> cmd, Path home, List<Process> started) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        pb.environment().put("MPJ_HOME", home.toString());
        LOG.debug("starting {}", cmd);
        Process p = pb.start();
        started.add(p);
        return p;
    }

    /** Ends every JVM this launcher started that still runs: politely, then forcibly. */
    private static void destroyAll(List<Process> started) {
        for (Process p : started) if (p.isAlive()) p.destroy();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DESTROY_WAIT_MS);
        for (Process p : started) {
            try {
                if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) p.destroyForcibly();
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
