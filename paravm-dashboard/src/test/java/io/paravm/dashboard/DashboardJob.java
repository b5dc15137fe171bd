package io.paravm.dashboard;

import io.paravm.VirtualMachine;
import io.paravm.VmConfig;
import io.paravm.farm.TaskFarm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * The job the browser tests watch, as a user's program: its spawner serves the dashboard
 * ({@code VmConfig.dashboard(0)}), submits one task that throws (its message holds markup, to
 * check that the page shows it as text), then maps a function that takes about 40 ms over
 * {@code INPUTS} inputs (long enough for the test's checks on a loaded machine; once the test
 * makes the file {@code hurry}, the rest take no time), and waits for the test to say it is done
 * (a file) before it closes.
 *
 * <pre>
 * java io.paravm.transport.hazelcast.HazelcastLauncher -np 3 io.paravm.dashboard.DashboardJob DIR
 * </pre>
 */
public final class DashboardJob {

    /** The inputs of the map. */
    static final int INPUTS = 3000;
    /** What the throwing task throws: markup, which the page must show as text. */
    static final String FAILURE = "thrown on purpose by <b>DashboardJob</b> & <script>x()</script>";

    private DashboardJob() {
    }

    public static void main(String[] args) throws Exception {
        VirtualMachine.run(VmConfig.builder().args(args).dashboard(0).build(), (vm, userArgs) -> {
            Path dir = Path.of(userArgs[0]);
            try (TaskFarm farm = TaskFarm.builder(vm).lostHostRetries(5).build()) {
                CompletableFuture<Object> failing = farm.submit(w -> {
                    throw new IllegalStateException(FAILURE);
                });
                List<Integer> xs = IntStream.range(0, INPUTS).boxed().toList();
                String hurry = dir.resolve("hurry").toString(); // workers run on this machine, in this test
                List<Integer> ys = farm.map(x -> {
                    if (!Files.exists(Path.of(hurry))) Thread.sleep(40); // the work: the page watches it go by
                    return x;
                }, xs);
                if (!ys.equals(xs) || !failing.isCompletedExceptionally()) {
                    throw new IllegalStateException("the job's results are wrong");
                }
                Files.writeString(dir.resolve("mapped"), "ok");
                // The page stays up until the test has looked (at most two minutes).
                Path done = dir.resolve("done");
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
                while (!Files.exists(done) && System.nanoTime() < deadline) TimeUnit.MILLISECONDS.sleep(100);
            }
        });
    }
}
