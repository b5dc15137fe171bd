package io.paravm.launcher;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs the {@code paravm} launcher as a user would (its own JVM, from the installation the
 * build assembled in {@code target/paravm/lib}), in a directory of the test's, with its
 * output in a file.
 */
final class ParavmRunner {

    /** The installation the build assembled: lib/, engines/, demos/, conf/. */
    static final Path HOME = Path.of(System.getProperty(Installation.HOME_PROP_NAME, "target/paravm")).toAbsolutePath();
    /** The demos' class path, which holds the README's first program too. */
    static final String DEMOS = HOME.resolve("demos") + File.separator + "*";
    /** Where the test programs are. */
    static final Path TEST_CLASSES = Path.of("target", "test-classes").toAbsolutePath();
    /** Where the launcher keeps its class data archives in tests, unless a test says otherwise. */
    static final Path CLASS_DATA_CACHE = Path.of("target", "class-data-cache").toAbsolutePath();
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
        return start(Map.of(), dir, args);
    }

    /** As {@link #start(Path, String...)}, with {@code env} added to the launcher's environment. */
    static Process start(Map<String, String> env, Path dir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("env", "--default-signal=INT,TERM",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", HOME.resolve("lib") + File.separator + "*", Paravm.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("paravm.out").toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
        // the launcher's class data archives in the build's own directory, not the user's cache
        builder.environment().put(ClassDataCache.ENV_NAME, CLASS_DATA_CACHE.toString());
        builder.environment().putAll(env);
        return builder.start();
    }

    /**
     * Runs {@code paravm args...} in {@code dir} to its end.
     *
     * @param dir  the working directory
     * @param args the launcher's arguments
     * @return its exit status and output
     */
    static Result run(Path dir, String... args) throws IOException, InterruptedException {
        return run(Map.of(), dir, args);
    }

    /** As {@link #run(Path, String...)}, with {@code env} added to the launcher's environment. */
    static Result run(Map<String, String> env, Path dir, String... args) throws IOException, InterruptedException {
        Process p = start(env, dir, args);
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

    /** Returns whether the installation has the engine and {@code paravm info} calls it installed. */
    static boolean installed(String engine) {
        return Boolean.TRUE.equals(Info.ONCE.installed().get(engine));
    }

    /** Returns whether the engine was built into the installation at all. */
    static boolean built(String engine) {
        return Info.ONCE.installed().containsKey(engine);
    }

    /** Returns the engine {@code paravm run} picks without {@code --transport}. */
    static String best() {
        return Info.ONCE.best();
    }

    /**
     * {@code paravm info}, read once: asked of the launcher itself, since only its own JVM
     * (the installation's lib/, no engine) loads each engine's recipe the way a user's does.
     *
     * @param installed each engine listed, and whether it is installed
     * @param best      the engine {@code paravm run} picks
     */
    private record Info(Map<String, Boolean> installed, String best) {
        /** Read on first use, after the runner's own constants. */
        static final Info ONCE = read();

        static Info read() {
            try {
                Path dir = Files.createTempDirectory("paravm-info");
                Result r = run(dir, "info");
                Map<String, Boolean> installed = new LinkedHashMap<>();
                Matcher line = Pattern.compile("(?m)^  (\\S+) +(installed|not installed) ").matcher(r.output());
                while (line.find()) installed.put(line.group(1), line.group(2).equals("installed"));
                Matcher best = Pattern.compile("paravm run uses: (\\S+) ").matcher(r.output());
                return new Info(installed, best.find() ? best.group(1) : "none");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
