package io.paravm.dashboard;

import io.paravm.HostId;
import io.paravm.SlotId;
import io.paravm.TaskId;
import io.paravm.VirtualMachine;
import io.paravm.VmConfig;
import io.paravm.VmStatus;
import io.paravm.spi.FarmTaskEvent;
import io.paravm.spi.VmEventListener;
import io.paravm.spi.VmEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The page keeps up with a large VM: a simulated event stream of 64 slots finishing 10,000
 * farm tasks a second (the events a real spawner's VM would publish, fired into the hub of a
 * stand-in VM that answers only what the dashboard asks: its slots and its events). A change
 * (a failure) shows on the page, in a real browser, within 1 s, and the page gets only a few
 * updates a second however many events there are.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DashboardLoadBrowserTest {

    static final int SLOTS = 64;
    static final int TASKS_PER_SECOND = 10_000;

    @TempDir
    Path dir;
    private WebDriver browser;
    private Dashboard dashboard;
    private final AtomicBoolean stop = new AtomicBoolean();
    private Thread stream;

    @AfterEach
    void tearDown() throws Exception {
        stop.set(true);
        if (stream != null) stream.join(10_000);
        if (browser != null) browser.quit();
        if (dashboard != null) dashboard.close();
    }

    /** A spawner's VM with 64 busy worker slots on 8 hosts; it answers only what the dashboard asks. */
    static VirtualMachine simulatedVm(VmEvents events) {
        List<VmStatus.Slot> slots = new ArrayList<>();
        slots.add(new VmStatus.Slot(new SlotId(0, 0), new HostId("head"), 1, new TaskId(0, 0)));
        for (int r = 1; r <= SLOTS; r++) {
            slots.add(new VmStatus.Slot(new SlotId(r, 0), new HostId("node-" + (r - 1) / 8), 1000 + r, new TaskId(r, r)));
        }
        VmStatus status = new VmStatus(List.of(), slots);
        return (VirtualMachine) Proxy.newProxyInstance(VirtualMachine.class.getClassLoader(), new Class<?>[] {VirtualMachine.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "isSpawner" -> true;
                    case "events" -> events;
                    case "status" -> status;
                    case "transportName" -> "simulated";
                    case "slots" -> SLOTS + 1;
                    case "freeSlots" -> 0;
                    case "taskId" -> new TaskId(0, 0);
                    case "toString" -> "simulated VM";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    /** Fires the events of 10,000 farm tasks a second on 64 workers (submitted, started, completed), in 1 ms batches. */
    private void fire(VmEvents events) {
        long next = System.nanoTime();
        long n = 0;
        while (!stop.get()) {
            VmEventListener l = events.listener();
            for (int i = 0; i < TASKS_PER_SECOND / 1000 && l != null; i++, n++) {
                TaskId worker = new TaskId(1 + (int) (n % SLOTS), 1 + (int) (n % SLOTS));
                int item = (int) (n % 1_000_000);
                l.farmTask(new FarmTaskEvent(FarmTaskEvent.Kind.SUBMITTED, TaskId.bad(), item, 1_000_000, 0, 0, null));
                l.farmTask(new FarmTaskEvent(FarmTaskEvent.Kind.STARTED, worker, item, 1_000_000, 0, 0, null));
                l.farmTask(new FarmTaskEvent(FarmTaskEvent.Kind.COMPLETED, worker, item, 1_000_000, 6_000_000, 7_000_000, null));
            }
            next += 1_000_000;
            long wait = next - System.nanoTime();
            if (wait > 0) LockSupport.parkNanos(wait); // the stream's pace: 10 tasks a millisecond
        }
    }

    private Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    @Test
    void withSixtyFourSlotsAndTenThousandTasksASecondAChangeShowsWithinOneSecond() throws Exception {
        assumeTrue(Files.isExecutable(DashboardBrowserTest.CHROMIUM) && Files.isExecutable(DashboardBrowserTest.CHROMEDRIVER),
                "needs Debian's chromium and chromium-driver (scripts/test.sh installs them)");
        VmEvents events = new VmEvents();
        dashboard = Dashboard.start(simulatedVm(events), VmConfig.defaults());
        stream = new Thread(() -> fire(events), "simulated-events");
        stream.start();
        browser = DashboardBrowserTest.chromium(Files.createDirectory(dir.resolve("profile")));
        browser.get(dashboard.url().toString());
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30), Duration.ofMillis(20));
        wait.until(b -> Long.parseLong(String.valueOf(js("return document.body.dataset.updates || '0';"))) > 2);
        assertTrue(((Number) js("return document.querySelectorAll('#hosts td.slot').length;")).intValue() == SLOTS + 1);

        long updates0 = Long.parseLong(String.valueOf(js("return document.body.dataset.updates;")));
        long start = System.nanoTime();
        List<Long> delays = new ArrayList<>();
        for (int k = 0; k < 5; k++) {
            String marker = "change " + k + " at " + System.nanoTime();
            long fired = System.nanoTime();
            events.listener().farmTask(new FarmTaskEvent(FarmTaskEvent.Kind.FAILED, new TaskId(7, 7), -1, 0, 1, 1,
                    "java.lang.IllegalStateException: " + marker));
            new WebDriverWait(browser, Duration.ofSeconds(10), Duration.ofMillis(10)).until(b -> String.valueOf(
                    js("return document.getElementById('failures').textContent;")).contains(marker));
            delays.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - fired));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long updates = Long.parseLong(String.valueOf(js("return document.body.dataset.updates;"))) - updates0;
        long completed = Long.parseLong(String.valueOf(js("return document.getElementById('farm-completed').textContent;"))
                .replaceAll("[^0-9]", ""));
        System.out.printf("figure: 64 slots, 10,000 tasks/s simulated: a change showed after %s ms; %d page updates in "
                + "%.1f s; %,d tasks counted%n", delays, updates, seconds, completed);
        for (long d : delays) assertTrue(d <= 1000, "a change showed after " + d + " ms: " + delays);
        assertTrue(updates <= Math.ceil(seconds * 1000 / DashboardProperties.UPDATE_MILLIS_DEFAULT) + 2,
                "coalesced: " + updates + " updates in " + seconds + " s");
        assertTrue(completed > 10_000, "the page counts the stream's tasks: " + completed);
    }
}
