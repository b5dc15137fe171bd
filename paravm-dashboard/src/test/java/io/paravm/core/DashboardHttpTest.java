package io.paravm.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paravm.VmConfig;
import io.paravm.dashboard.Dashboard;
import io.paravm.dashboard.DashboardProperties;
import io.paravm.dashboard.PrometheusText;
import io.paravm.farm.TaskFarm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard's HTTP side over vm-core with 3 ranks as threads (the browser tests run real
 * Hazelcast jobs): what a script or Prometheus gets, and what a request without the token, or
 * from elsewhere than loopback, does not. In vm-core's package for the in-memory double.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DashboardHttpTest {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final ObjectMapper json = new ObjectMapper();
    private InMemoryVms vms;
    private Dashboard dashboard;

    @AfterEach
    void tearDown() {
        if (dashboard != null) dashboard.close();
        if (vms != null) vms.close();
    }

    private Dashboard start(VmConfig config) {
        vms = new InMemoryVms(3);
        dashboard = Dashboard.start(vms.spawner, config);
        return dashboard;
    }

    private HttpResponse<String> get(String pathAndQuery, String bearer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dashboard.port() + pathAndQuery))
                .timeout(Duration.ofSeconds(30));
        if (bearer != null) b.header("Authorization", "Bearer " + bearer);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void afterAMapStatusIsJsonAndMetricsIsPrometheusTextWithTheExpectedMeters() throws Exception {
        start(VmConfig.defaults());
        try (TaskFarm farm = TaskFarm.on(vms.spawner)) {
            List<Integer> xs = IntStream.range(0, 50).boxed().toList();
            assertEquals(xs, farm.map(x -> x, xs));
        }
        HttpResponse<String> status = get("/api/status?token=" + dashboard.token(), null);
        assertEquals(200, status.statusCode());
        assertEquals("application/json", status.headers().firstValue("Content-Type").orElseThrow());
        JsonNode s = json.readTree(status.body());
        assertEquals(50, s.at("/farm/completed").asLong());
        assertEquals(0, s.at("/farm/backlog").asLong());
        assertEquals("in-memory", s.get("transport").asText());
        assertEquals(3, s.get("slots").asInt(), "the spawner's slot and two workers'");
        assertEquals(List.of("host-0", "host-1"), List.of(s.at("/hosts/0/name").asText(), s.at("/hosts/1/name").asText()));
        assertTrue(s.get("series").size() > 0 && s.get("traffic").size() == 2, status.body());

        HttpResponse<String> metrics = get("/metrics", dashboard.token()); // as Prometheus sends it: a bearer header
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain; version=0.0.4"));
        Map<String, Double> samples = PrometheusText.parse(metrics.body());
        assertEquals(50.0, samples.get("paravm_tasks_completed_total{source=\"farm\"}"), metrics.body());
        assertEquals(50.0, samples.get("paravm_tasks_submitted_total{source=\"farm\"}"));
        assertEquals(50.0, samples.get("paravm_task_duration_seconds_count{source=\"farm\"}"));
        assertEquals(50.0, samples.get("paravm_task_spawn_to_result_seconds_count{source=\"farm\"}"));
        assertEquals(0.0, samples.get("paravm_farm_backlog"));
        assertEquals(3.0, samples.get("paravm_slots"));
        assertEquals(2.0, samples.get("paravm_slots_free"), "the farm closed: its workers left their slots");
        assertTrue(samples.get("paravm_frames_received_total{rank=\"1\"}") > 0);
        assertTrue(samples.get("paravm_bytes_sent_bytes_total{rank=\"2\"}") > 0);

        // The same meters over JMX, domain paravm (JConsole, JDK Mission Control).
        javax.management.MBeanServer jmx = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        java.util.Set<javax.management.ObjectName> names = jmx.queryNames(new javax.management.ObjectName("paravm:*"), null);
        javax.management.ObjectName completed = new javax.management.ObjectName(
                "paravm:type=meters,name=paravmTasksCompleted.source.farm");
        assertTrue(names.contains(completed), "MBeans of domain paravm: " + names);
        assertEquals(50.0, ((Number) jmx.getAttribute(completed, "Count")).doubleValue(), completed.toString());
    }

    @Test
    void withoutTheTokenEveryPathIs403AndNothingChangesTheVm() throws Exception {
        start(VmConfig.defaults());
        for (String path : List.of("/", "/index.html", "/api/status", "/api/events", "/metrics", "/static/app.js", "/nope")) {
            HttpResponse<String> r = get(path, null);
            assertEquals(403, r.statusCode(), path);
            assertTrue(r.body().contains("token"), "the 403 says what to do: " + r.body());
            assertEquals(403, get(path + "?token=" + "0".repeat(48), null).statusCode(), "a wrong token: " + path);
            assertEquals(403, get(path, "not-" + dashboard.token()).statusCode(), "a wrong bearer: " + path);
        }
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dashboard.port()
                + "/api/status?token=" + dashboard.token())).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode(), "read-only");
    }

    @Test
    void thePageComesWithItsPolicyAndNamesOnlyItsOwnFiles() throws Exception {
        start(VmConfig.defaults());
        HttpResponse<String> page = get("/?token=" + dashboard.token(), null);
        assertEquals(200, page.statusCode());
        assertEquals("default-src 'self'", page.headers().firstValue("Content-Security-Policy").orElseThrow());
        assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElseThrow());
        for (String asset : List.of("/static/app.js", "/static/app.css", "/static/uPlot.iife.min.js", "/static/uPlot.min.css")) {
            assertTrue(page.body().contains("\"" + asset + "?token=" + dashboard.token() + "\""), asset);
            HttpResponse<String> a = get(asset + "?token=" + dashboard.token(), null);
            assertEquals(200, a.statusCode(), asset);
            assertTrue(a.body().length() > 100, asset);
        }
        assertTrue(!page.body().contains("http://") && !page.body().contains("https://"), "no other origin is named");
        assertEquals(404, get("/static/../../etc/passwd?token=" + dashboard.token(), null).statusCode());
    }

    @Test
    void theLiveStreamSendsTheStateAtOnceAsOneServerSentEvent() throws Exception {
        start(VmConfig.defaults());
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dashboard.port() + "/api/events?token="
                + dashboard.token())).build();
        HttpResponse<java.io.InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals("text/event-stream; charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line = in.readLine();
            assertTrue(line.startsWith("data: {"), line);
            assertEquals(3, json.readTree(line.substring(6)).get("slots").asInt());
            assertEquals("", in.readLine(), "an event ends with an empty line");
        }
    }

    @Test
    void onLoopbackOnlyUnlessAskedOtherwise() throws Exception {
        start(VmConfig.defaults());
        // 127.0.0.2 is this machine too, but not the address the dashboard listens on.
        assertThrows(ConnectException.class, () -> connect("127.0.0.2", dashboard.port()));
        connect("127.0.0.1", dashboard.port());
        dashboard.close();
        dashboard = Dashboard.start(vms.spawner, VmConfig.builder().property(DashboardProperties.BIND_PROP_NAME, "0.0.0.0")
                .build());
        connect("127.0.0.2", dashboard.port()); // every interface, when asked
        assertEquals(403, get("/api/status", null).statusCode(), "still only with the token");
    }

    private static void connect(String host, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 5000);
        }
    }
}
