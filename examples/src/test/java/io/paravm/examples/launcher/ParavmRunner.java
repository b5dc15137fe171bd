package io.paravm.examples.launcher;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs the {@code paravm} launcher as a user would (its own JVM, from {@code target/classes}
 * and {@code target/lib-launcher}), in a directory of the test's, with its output in a file.
 */
final class ParavmRunner {

    /** examples/target, where the build put classes/ and lib-<engine>/. */
    static final Path TARGET = Path.of("target").toAbsolutePath();
    /** Where the test programs are. */
    static final Path TEST_CLASSES = TARGET.resolve("test-classes");
    /** How long one launcher run may take before the test fails (and ends it). */
    static final Duration RUN_LIMIT = Duration.ofMinutes(5);

    private ParavmRunner() {
    }

    /** A finished run: its exit status and everything it printed (stdout and stderr). */
    record Result(int exit, String output) {
    }

    /**
     * Starts {@code paravm args...} in {@code dir}, with SIGINT and SIGTERM at their default
     * action (a JVM started from a background shell would otherwise ignore SIGINT).
     *
     * @param dir  the working directory
     * @param args the launcher's arguments
     * @return the process; its output goes to {@code dir/paravm.out}
     */
    static Process start(Path dir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("env", "--default-signal=INT,TERM",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", TARGET.resolve("classes") + File.pathSeparator + TARGET.resolve("lib-launcher") + File.separator + "*",
                Paravm.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("paravm.out").toFile()).redirectInput(ProcessBuilder.Redirect.PIPE).start();
    }

    /**
     * Runs {@code paravm args...} in {@code dir} to its end.
     *
     * @param dir  the working directory
     * @param args the launcher's arguments
     * @return its exit status and output
     */
    static Result run(Path dir, String... args) throws IOException, InterruptedException {
        Process p = start(dir, args);
        if (!p.waitFor(RUN_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("paravm " + String.join(" ", args) + " still ran after " + RUN_LIMIT + "; output:\n" + output(dir));
        }
        Result r = new Result(p.exitValue(), output(dir));
        System.out.println("---- paravm " + String.join(" ", args) + " -> " + r.exit() + "\n" + r.output());
        return r;
    }

    /** Returns what the launcher in {@code dir} has printed so far. */
    static String output(Path dir) throws IOException {
        Path out = dir.resolve("paravm.out");
        return Files.exists(out) ? Files.readString(out) : "";
    }

    /** Returns whether {@code paravm info} would call the engine installed: a rough check of the same facts. */
    static boolean installed(Engine engine) {
        return EngineStatus.probe(new Installation(TARGET), engine).installed();
    }
}
