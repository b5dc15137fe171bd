package io.paravm.tck;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * What the quiet-end tests read from a finished job: the lines of its output that look like a
 * problem to a user, and the time from the spawner's {@code close()} ({@link QuietEndJob}'s
 * close mark) to the launcher's exit.
 *
 * <p>A line looks like a problem when it carries a log level of WARN, ERROR or SEVERE as a
 * word (SLF4J's, log4j's {@code log4j:WARN}, java.util.logging's), or {@code warning:} in any
 * case (the JVM's {@code WARNING:} lines, {@code OpenJDK 64-Bit Server VM warning:}, Open MPI's
 * help texts).
 *
 * <pre>{@code
 * Process job = new ProcessBuilder(...QuietEndJob..., "--mode", "quiet")
 *         .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
 * Instant exited = JobOutput.awaitExit(job, Duration.ofSeconds(120));
 * JobOutput.assertQuiet(out, err);
 * Duration d = JobOutput.closeToExit(closeMark, exited);
 * }</pre>
 */
public final class JobOutput {

    /** What makes a line look like a problem. */
    public static final Pattern NOT_QUIET = Pattern.compile("\\b(WARN|ERROR|SEVERE)\\b|(?i:\\bwarning:)");

    private JobOutput() {
    }

    /**
     * Waits for a job's launcher to exit and returns when it did.
     *
     * @param launcher  the launcher ({@code mpirun}, a launcher JVM)
     * @param hangGuard how long it may take before the test fails (the job is then killed by the test's clean-up)
     * @return the instant its exit was seen
     * @throws InterruptedException if interrupted while waiting
     */
    public static Instant awaitExit(Process launcher, Duration hangGuard) throws InterruptedException {
        if (!launcher.waitFor(hangGuard.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the job did not end within " + hangGuard);
        }
        return Instant.now();
    }

    /**
     * Returns every line of the files that looks like a problem, each as {@code file:line: text}.
     *
     * @param outputs the job's output files (missing ones are skipped)
     * @return the lines, in order
     * @throws IOException if a file cannot be read
     */
    public static List<String> problemLines(Path... outputs) throws IOException {
        List<String> found = new ArrayList<>();
        for (Path f : outputs) {
            if (!Files.exists(f)) continue;
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                if (NOT_QUIET.matcher(lines.get(i)).find()) found.add(f.getFileName() + ":" + (i + 1) + ": " + lines.get(i));
            }
        }
        return found;
    }

    /**
     * Fails naming every line of the job's output that looks like a problem.
     *
     * @param outputs the job's output files (its stdout and stderr)
     * @throws IOException if a file cannot be read
     */
    public static void assertQuiet(Path... outputs) throws IOException {
        List<String> found = problemLines(outputs);
        if (!found.isEmpty()) {
            throw new AssertionError("a normal job printed " + found.size() + " line(s) that read as a problem:\n  "
                    + String.join("\n  ", found));
        }
    }

    /**
     * Returns the time from the spawner's {@code close()} to the launcher's exit.
     *
     * @param closeMark the file {@link QuietEndJob} wrote its close instant to
     * @param exited    when the launcher's exit was seen ({@link #awaitExit})
     * @return the time between them
     * @throws IOException if the mark cannot be read
     */
    public static Duration closeToExit(Path closeMark, Instant exited) throws IOException {
        if (!Files.exists(closeMark)) throw new AssertionError("the spawner wrote no close mark to " + closeMark);
        long micros = Long.parseLong(Files.readString(closeMark).trim());
        return Duration.of(ChronoUnit.MICROS.between(Instant.EPOCH, exited) - micros, ChronoUnit.MICROS);
    }

    /** Formats a duration as milliseconds, for the figures the tests print. */
    public static String millis(Duration d) {
        return String.format(Locale.ROOT, "%d ms", d.toMillis());
    }
}
