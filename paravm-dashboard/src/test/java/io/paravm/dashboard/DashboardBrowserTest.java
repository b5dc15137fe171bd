package io.paravm.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paravm.transport.hazelcast.HazelcastLauncher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dashboard in a real browser (Debian's chromium, headless, driven by Selenium through
 * Debian's chromedriver, both named, offline), watching a real Hazelcast job of 3 member JVMs
 * started as {@link HazelcastLauncher} starts them ({@link DashboardJob}): the page loads and
 * shows the job's hosts and slots; the completed count and the chart advance while the map
 * runs; the task that threw shows its stack trace, its markup as text; a worker killed with
 * {@code kill -9} shows as lost within 5 s; every resource the page loaded came from its own
 * origin and nothing broke its Content-Security-Policy.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class DashboardBrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Pattern URL = Pattern.compile("ParaVM dashboard: (http://\\S+)");
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private Process job;
    private WebDriver browser;

    @BeforeEach
    void needsChromium() {
        // scripts/test.sh installs both; a developer's machine may lack them.
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver; scripts/test.sh does)");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (browser != null) browser.quit();
        if (job != null) {
            Files.writeString(dir.resolve("done"), "done");
            if (!job.waitFor(30, TimeUnit.SECONDS)) {
                job.descendants().forEach(ProcessHandle::destroyForcibly);
                job.destroyForcibly();
            }
        }
    }

    /** Starts the job as HazelcastLauncher starts one: a JVM per member, on loopback. */
    static Process startJob(Path dir, int ranks, String mainClass, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(HazelcastLauncher.JVM_FLAGS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), HazelcastLauncher.class.getName(),
                "-np", Integer.toString(ranks), mainClass));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectOutput(dir.resolve("job.out").toFile())
                .redirectError(dir.resolve("job.err").toFile()).start();
    }

    /** The dashboard's address, as the spawner logs it once. */
    static URI awaitUrl(Process job, Path dir) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Path err = dir.resolve("job.err");
        while (System.nanoTime() < deadline) {
            if (Files.exists(err)) {
                Matcher m = URL.matcher(Files.readString(err));
                if (m.find()) return URI.create(m.group(1));
            }
            if (!job.isAlive()) break;
            TimeUnit.MILLISECONDS.sleep(100); // the log is a file: nothing to wait on but its growth
        }
        throw new AssertionError("no dashboard address in the spawner's log within " + WAIT + ":\n"
                + (Files.exists(err) ? Files.readString(err) : "(no log)"));
    }

    /** Headless chromium with a fresh profile, through Debian's chromedriver (no driver download: SE_OFFLINE). */
    static WebDriver chromium(Path profile) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1700", "--user-data-dir=" + profile, "--no-first-run", "--disable-extensions");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private WebDriverWait waitUpTo(Duration d) {
        return new WebDriverWait(browser, d, Duration.ofMillis(50));
    }

    /**
     * Runs {@code script} in the page and returns what it returns. The page redraws its tables a
     * few times a second, so they are read in one go, in the page, never element by element.
     */
    private Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    /** The texts of the elements {@code selector} finds now. */
    @SuppressWarnings("unchecked")
    private List<String> texts(String selector) {
        return (List<String>) js("return [...document.querySelectorAll(\"" + selector + "\")].map(e => e.textContent);");
    }

    /** The number an element shows (its digits, without thousands separators). */
    private long number(String id) {
        String digits = String.valueOf(js("return document.getElementById('" + id + "').textContent;")).replaceAll("[^0-9]", "");
        return digits.isEmpty() ? 0 : Long.parseLong(digits);
    }

    private long chartEnded() {
        Object v = js("return document.getElementById('chart-rate').dataset.ended || '0';");
        return Long.parseLong(String.valueOf(v));
    }

    @Test
    void thePageFollowsAJobLiveAndShowsItsFailureAndItsLostWorker() throws Exception {
        job = startJob(dir, 3, DashboardJob.class.getName(), List.of(dir.toString()));
        URI url = awaitUrl(job, dir);
        String origin = "http://" + url.getHost() + ":" + url.getPort();

        HttpClient http = HttpClient.newHttpClient();
        assertEquals(403, http.send(HttpRequest.newBuilder(URI.create(origin + "/")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode(), "without the token");

        browser = chromium(Files.createDirectory(dir.resolve("profile")));
        browser.get(url.toString());
        // Hosts and slots: the spawner's slot 0/0 and the two workers'.
        waitUpTo(WAIT).until(b -> texts("#hosts td.slot").size() == 3);
        assertEquals("live", texts("#conn").get(0));
        assertEquals(List.of("0/0", "1/0", "2/0"), texts("#hosts td.slot"));

        // The completed count and the chart advance while the map runs.
        waitUpTo(WAIT).until(b -> number("farm-completed") > 0);
        long completed = number("farm-completed");
        long ended = chartEnded();
        waitUpTo(Duration.ofSeconds(10)).until(b -> number("farm-completed") > completed && chartEnded() > ended);
        waitUpTo(Duration.ofSeconds(10)).until(b -> texts("#hosts td.work").stream()
                .anyMatch(w -> w.matches("input \\d+ of " + DashboardJob.INPUTS)));  // a slot shows the input it runs

        // The task that threw, with its remote stack trace, its markup shown as text.
        waitUpTo(WAIT).until(b -> !texts("#failures details").isEmpty());
        browser.findElement(By.cssSelector("#failures details summary")).click(); // kept while the failures stay the same
        String trace = browser.findElement(By.cssSelector("#failures details pre")).getText();
        assertTrue(trace.contains("IllegalStateException: " + DashboardJob.FAILURE), trace);
        assertTrue(trace.contains("at io.paravm.dashboard.DashboardJob"), "the remote stack trace: " + trace);
        assertTrue(browser.findElements(By.cssSelector("#failures b, #failures script")).isEmpty(), "markup stays text");
        assertEquals(1, number("farm-failed"));

        // Everything the page loaded came from its own origin; nothing broke its policy.
        @SuppressWarnings("unchecked")
        List<String> loaded = (List<String>) js("return performance.getEntriesByType('resource').map(e => e.name)"
                + ".concat([document.URL]);");
        assertTrue(loaded.size() >= 5, "the page, its script and style, uPlot's, the event stream: " + loaded);
        for (String u : loaded) assertTrue(u.startsWith(origin + "/"), "loaded from elsewhere: " + u);
        assertEquals(List.of(), js("return window.paravmCspViolations;"));

        // kill -9 of rank 2's JVM: the page shows it lost within 5 s.
        JsonNode status = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(URI.create(origin + "/api/status"))
                .header("Authorization", "Bearer " + url.getQuery().substring("token=".length())).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        long pid = -1;
        for (JsonNode h : status.get("hosts")) for (JsonNode j : h.get("jvms")) if (j.get("rank").asInt() == 2) pid = j.get("pid").asLong();
        ProcessHandle victim = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("rank 2's JVM is not running"));
        assertTrue(!Files.exists(dir.resolve("mapped")), "the map still runs when its worker is killed");
        long killed = System.nanoTime();
        assertTrue(victim.destroyForcibly(), "kill -9 " + pid);
        waitUpTo(Duration.ofSeconds(5)).until(b -> texts("#lost li.lost-host").stream()
                .anyMatch(li -> li.contains("(rank 2) lost")));
        System.out.printf("figure: a worker killed with kill -9 showed as lost on the page after %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
        waitUpTo(Duration.ofSeconds(5)).until(b -> texts("#hosts tr[data-rank='2']").isEmpty());

        // The map ends on the worker left, every input once (the rest in no time: the checks are done).
        Files.writeString(dir.resolve("hurry"), "hurry");
        waitUpTo(Duration.ofSeconds(120)).until(b -> Files.exists(dir.resolve("mapped")));
        waitUpTo(WAIT).until(b -> number("farm-completed") == DashboardJob.INPUTS);
        Path shot = Path.of("target", "dashboard-browser-test.png");
        Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), shot,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(dir.resolve("done"), "done");
        assertTrue(job.waitFor(60, TimeUnit.SECONDS), "the job ends once told");
        assertEquals(0, job.exitValue(), "the job's exit status; see " + dir.resolve("job.err"));
    }
}
