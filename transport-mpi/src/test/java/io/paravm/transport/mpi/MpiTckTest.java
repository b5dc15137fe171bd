package io.paravm.transport.mpi;

import io.paravm.tck.EnvironmentVerification;
import io.paravm.tck.FarmVerification;
import io.paravm.tck.FlowControlVerification;
import io.paravm.tck.JobFaultTest;
import io.paravm.tck.JobOutput;
import io.paravm.tck.ReliabilityVerification;
import io.paravm.tck.TckLauncher;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TCK (docs/SPEC.md) inside real jobs on each MPI, as transport-openmpi's pom runs it:
 * 2 ranks with 2 slots per worker and mirroring (the VM's, the farm's and the environment's
 * rules), 3 ranks whose workers offer 1 and 2 slots; and, in the reliability profile, 3 ranks with 2 slots
 * and 2 GiB heaps (sections 8 and 9). Each job must exit 0, fail no rule and print no line
 * that reads as a problem (a JVM's {@code WARNING:} included). Its summary line is printed
 * for CI's total.
 */
class MpiTckTest extends JobFaultTest {

    private static final Pattern SUMMARY = Pattern.compile("^ParaVM TCK \\[(.*)\\]: (\\d+) passed, (\\d+) failed, (\\d+) skipped");

    static Stream<Arguments> jobs() {
        return MpiJobs.mpis().stream().flatMap(mpi -> Stream.of(Arguments.of(mpi, 2), Arguments.of(mpi, 3)));
    }

    @ParameterizedTest(name = "{0} np={1}")
    @MethodSource("jobs")
    void theTckPassesInAJob(String mpiName, int ranks) throws Exception {
        MpiAbi mpi = MpiAbi.named(mpiName).orElseThrow();
        List<String> jvm = new ArrayList<>(List.of("-Xss8m"));
        List<String> verifications = new ArrayList<>(List.of(MpiVerification.class.getName(), FarmVerification.class.getName()));
        String label = "mpi " + mpi.name() + " np=" + ranks;
        List<String> lastRank = List.of();
        if (ranks == 3) {
            // Workers of 1 and 2 slots: the slot rules (1.6, 3.12) run here too, on a mixed job.
            lastRank = List.of("-Dparavm.worker.slots=2");
            label += " slots=1,2";
        }
        if (ranks == 2) {
            jvm.addAll(List.of("-Dparavm.worker.slots=2", "-Dparavm.mirror=" + EnvironmentVerification.MIRROR_DIR + "/**"));
            verifications.add(EnvironmentVerification.class.getName());
            // A file for the glob to match when the VM opens (else the spawner warns that it matches
            // nothing); the verification replaces the folder's files with its own.
            Path mirror = Files.createDirectories(Path.of(EnvironmentVerification.MIRROR_DIR));
            if (!Files.exists(mirror.resolve("input.txt"))) Files.writeString(mirror.resolve("input.txt"), "input");
            label += " slots=2 mirror";
        }
        long[] counts = run(mpi, ranks, jvm, lastRank, verifications, label, true);
        assertTrue(counts[0] > 0, "some rules ran");
        // Both jobs have a worker with 2 slots: no rule may skip (issue 14), on either MPI.
        assertEquals(0, counts[2], label + ": skipped rules; see target/tck/ for which");
    }

    @Tag("reliability")
    @ParameterizedTest(name = "{0} np=3 reliability")
    @MethodSource("io.paravm.transport.mpi.MpiJobs#mpis")
    void theReliabilityRulesPassInAJob(String mpiName) throws Exception {
        MpiAbi mpi = MpiAbi.named(mpiName).orElseThrow();
        run(mpi, 3, List.of("-Xss8m", "-Xmx" + System.getProperty("tck.reliability.heap", "2g"), "-Dparavm.worker.slots=2",
                        "-Dparavm.send.timeout.millis=15000"),
                List.of(ReliabilityVerification.class.getName()), "mpi " + mpi.name() + " np=3 slots=2 reliability", false);
    }

    /** The flow-control rules (docs/SPEC.md section 9) with every rank's heap smaller than the 256 MiB they stream. */
    @Tag("reliability")
    @ParameterizedTest(name = "{0} np=3 flow control")
    @MethodSource("io.paravm.transport.mpi.MpiJobs#mpis")
    void theFlowControlRulesPassInAJob(String mpiName) throws Exception {
        MpiAbi mpi = MpiAbi.named(mpiName).orElseThrow();
        run(mpi, 3, List.of("-Xss8m", "-Xmx64m", "-Dparavm.worker.slots=2", "-Dparavm.send.timeout.millis=15000"),
                List.of(FlowControlVerification.class.getName()), "mpi " + mpi.name() + " np=3 slots=2 flow control -Xmx64m",
                false);
    }

    /** Runs one TCK job and returns {passed, failed, skipped}, failing on any failure or a problem line. */
    private long[] run(MpiAbi mpi, int ranks, List<String> jvm, List<String> verifications, String label, boolean quiet)
            throws Exception {
        return run(mpi, ranks, jvm, List.of(), verifications, label, quiet);
    }

    private long[] run(MpiAbi mpi, int ranks, List<String> jvm, List<String> lastRank, List<String> verifications,
            String label, boolean quiet) throws Exception {
        Path reports = Path.of("target", "tck", label.replaceAll("[^A-Za-z0-9=.]+", "-")); // a folder per job
        List<String> args = new ArrayList<>();
        for (String v : verifications) args.addAll(List.of("--verification", v));
        args.addAll(List.of("--reports", reports.toString(), "--label", label));
        Path out = dir.resolve("job.out");
        Path err = dir.resolve("job.err");
        job = (lastRank.isEmpty() ? MpiJobs.command(mpi, ranks, jvm, TckLauncher.class.getName(), args)
                : MpiJobs.commandWithLastRank(mpi, ranks, jvm, lastRank, TckLauncher.class.getName(), args))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        JobOutput.awaitExit(job, Duration.ofSeconds(MpiJobs.jobTimeoutSeconds()));
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        long[] counts = null;
        for (String line : lines) {
            Matcher m = SUMMARY.matcher(line);
            if (m.find()) {
                counts = new long[] {Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), Long.parseLong(m.group(4))};
                System.out.println(line); // CI totals these lines
            }
        }
        String see = "; see " + out.toAbsolutePath() + " and " + err.toAbsolutePath();
        assertTrue(counts != null, "the job printed no TCK summary (exit " + job.exitValue() + ")" + see);
        assertEquals(0, counts[1], "failed rules" + see);
        assertEquals(0, job.exitValue(), mpi.mpirun() + "'s exit status" + see);
        List<String> problems = JobOutput.problemLines(out, err);
        if (!quiet) problems = problems.stream().filter(l -> l.contains("WARNING:")).toList();
        assertTrue(problems.isEmpty(), "lines that read as a problem (a JVM's WARNING: among them?):\n  "
                + String.join("\n  ", problems) + see);
        return counts;
    }
}
