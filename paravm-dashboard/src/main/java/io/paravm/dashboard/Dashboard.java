package io.paravm.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.jmx.JmxConfig;
import io.micrometer.jmx.JmxMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.paravm.VirtualMachine;
import io.paravm.VmConfig;
import io.paravm.VmException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live dashboard of a spawner's VM: a page that shows hosts and slots, tasks per second,
 * task durations, the farm's progress with an ETA, failures with their remote stack traces,
 * lost hosts and tasks, and each JVM's CPU, heap and GC, updated a few times a second over
 * server-sent events; {@code /api/status} gives the same as JSON, {@code /metrics} the
 * Micrometer meters in Prometheus's text format (they are also registered over JMX, domain
 * {@code paravm}). It is served by the JDK's own HTTP server: a handful of read-only GETs for a
 * few browsers and a scraper need nothing more.
 *
 * <p>Safe by default: it listens on loopback only ({@link DashboardProperties#BIND_PROP_NAME});
 * every request needs the job's random token, in the address ({@code ?token=...}, as the
 * spawner's log prints it once) or as {@code Authorization: Bearer ...}, else it gets 403; no
 * request changes the VM; the page shows remote text as text, never as markup, and is sent
 * with {@code Content-Security-Policy: default-src 'self'}, its scripts and chart library
 * coming from this jar.
 *
 * <p>Usually vm-core starts it ({@link io.paravm.VmConfig.Builder#dashboard(int)}, or
 * {@code paravm run --dashboard}); it can also be started on an open spawner's VM:
 *
 * <pre>{@code
 * try (Dashboard d = Dashboard.start(vm, VmConfig.builder().dashboard(0).build())) {
 *     log.info("watch it at {}", d.url());
 *     farm.map(f, inputs);
 * }
 * }</pre>
 */
public final class Dashboard implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Dashboard.class);
    /** The Content-Security-Policy of every response: nothing but this origin, no inline script or style. */
    static final String CSP = "default-src 'self'";
    /** Browsers receiving updates at once, at most; more get 503. */
    static final int MAX_STREAMS = 16;
    private static final String WEB = "io/paravm/dashboard/web/";
    private static final String UPLOT = "META-INF/resources/webjars/uplot/";

    private final VirtualMachine vm;
    private final HttpServer server;
    private final ExecutorService http;
    private final ScheduledExecutorService ticker;
    private final byte[] token;
    private final String tokenText;
    private final URI url;
    private final DashboardState state;
    private final CompositeMeterRegistry meters = new CompositeMeterRegistry();
    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JmxMeterRegistry jmx;
    private final ObjectMapper json = new ObjectMapper();
    private final List<PageStream> streams = new CopyOnWriteArrayList<>();
    /** Writes the updates, a thread per stream at most: a page that reads slowly never holds up the others. */
    private final ExecutorService writers;
    /** A page whose stream has not taken an update for this long is dropped ({@link DashboardProperties#STUCK_MILLIS_PROP_NAME}). */
    private final long stuckNanos;
    /** The page's files: the only paths served besides the API, each from this jar. */
    private final Map<String, Asset> assets;

    private record Asset(String resource, String contentType) {
    }

    private Dashboard(VirtualMachine vm, VmConfig config) {
        if (!vm.isSpawner()) {
            throw new VmException("the dashboard runs on the spawner, and this is task " + vm.taskId()
                    + "; start it where vm.isSpawner() is true");
        }
        this.vm = vm;
        int port = port(config);
        InetAddress bind = bindAddress(config);
        this.tokenText = token(config);
        this.token = tokenText.getBytes(StandardCharsets.US_ASCII);
        this.assets = Map.of(
                "/", new Asset(WEB + "index.html", "text/html; charset=utf-8"),
                "/static/app.js", new Asset(WEB + "app.js", "text/javascript; charset=utf-8"),
                "/static/app.css", new Asset(WEB + "app.css", "text/css; charset=utf-8"),
                "/static/uPlot.iife.min.js", new Asset(UPLOT + uplotVersion() + "/dist/uPlot.iife.min.js",
                        "text/javascript; charset=utf-8"),
                "/static/uPlot.min.css", new Asset(UPLOT + uplotVersion() + "/dist/uPlot.min.css", "text/css; charset=utf-8"));
        try {
            server = HttpServer.create(new InetSocketAddress(bind, port), 32);
        } catch (BindException e) {
            throw new VmException("the dashboard cannot listen on " + bind.getHostAddress() + " port " + port + ": "
                    + e.getMessage() + "; choose another port (paravm run --dashboard=PORT, VmConfig.dashboard(port)), "
                    + "or 0 for any free one", e);
        } catch (IOException e) {
            throw new VmException("the dashboard cannot listen on " + bind.getHostAddress() + " port " + port + ": "
                    + e.getMessage(), e);
        }
        AtomicInteger threads = new AtomicInteger();
        http = Executors.newFixedThreadPool(4, r -> daemon(r, "paravm-dashboard-http-" + threads.incrementAndGet()));
        server.setExecutor(http);
        writers = Executors.newCachedThreadPool(r -> daemon(r, "paravm-dashboard-stream-" + threads.incrementAndGet()));
        server.createContext("/", this::handle);
        jmx = new JmxMeterRegistry(new JmxConfig() {
            @Override
            public String get(String key) {
                return null;
            }

            @Override
            public String domain() {
                return "paravm";
            }
        }, Clock.SYSTEM);
        meters.add(prometheus);
        meters.add(jmx);
        state = new DashboardState((rank, counters) -> VmMeters.rankCounters(meters, rank, counters));
        VmMeters.register(meters, vm, state); // they read the state's counts: frames and events are counted once
        vm.events().add(state);
        server.start();
        String host = bind.isAnyLocalAddress() ? "127.0.0.1" : bind.getHostAddress();
        if (host.contains(":")) host = "[" + host + "]";
        url = URI.create("http://" + host + ":" + server.getAddress().getPort() + "/?token=" + tokenText);
        long every = config.property(DashboardProperties.UPDATE_MILLIS_PROP_NAME).map(v -> positive(v,
                DashboardProperties.UPDATE_MILLIS_PROP_NAME)).orElse(DashboardProperties.UPDATE_MILLIS_DEFAULT);
        stuckNanos = TimeUnit.MILLISECONDS.toNanos(config.property(DashboardProperties.STUCK_MILLIS_PROP_NAME)
                .map(v -> positive(v, DashboardProperties.STUCK_MILLIS_PROP_NAME)).orElse(DashboardProperties.STUCK_MILLIS_DEFAULT));
        ticker = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "paravm-dashboard-updates"));
        ticker.scheduleWithFixedDelay(this::broadcast, every, every, TimeUnit.MILLISECONDS);
        if (bind.isAnyLocalAddress() || !bind.isLoopbackAddress()) {
            LOG.warn("the ParaVM dashboard listens on {} ({}): anyone who can reach this machine and has the token can "
                    + "read it; the traffic is not encrypted", bind.getHostAddress(), DashboardProperties.BIND_PROP_NAME);
        }
        LOG.info("ParaVM dashboard: {}  (the token in it is this job's key to the page and /metrics; keep it private)", url);
    }

    /**
     * Starts serving the dashboard of the spawner's {@code vm}, with the settings in
     * {@code config} ({@value VmConfig#DASHBOARD_PORT_PROP_NAME}, default 0: any free port;
     * {@link DashboardProperties}). Logs its address once.
     *
     * @param vm     the spawner's open VM
     * @param config the settings
     * @return the running dashboard; close it to stop it
     * @throws VmException if {@code vm} is a worker's, a setting is invalid, or the port is taken
     */
    public static Dashboard start(VirtualMachine vm, VmConfig config) {
        return new Dashboard(vm, config);
    }

    /** Returns the page's address, with the token: what the spawner's log prints. */
    public URI url() {
        return url;
    }

    /** Returns the TCP port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Returns the access token (for {@code Authorization: Bearer}). */
    public String token() {
        return tokenText;
    }

    /** Stops serving and stops listening to the VM; idempotent. */
    @Override
    public void close() {
        vm.events().remove(state);
        ticker.shutdownNow();
        for (PageStream s : streams) s.end();
        streams.clear();
        server.stop(0);
        http.shutdownNow();
        writers.shutdownNow();
        meters.remove(jmx);
        jmx.close();
        prometheus.close();
    }

    // ---------------------------------------------------------------- settings

    private static int port(VmConfig config) {
        String v = config.property(VmConfig.DASHBOARD_PORT_PROP_NAME).orElse("0").trim();
        try {
            int p = Integer.parseInt(v);
            if (p >= 0 && p <= 65535) return p;
        } catch (NumberFormatException e) {
            // said below
        }
        throw new VmException(VmConfig.DASHBOARD_PORT_PROP_NAME + "=" + v + " is not a TCP port; use 1 to 65535, or 0 "
                + "for any free port");
    }

    private static InetAddress bindAddress(VmConfig config) {
        String v = config.property(DashboardProperties.BIND_PROP_NAME).orElse(DashboardProperties.BIND_DEFAULT).trim();
        try {
            return InetAddress.getByName(v);
        } catch (UnknownHostException e) {
            throw new VmException(DashboardProperties.BIND_PROP_NAME + "=" + v + " is not an address of this machine; use "
                    + DashboardProperties.BIND_DEFAULT + " (the default), 0.0.0.0 for every interface, or one "
                    + "interface's address", e);
        }
    }

    private static long positive(String v, String name) {
        try {
            long n = Long.parseLong(v.trim());
            if (n > 0) return n;
        } catch (NumberFormatException e) {
            // said below
        }
        throw new VmException(name + "=" + v + " is not a positive whole number of milliseconds");
    }

    /** The token: from the token file (made with a new one if missing), else a new random one. */
    private static String token(VmConfig config) {
        String file = config.property(DashboardProperties.TOKEN_FILE_PROP_NAME).orElse(null);
        if (file == null) return newToken();
        Path p = Path.of(file);
        try {
            if (Files.exists(p)) {
                String t = Files.readString(p, StandardCharsets.US_ASCII).trim();
                if (t.length() < 16 || !t.chars().allMatch(c -> c > 32 && c < 127)) {
                    throw new VmException(DashboardProperties.TOKEN_FILE_PROP_NAME + ": " + p + " holds no usable token "
                            + "(16 or more printable characters, no spaces); delete it and a new one is made");
                }
                return t;
            }
            String t = newToken();
            Files.createFile(p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(p, t + "\n", StandardCharsets.US_ASCII);
            return t;
        } catch (IOException e) {
            throw new VmException(DashboardProperties.TOKEN_FILE_PROP_NAME + ": cannot read or make " + p + ": " + e, e);
        }
    }

    private static String newToken() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static String uplotVersion() {
        try (InputStream in = Dashboard.class.getClassLoader()
                .getResourceAsStream("META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
            if (in == null) throw new VmException("uPlot's WebJar (org.webjars.npm:uplot) is not on the class path; "
                    + "the dashboard's charts need it");
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new VmException("cannot read uPlot's WebJar: " + e, e);
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    // ---------------------------------------------------------------- requests

    private void handle(HttpExchange ex) {
        boolean keepOpen = false;
        try {
            Headers h = ex.getResponseHeaders();
            h.set("Content-Security-Policy", CSP);
            h.set("X-Content-Type-Options", "nosniff");
            h.set("X-Frame-Options", "DENY");
            h.set("Referrer-Policy", "no-referrer");
            h.set("Cache-Control", "no-store");
            String method = ex.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                h.set("Allow", "GET, HEAD");
                text(ex, 405, "405: the ParaVM dashboard is read-only; it answers GET and HEAD only\n");
                return;
            }
            if (!authorized(ex)) {
                text(ex, 403, "403: this ParaVM dashboard needs its token: open the address the spawner's log printed "
                        + "(.../?token=...), or send Authorization: Bearer <token>\n");
                return;
            }
            String path = ex.getRequestURI().getPath();
            switch (path) {
                case "/api/status" -> send(ex, 200, "application/json", json.writeValueAsBytes(status()));
                case "/api/events" -> keepOpen = stream(ex); // the stream stays open
                case "/metrics" -> send(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
                        prometheus.scrape().getBytes(StandardCharsets.UTF_8));
                default -> {
                    Asset a = assets.get(path.equals("/index.html") ? "/" : path);
                    if (a == null) {
                        text(ex, 404, "404: no such page here\n");
                    } else {
                        send(ex, 200, a.contentType(), asset(a));
                    }
                }
            }
        } catch (RuntimeException | IOException e) {
            LOG.debug("dashboard request {} failed: {}", ex.getRequestURI().getPath(), e.toString());
        } finally {
            if (!keepOpen) ex.close();
        }
    }

    /**
     * Whether the request carries the token, as {@code ?token=} or a bearer header (compared
     * in constant time).
     */
    private boolean authorized(HttpExchange ex) {
        String given = null;
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) given = auth.substring(7).trim();
        String query = ex.getRequestURI().getRawQuery();
        if (given == null && query != null) {
            for (String part : query.split("&")) {
                if (part.startsWith("token=")) given = part.substring(6);
            }
        }
        return given != null && MessageDigest.isEqual(token, given.getBytes(StandardCharsets.US_ASCII));
    }

    private byte[] asset(Asset a) throws IOException {
        try (InputStream in = Dashboard.class.getClassLoader().getResourceAsStream(a.resource())) {
            if (in == null) throw new IOException("missing from the jar: " + a.resource());
            byte[] bytes = in.readAllBytes();
            if (!a.resource().endsWith("index.html")) return bytes;
            // The page names its own files with the token (a hex string: nothing to escape).
            return new String(bytes, StandardCharsets.UTF_8).replace("{{token}}", tokenText).getBytes(StandardCharsets.UTF_8);
        }
    }

    private static void text(HttpExchange ex, int code, String body) throws IOException {
        send(ex, code, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int code, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(code, head ? -1 : body.length);
        if (!head) ex.getResponseBody().write(body);
    }

    /** The VM's state now; the VM is asked before the state's lock is taken (see {@link DashboardState}). */
    Status status() {
        return state.snapshot(vm.status(), vm.transportName());
    }

    // ---------------------------------------------------------------- live updates

    /**
     * A server-sent-events stream: the state now, then at most one update per tick.
     *
     * @return whether the stream stays open
     */
    private boolean stream(HttpExchange ex) throws IOException {
        if (streams.size() >= MAX_STREAMS) {
            text(ex, 503, "503: " + MAX_STREAMS + " pages already watch this dashboard\n");
            return false;
        }
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.sendResponseHeaders(200, 0);
        PageStream s = new PageStream(ex, writers, stuckNanos, streams::remove);
        streams.add(s);
        s.offer(event(json.writeValueAsBytes(status())));
        return true;
    }

    private static byte[] event(byte[] data) {
        byte[] head = "data: ".getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + data.length + 2];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(data, 0, all, head.length, data.length); // JSON has no raw newline: one data line
        all[all.length - 2] = '\n';
        all[all.length - 1] = '\n';
        return all;
    }

    /** One tick: the state to every open stream; a stream that fails is dropped. Coalesces any number of events. */
    private void broadcast() {
        if (streams.isEmpty()) return;
        byte[] message;
        try {
            message = event(json.writeValueAsBytes(status()));
        } catch (RuntimeException | IOException e) {
            LOG.debug("no dashboard update: {}", e.toString()); // the VM is closing
            return;
        }
        for (PageStream s : streams) s.offer(message);
    }
}
