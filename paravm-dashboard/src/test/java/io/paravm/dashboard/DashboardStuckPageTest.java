package io.paravm.dashboard;

import io.paravm.TaskId;
import io.paravm.VmConfig;
import io.paravm.spi.FarmTaskEvent;
import io.paravm.spi.VmEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A page that stops reading (a suspended tab, a hung peer) is dropped once an update has waited
 * {@value #STUCK_MILLIS} ms for it, and meanwhile the other pages keep getting theirs; closing
 * the dashboard does not wait for such a page either. The
 * updates are made large (50 failures of 16,000 characters: about 800 KB each, 50 a second),
 * so the stuck page's socket fills within a fraction of a second.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DashboardStuckPageTest {

    static final long STUCK_MILLIS = 1000;
    static final long UPDATE_MILLIS = 20;

    private Dashboard dashboard;
    private Thread healthy;

    @AfterEach
    void tearDown() throws Exception {
        if (dashboard != null) dashboard.close();
        if (healthy != null) healthy.join(10_000);
    }

    @Test
    void aPageThatStopsReadingIsDroppedAndTheOthersKeepTheirUpdates() throws Exception {
        VmEvents events = new VmEvents();
        dashboard = Dashboard.start(DashboardLoadBrowserTest.simulatedVm(events), VmConfig.builder()
                .property(DashboardProperties.UPDATE_MILLIS_PROP_NAME, Long.toString(UPDATE_MILLIS))
                .property(DashboardProperties.STUCK_MILLIS_PROP_NAME, Long.toString(STUCK_MILLIS)).build());
        bigUpdates(events);

        // A page that reads every update, counting them.
        AtomicLong healthyUpdates = new AtomicLong();
        Socket healthyPage = openStream();
        healthy = new Thread(() -> countEvents(healthyPage, healthyUpdates), "healthy-page");
        healthy.setDaemon(true);
        healthy.start();

        // A page that asks for the stream and reads nothing.
        Socket stuck = openStream();
        long start = System.nanoTime();
        // Long enough for its socket to fill (a fraction of a second), the drop (STUCK_MILLIS after) and some margin.
        TimeUnit.MILLISECONDS.sleep(4 * STUCK_MILLIS);
        long healthyBefore = healthyUpdates.get();

        // Dropped: reading it now drains what the sockets held, then ends. Kept, it would never end.
        stuck.setSoTimeout(10_000);
        InputStream in = stuck.getInputStream();
        byte[] buf = new byte[1 << 16];
        long bytes = 0;
        String head = null;
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                if (head == null) head = new String(buf, 0, Math.min(n, 15), StandardCharsets.US_ASCII);
                bytes += n;
                if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(40)) {
                    fail("the page that stopped reading was never dropped: its stream still flows, " + bytes + " B read");
                }
            }
        } catch (SocketTimeoutException e) {
            fail("the stuck page's stream neither ended nor sent anything for 10 s after " + bytes + " B");
        } catch (IOException reset) {
            // dropped with a reset: as good as an end
        }
        stuck.close();
        assertEquals("HTTP/1.1 200 OK", head, "the stuck page's stream was served at first");
        System.out.printf("figure: the stuck page held %,d B before it was dropped; the other page got %d updates meanwhile%n",
                bytes, healthyBefore);

        // The ticker was never held up by the stuck page: the reading one still gets updates after it.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (healthyUpdates.get() < healthyBefore + 3 && System.nanoTime() < deadline) TimeUnit.MILLISECONDS.sleep(20);
        long after = healthyUpdates.get() - healthyBefore;
        assertTrue(healthyBefore > 0 && after >= 3, () -> "the reading page got " + healthyBefore + " updates while the other "
                + "was stuck and " + after + " after it was dropped: updates stopped");
        healthyPage.close();
    }

    @Test
    void closingTheDashboardDoesNotWaitForAPageThatStoppedReading() throws Exception {
        VmEvents events = new VmEvents();
        dashboard = Dashboard.start(DashboardLoadBrowserTest.simulatedVm(events), VmConfig.builder()
                .property(DashboardProperties.UPDATE_MILLIS_PROP_NAME, Long.toString(UPDATE_MILLIS)).build());
        bigUpdates(events);
        try (Socket stuck = openStream()) {
            TimeUnit.MILLISECONDS.sleep(2000); // its socket fills; the default stuck time (30 s) is far off
            Dashboard d = dashboard;
            dashboard = null;
            long t0 = System.nanoTime();
            assertTimeoutPreemptively(Duration.ofSeconds(20), d::close, "closing the dashboard hangs on a page that stopped reading");
            System.out.printf("figure: the dashboard closed in %d ms with a stuck page%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        }
    }

    /** 50 failures of 16,000 characters: every update is about 800 KB. */
    private static void bigUpdates(VmEvents events) {
        String error = "java.lang.IllegalStateException: " + "x".repeat(DashboardState.ERROR_CHARS);
        for (int i = 0; i < DashboardState.KEPT; i++) {
            events.listener().farmTask(new FarmTaskEvent(FarmTaskEvent.Kind.FAILED, new TaskId(1, 1), i, DashboardState.KEPT,
                    1, 1, error));
        }
    }

    private Socket openStream() throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096); // fills fast when not read
        s.connect(new InetSocketAddress("127.0.0.1", dashboard.port()), 5000);
        s.getOutputStream().write(("GET /api/events?token=" + dashboard.token() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return s;
    }

    /** Counts the events of a server-sent-event stream: each ends with a blank line. */
    private static void countEvents(Socket s, AtomicLong events) {
        try (InputStream in = s.getInputStream()) {
            byte[] buf = new byte[1 << 16];
            byte last = 0;
            for (int n; (n = in.read(buf)) >= 0; ) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n' && last == '\n') events.incrementAndGet();
                    last = buf[i];
                }
            }
        } catch (IOException e) {
            // closed at the end of the test
        }
    }
}
