package io.paravm.tck;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Several "hosts" on one Linux machine, for tests that need a VM across hosts: each host
 * is a network namespace with its own address, and a host name of its own (a UTS
 * namespace per process started in it, and {@code /etc/netns/NAME/hosts} so every host
 * resolves every other's name). The hosts meet on a bridge in a hub namespace of their
 * own, so the machine's own network is never touched, and a link is cut by taking a
 * host's port on the bridge down. Needs root and iproute2 ({@code ip}); where the machine
 * cannot, {@link #unavailability()} says why, for the test to skip.
 *
 * <p>Names carry this JVM's pid ({@code pvn<pid><run><host>}), so parallel runs never
 * clash, and {@link #create} removes what runs of JVMs that no longer exist left behind.
 * {@link #close()} kills every process left in the hosts and removes everything created.
 *
 * <pre>{@code
 * try (NetworkNamespaces net = NetworkNamespaces.create(3)) {
 *     NetworkNamespaces.Host h = net.hosts().get(1);
 *     Process p = new ProcessBuilder(net.command(h, List.of("hostname"))).start();   // prints h.name()
 *     net.cut(h);                                                                    // h is unreachable now
 * }
 * }</pre>
 */
public final class NetworkNamespaces implements AutoCloseable {

    /**
     * One host.
     *
     * @param name    its host name, which is also its network namespace's name
     * @param address its IPv4 address
     */
    public record Host(String name, String address) {
    }

    private static final String PREFIX = "pvn";
    private static final Pattern OURS = Pattern.compile(PREFIX + "(\\d+)[a-z](?:hub|\\d+)");
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final Path ETC_NETNS = Path.of("/etc/netns");

    /** Whether a run of this JVM made /etc/netns (then the last close() removes it, if empty). */
    private static volatile boolean madeEtcNetns;

    private final String hub;
    private final List<Host> hosts;
    private final String subnet;
    private boolean closed;

    private NetworkNamespaces(String hub, List<Host> hosts, String subnet) {
        this.hub = hub;
        this.hosts = List.copyOf(hosts);
        this.subnet = subnet;
    }

    /**
     * Hosts for a test class, as a JUnit extension: before the class's tests it skips them
     * (or fails them, see {@link #assumeAvailable()}) where namespaces cannot be made, else
     * creates the hosts; after them it removes the hosts.
     *
     * <pre>{@code
     * @RegisterExtension
     * static final NetworkNamespaces.PerClass HOSTS = new NetworkNamespaces.PerClass(3);
     * ... HOSTS.get().hosts() ...
     * }</pre>
     */
    public static final class PerClass implements BeforeAllCallback, AfterAllCallback {
        private final int count;
        private NetworkNamespaces net;

        /** @param count how many hosts */
        public PerClass(int count) {
            this.count = count;
        }

        @Override
        public void beforeAll(ExtensionContext context) throws IOException {
            assumeAvailable();
            net = create(count);
        }

        @Override
        public void afterAll(ExtensionContext context) {
            if (net != null) net.close();
        }

        /** Returns the hosts (once the class's tests have started). */
        public NetworkNamespaces get() {
            return net;
        }
    }

    /** Environment variable: {@code 1} makes a machine that cannot create namespaces fail the tests (CI sets it). */
    public static final String REQUIRED_ENV_NAME = "PARAVM_NETNS_REQUIRED";

    /**
     * Skips the calling test (a JUnit assumption), saying why, where this machine cannot make
     * hosts of network namespaces; with {@value #REQUIRED_ENV_NAME}{@code =1} fails it instead,
     * so a CI run cannot pass without them.
     */
    public static void assumeAvailable() {
        String why = unavailability().orElse(null);
        if (why == null) return;
        if ("1".equals(System.getenv(REQUIRED_ENV_NAME))) {
            throw new AssertionError(why + "; " + REQUIRED_ENV_NAME + "=1 requires these tests to run");
        }
        Assumptions.abort("skipped: " + why);
    }

    /**
     * Returns why this machine cannot make hosts of network namespaces, or empty if it can.
     *
     * @return a reason naming what is missing and how to get it
     */
    public static Optional<String> unavailability() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return Optional.of("network namespaces need Linux; this is " + System.getProperty("os.name"));
        }
        try {
            String uid = run(List.of("id", "-u")).trim();
            if (!uid.equals("0")) return Optional.of("network namespaces need root; this runs as uid " + uid);
            run(List.of("ip", "-V"));
            run(List.of("unshare", "--version"));
            String probe = PREFIX + ProcessHandle.current().pid() + "zhub";
            run(List.of("ip", "netns", "add", probe));
            run(List.of("ip", "netns", "del", probe));
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.of("cannot create network namespaces here (" + e.getMessage() + "); needs root, iproute2 "
                    + "('ip', apt-get install iproute2) and unshare (util-linux)");
        }
    }

    /**
     * Creates {@code count} hosts on a fresh bridge, each with its loopback and its address up.
     *
     * @param count the number of hosts, 1 to 200
     * @return the hosts; close them when done
     * @throws IOException if a command fails (what was made so far is removed)
     */
    public static NetworkNamespaces create(int count) throws IOException {
        if (count < 1 || count > 200) throw new IllegalArgumentException("count " + count + " outside [1, 200]");
        removeLeftovers();
        long pid = ProcessHandle.current().pid();
        String base = PREFIX + pid + (char) ('a' + RUNS.getAndIncrement() % 26);
        // A /24 of its own per run: 10.X.Y.0 from the pid (the hosts are cut off from the machine anyway).
        String subnet = "10." + (100 + (pid >> 8) % 150) + "." + (pid & 255);
        List<Host> hosts = new ArrayList<>();
        for (int i = 0; i < count; i++) hosts.add(new Host(base + i, subnet + "." + (i + 1)));
        NetworkNamespaces net = new NetworkNamespaces(base + "hub", hosts, subnet + ".0/24");
        try {
            run(List.of("ip", "netns", "add", net.hub));
            run(List.of("ip", "-n", net.hub, "link", "add", "br0", "type", "bridge"));
            run(List.of("ip", "-n", net.hub, "link", "set", "br0", "up"));
            StringBuilder etcHosts = new StringBuilder("127.0.0.1 localhost\n");
            for (Host h : hosts) etcHosts.append(h.address()).append(' ').append(h.name()).append('\n');
            for (int i = 0; i < count; i++) {
                Host h = hosts.get(i);
                run(List.of("ip", "netns", "add", h.name()));
                run(List.of("ip", "link", "add", "eth0", "netns", h.name(), "type", "veth", "peer", "name", port(i),
                        "netns", net.hub));
                run(List.of("ip", "-n", net.hub, "link", "set", port(i), "master", "br0", "up"));
                run(List.of("ip", "-n", h.name(), "addr", "add", h.address() + "/24", "dev", "eth0"));
                run(List.of("ip", "-n", h.name(), "link", "set", "eth0", "up"));
                run(List.of("ip", "-n", h.name(), "link", "set", "lo", "up"));
                if (!Files.isDirectory(ETC_NETNS)) madeEtcNetns = true;
                Path etc = Files.createDirectories(ETC_NETNS.resolve(h.name()));
                Files.writeString(etc.resolve("hosts"), etcHosts);
            }
        } catch (IOException | RuntimeException e) {
            net.close();
            throw e;
        }
        return net;
    }

    private static String port(int i) {
        return "p" + i;
    }

    /** Returns the hosts, in order. */
    public List<Host> hosts() {
        return hosts;
    }

    /** Returns the hosts' subnet, e.g. {@code 10.142.57.0/24}. */
    public String subnet() {
        return subnet;
    }

    /**
     * Returns {@code command} wrapped to run in {@code host}: in its network namespace, with
     * its host name (a UTS namespace of its own, inherited by what the command starts).
     *
     * @param host    one of {@link #hosts()}
     * @param command the command and its arguments
     * @return the full command line
     */
    public List<String> command(Host host, List<String> command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", host.name(), "unshare", "--uts", "/bin/sh", "-c",
                "hostname \"$0\" && exec \"$@\"", host.name()));
        cmd.addAll(command);
        return cmd;
    }

    /**
     * Starts Open MPI's {@code mpirun.openmpi} in the first host with one rank on each host: it
     * starts its daemons in the others through an rsh agent that enters their namespace (as
     * {@code ssh} would log in to another machine), and the ranks talk over TCP on the hosts'
     * subnet. Written to {@code dir}: the agent, the hostfile, and the job's output in {@code job.log}.
     *
     * <pre>{@code
     * Process job = net.startOpenMpiJob(dir, List.of("java", "-cp", cp, "com.example.Main"));
     * }</pre>
     *
     * @param dir  a folder for the job's files (created if missing)
     * @param rank the command every rank runs
     * @return the {@code mpirun} process
     * @throws IOException if a file cannot be written or the process cannot start
     */
    public Process startOpenMpiJob(Path dir, List<String> rank) throws IOException {
        Files.createDirectories(dir);
        Path agent = dir.resolve("netns-rsh-agent.sh");
        // mpirun calls it as "agent HOST COMMAND...", the command written for a remote shell (as ssh takes it).
        Files.writeString(agent, """
                #!/bin/sh
                host="$1"; shift
                exec ip netns exec "$host" unshare --uts /bin/sh -c 'hostname "$0" && exec /bin/sh -c "$1"' "$host" "$*"
                """);
        Files.setPosixFilePermissions(agent, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path hostfile = dir.resolve("hostfile");
        List<String> lines = new ArrayList<>();
        for (Host h : hosts) lines.add(h.name() + " slots=1");
        Files.write(hostfile, lines);

        List<String> cmd = new ArrayList<>(List.of("mpirun.openmpi", "-np", Integer.toString(hosts.size()),
                "--hostfile", hostfile.toAbsolutePath().toString(),
                "--mca", "plm", "rsh", "--mca", "plm_rsh_agent", agent.toAbsolutePath().toString(),
                "--mca", "plm_rsh_no_tree_spawn", "1",
                "--mca", "btl", "self,tcp", "--mca", "btl_tcp_if_include", subnet,
                "--mca", "oob_tcp_if_include", subnet));
        cmd.addAll(rank);
        ProcessBuilder pb = new ProcessBuilder(command(hosts.get(0), cmd)).redirectErrorStream(true)
                .redirectOutput(dir.resolve("job.log").toFile());
        pb.environment().put("OMPI_ALLOW_RUN_AS_ROOT", "1");
        pb.environment().put("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
        pb.environment().remove("OMPI_MCA_plm"); // the rsh agent, not "isolated", must start the daemons
        return pb.start();
    }

    /**
     * Waits until a process in {@code host} listens on TCP {@code port} (asks {@code ss}).
     *
     * @param host    one of {@link #hosts()}
     * @param port    the port
     * @param timeout how long to wait
     * @throws IOException if {@code ss} fails, or nothing listens in time
     */
    public void awaitListening(Host host, int port, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (run(List.of("ip", "netns", "exec", host.name(), "ss", "-Hltn", "sport = :" + port)).isBlank()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("nothing listens on port " + port + " in host " + host.name() + " after " + timeout);
            }
            LockSupport.parkNanos(50_000_000L);
        }
    }

    /**
     * Cuts {@code host} off the network (its port on the bridge goes down); its processes
     * keep running, and nothing from or to it gets through, not even a connection reset.
     *
     * @param host one of {@link #hosts()}
     * @throws IOException if {@code ip} fails
     */
    public void cut(Host host) throws IOException {
        run(List.of("ip", "-n", hub, "link", "set", port(hosts.indexOf(host)), "down"));
    }

    /**
     * Puts {@code host} back on the network after {@link #cut}.
     *
     * @param host one of {@link #hosts()}
     * @throws IOException if {@code ip} fails
     */
    public void reconnect(Host host) throws IOException {
        run(List.of("ip", "-n", hub, "link", "set", port(hosts.indexOf(host)), "up"));
    }

    /**
     * Returns the pids of every process now in {@code host}.
     *
     * @param host one of {@link #hosts()}
     * @return the pids
     * @throws IOException if {@code ip} fails
     */
    public List<Long> pids(Host host) throws IOException {
        List<Long> pids = new ArrayList<>();
        for (String pid : run(List.of("ip", "netns", "pids", host.name())).split("\\s+")) {
            if (!pid.isBlank()) pids.add(Long.parseLong(pid.trim()));
        }
        return pids;
    }

    /** Kills every process still in the hosts, then removes the namespaces, the bridge and the hosts files. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        List<String> names = new ArrayList<>();
        for (Host h : hosts) names.add(h.name());
        names.add(hub);
        for (String n : names) remove(n);
        if (madeEtcNetns) {
            try (Stream<Path> left = Files.list(ETC_NETNS)) {
                if (left.findAny().isEmpty()) Files.deleteIfExists(ETC_NETNS);
            } catch (IOException e) {
                // another run's hosts are in it, or it is gone already
            }
        }
    }

    /** Removes what runs of JVMs that have ended left behind (a run killed before its close()). */
    private static void removeLeftovers() throws IOException {
        for (String line : run(List.of("ip", "netns", "list")).split("\n")) {
            String name = line.split(" ")[0].trim();
            Matcher m = OURS.matcher(name);
            if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).map(p -> !p.isAlive()).orElse(true)) {
                remove(name);
            }
        }
    }

    private static void remove(String namespace) {
        try {
            for (String pid : run(List.of("ip", "netns", "pids", namespace)).split("\\s+")) {
                if (!pid.isBlank()) ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
            }
            run(List.of("ip", "netns", "del", namespace));
        } catch (IOException | RuntimeException e) {
            // gone already, or never made: nothing to remove
        }
        Path etc = ETC_NETNS.resolve(namespace);
        if (Files.exists(etc)) {
            try (Stream<Path> files = Files.walk(etc)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Runs a short command; returns its output, or throws with its output if it fails. */
    private static String run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + out.trim());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running " + command, e);
        } finally {
            p.destroyForcibly();
        }
    }
}
