package io.paravm.transport.mpj;

import io.paravm.spi.launch.LaunchException;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * MPJ Express's home directory: where it is, and whether it holds what a job needs. The one
 * place both {@link MpjLauncher} and the launch recipe ({@link MpjEngineLauncher}) look.
 *
 * <pre>{@code
 * MpjHome home = MpjHome.locate().requireInstalled();
 * String cp = home.jars("mpj", "mpiExp");
 * }</pre>
 *
 * @param dir the directory, with {@code lib/} and {@code conf/}
 */
record MpjHome(Path dir) {

    /**
     * Returns the home in use: the environment variable {@code MPJ_HOME}, else
     * {@value MpjProperties#HOME_PROP_NAME}, else {@link MpjProperties#HOME_DEFAULT}.
     */
    static MpjHome locate() {
        String env = System.getenv("MPJ_HOME");
        if (env != null && !env.isBlank()) return new MpjHome(Path.of(env));
        String prop = System.getProperty(MpjProperties.HOME_PROP_NAME);
        return new MpjHome(Path.of(prop != null && !prop.isBlank() ? prop : MpjProperties.HOME_DEFAULT));
    }

    /** Returns what is missing for a job and what to do, or empty if {@code lib/mpj.jar} and {@code conf/mpjexpress.conf} are there. */
    Optional<String> problem() {
        if (Files.isRegularFile(dir.resolve("lib").resolve("mpj.jar"))
                && Files.isRegularFile(dir.resolve("conf").resolve("mpjexpress.conf"))) {
            return Optional.empty();
        }
        return Optional.of("MPJ_HOME " + dir + " has no lib/mpj.jar or conf/mpjexpress.conf; run scripts/install-mpj.sh, "
                + "or set MPJ_HOME (or -D" + MpjProperties.HOME_PROP_NAME + ")");
    }

    /**
     * @return this home
     * @throws LaunchException if it lacks what a job needs, saying what to do
     */
    MpjHome requireInstalled() {
        problem().ifPresent(p -> {
            throw new LaunchException(p);
        });
        return this;
    }

    /**
     * @param names jar names without {@code .jar}, e.g. {@code mpj}
     * @return a class path of those jars in {@code lib/}
     */
    String jars(String... names) {
        return Arrays.stream(names).map(n -> dir.resolve("lib").resolve(n + ".jar").toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
