package io.paravm.tck;

import io.paravm.VirtualMachine;
import io.paravm.VirtualMachines;
import io.paravm.VmConfig;
import io.paravm.VmStatus;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.junit.platform.reporting.legacy.xml.LegacyXmlReportGeneratingListener;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs the TCK inside a real job: every rank runs this {@code main}; workers enter their
 * spawn loop; the spawner runs the verification class with JUnit, writes a JUnit XML
 * report per class (Surefire's format) and a line per test, closes the VM, runs
 * {@link ClosedVirtualMachineVerification}, checks that every worker process ended,
 * and exits non-zero if anything failed (with {@code --no-skips}, also if a rule was skipped: for a job
 * set up to run every rule).
 *
 * <pre>{@code
 * mpirun -np 3 java -cp ... io.paravm.tck.TckLauncher \
 *     --verification io.paravm.transport.openmpi.OpenMpiVerification \
 *     --verification io.paravm.tck.FarmVerification --reports target/tck/np3
 * }</pre>
 *
 * <p>The verification classes run in the order given, on one open VM.
 */
public final class TckLauncher {

    private TckLauncher() {
    }

    /** What the spawner's run found. */
    public record Outcome(long passed, long failed, long skipped) {
        /** Returns whether nothing failed and something ran. */
        public boolean ok() {
            return failed == 0 && passed > 0;
        }
    }

    /**
     * Entry point for every rank.
     *
     * @param args {@code --verification CLASS [--verification CLASS ...] --reports DIR [--label TEXT] [--no-skips]
     *             [user args]};
     *             a {@code --verification} value may also list classes separated by commas
     * @throws Exception on a VM failure
     */
    public static void main(String[] args) throws Exception {
        List<String> verifications = new ArrayList<>();
        String reports = "target/tck", label = null;
        boolean noSkips = false;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--verification" -> verifications.addAll(Arrays.asList(args[++i].split(",")));
                case "--reports" -> reports = args[++i];
                case "--label" -> label = args[++i];
                case "--no-skips" -> noSkips = true;
                default -> rest.add(args[i]);
            }
        }
        if (verifications.isEmpty()) {
            throw new IllegalArgumentException("usage: TckLauncher --verification CLASS [--verification CLASS ...] "
                    + "[--reports DIR] [--label TEXT] [--no-skips]");
        }
        List<Class<?>> verificationClasses = new ArrayList<>();
        for (String name : verifications) {
            verificationClasses.add(Class.forName(name.trim(), true, Thread.currentThread().getContextClassLoader()));
        }
        VirtualMachine vm = VirtualMachines.open(VmConfig.builder().args(rest.toArray(String[]::new)).build());
        if (!vm.isSpawner()) {
            vm.runWorkerLoop();
            return;
        }
        Outcome outcome = runOnSpawner(vm, verificationClasses, Path.of(reports),
                label != null ? label : vm.transportName() + " np=" + vm.slots());
        if (noSkips && outcome.skipped() > 0) {
            System.out.println("ParaVM TCK: " + outcome.skipped() + " rule(s) skipped in a job run with --no-skips; "
                    + "the reports say which and what setting each needs");
        }
        System.exit(outcome.ok() && !(noSkips && outcome.skipped() > 0) ? 0 : 1);
    }

    /**
     * Runs one verification class on an open spawner VM, closes it, verifies the closed VM
     * and that the worker processes ended. Reusable by in-process runs.
     *
     * @param vm                the spawner's VM
     * @param verificationClass the transport's subclass of {@link VirtualMachineVerification}
     * @param reports           where the XML reports go
     * @param label             what the summary lines call this run
     * @return the counts
     * @throws Exception on I/O failure writing reports
     */
    public static Outcome runOnSpawner(VirtualMachine vm, Class<?> verificationClass, Path reports, String label)
            throws Exception {
        return runOnSpawner(vm, List.of(verificationClass), reports, label);
    }

    /**
     * Runs the verification classes in order on an open spawner VM, closes it, verifies the
     * closed VM and that the worker processes ended. Reusable by in-process runs.
     *
     * @param vm                  the spawner's VM
     * @param verificationClasses e.g. the transport's subclass of {@link VirtualMachineVerification},
     *                            then {@link FarmVerification}
     * @param reports             where the XML reports go
     * @param label               what the summary lines call this run
     * @return the counts over every class
     * @throws Exception on I/O failure writing reports
     */
    public static Outcome runOnSpawner(VirtualMachine vm, List<Class<?>> verificationClasses, Path reports, String label)
            throws Exception {
        Files.createDirectories(reports);
        PrintWriter out = new PrintWriter(System.out, true);
        out.println("ParaVM TCK [" + label + "] " + verificationClasses.stream().map(Class::getName).toList()
                + " on " + vm.transportName() + " with " + vm.slots() + " slots");
        out.print(vm.formatSpawnerConfig());
        VmStatus status = vm.status();
        long myPid = ProcessHandle.current().pid();
        List<Long> workerPids = status.slots().stream().filter(s -> s.rank() != 0 && s.pid() != myPid)
                .map(VmStatus.Slot::pid).distinct().toList();

        TckEnvironment.install(vm);
        long[] totals = new long[3];
        try {
            for (Class<?> verificationClass : verificationClasses) run(verificationClass, reports, label, out, totals);
            vm.close();
            TckEnvironment.markClosed();
            run(ClosedVirtualMachineVerification.class, reports, label, out, totals);
        } finally {
            TckEnvironment.uninstall();
            vm.close();
        }
        // Rule 5.3: close() ends every worker process (checked here, where the pids are known).
        boolean sameHost = status.hosts().size() == 1;
        for (long pid : workerPids) {
            if (!sameHost) break;
            // Not ProcessHandle.onExit: a worker that has ended stays a zombie until its parent reaps it, and
            // MPICH's hydra proxy reaps its ranks only when the whole job ends.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            boolean ended;
            while (!(ended = !JobProcesses.isRunning(pid)) && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(JobProcesses.POLL.toNanos());
            }
            if (ended) {
                totals[0]++;
                out.println("  PASS required_spec5_3_closeEndsEveryWorker (pid " + pid + ")");
            } else {
                totals[1]++;
                out.println("  FAIL required_spec5_3_closeEndsEveryWorker: worker pid " + pid
                        + " still runs 60 s after close()");
            }
        }
        out.println("ParaVM TCK [" + label + "]: " + totals[0] + " passed, " + totals[1] + " failed, "
                + totals[2] + " skipped");
        return new Outcome(totals[0], totals[1], totals[2]);
    }

    private static void run(Class<?> testClass, Path reports, String label, PrintWriter out, long[] totals) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectClass(testClass))
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "false")
                .build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        // One folder per class: JUnit names every report TEST-junit-jupiter.xml.
        Path dir = reports.resolve(testClass.getSimpleName());
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LegacyXmlReportGeneratingListener xml = new LegacyXmlReportGeneratingListener(dir, out);
        TestExecutionListener lines = new TestExecutionListener() {
            private final long[] started = new long[1];

            @Override
            public void executionStarted(TestIdentifier id) {
                if (id.isTest()) started[0] = System.nanoTime();
            }

            @Override
            public void reportingEntryPublished(TestIdentifier id, ReportEntry entry) {
                // Figures a test measured (TestReporter), e.g. the reliability rules' counts and sizes.
                entry.getKeyValuePairs().forEach((k, v) -> out.println("    " + k + ": " + v));
            }

            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                if (id.isTest()) out.println("  SKIP " + id.getDisplayName() + ": " + reason);
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (!id.isTest()) return;
                long ms = (System.nanoTime() - started[0]) / 1_000_000;
                switch (result.getStatus()) {
                    case SUCCESSFUL -> out.println("  PASS " + id.getDisplayName() + " (" + ms + " ms)");
                    case ABORTED -> out.println("  SKIP " + id.getDisplayName() + ": "
                            + result.getThrowable().map(Throwable::getMessage).orElse(""));
                    case FAILED -> out.println("  FAIL " + id.getDisplayName() + " (" + ms + " ms): "
                            + result.getThrowable().map(t -> t + "\n      at " + Arrays.stream(t.getStackTrace())
                            .limit(6).map(String::valueOf).reduce((a, b) -> a + "\n      at " + b).orElse("")).orElse(""));
                }
            }
        };
        launcher.execute(request, summary, xml, lines);
        TestExecutionSummary s = summary.getSummary();
        totals[0] += s.getTestsSucceededCount();
        totals[1] += s.getTestsFailedCount();
        totals[2] += s.getTestsAbortedCount() + s.getTestsSkippedCount();
        if (s.getTestsFoundCount() == 0) {
            totals[1]++;
            out.println("  FAIL " + testClass.getName() + ": no tests found [" + label + "]");
        }
    }
}
