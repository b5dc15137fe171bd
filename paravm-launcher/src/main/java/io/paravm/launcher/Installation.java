package io.paravm.launcher;

import io.paravm.spi.launch.LaunchException;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where a {@code paravm} installation keeps its parts: {@code lib/} (the launcher),
 * {@code engines/<engine>/} (one run-time class path per engine), {@code demos/} and
 * {@code conf/}. Found from the launcher's own jar in {@code lib/}, unless
 * {@value #HOME_PROP_NAME} names it.
 *
 * <pre>{@code
 * Installation home = Installation.locate();
 * Path demos = home.demos();
 * }</pre>
 *
 * @param home the directory holding {@code lib/}, {@code engines/}, {@code demos/} and {@code conf/}
 */
public record Installation(Path home) {

    /** System property naming the installation's directory (default: the parent of the launcher jar's {@code lib/}). */
    public static final String HOME_PROP_NAME = "paravm.launcher.home";

    /** Finds the installation this launcher runs from. */
    public static Installation locate() {
        String prop = System.getProperty(HOME_PROP_NAME);
        if (prop != null && !prop.isBlank()) return new Installation(Path.of(prop).toAbsolutePath().normalize());
        CodeSource source = Installation.class.getProtectionDomain().getCodeSource();
        try {
            if (source == null) throw new URISyntaxException("(none)", "the launcher's classes have no location");
            Path jar = Path.of(source.getLocation().toURI()).toAbsolutePath().normalize();
            return new Installation(jar.getParent().getParent());
        } catch (URISyntaxException | IllegalArgumentException | NullPointerException e) {
            throw new LaunchException("cannot tell where the launcher was started from (" + e.getMessage()
                    + "); set -D" + HOME_PROP_NAME + "=DIR, the directory holding lib/, engines/ and demos/");
        }
    }

    /** Returns the directory holding one run-time class path per engine. */
    public Path engines() {
        return home.resolve("engines");
    }

    /** Returns the directory of the demos' jars. */
    public Path demos() {
        return home.resolve("demos");
    }

    /** Returns the directory put on the engines' own launcher JVMs' class path for their logging set-up. */
    public Path conf() {
        return home.resolve("conf");
    }

    /**
     * @param dir a directory of this installation
     * @return the jars in it, sorted; empty if it does not exist
     */
    static List<Path> jars(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /**
     * @param dir a directory of jars
     * @return its class path as {@code java -cp} takes it: {@code dir/*}
     */
    static String classPath(Path dir) {
        return dir + File.separator + "*";
    }

    /**
     * A class loader over the jars of {@code dir} alone, under the launcher's (which has
     * vm-api but no engine), so engines that both define package {@code mpi} never meet.
     *
     * @param name the loader's name, for stack traces
     * @param dir  a directory of jars
     * @return the class loader; the caller closes it
     */
    static URLClassLoader classLoader(String name, Path dir) {
        URL[] urls = jars(dir).stream().map(p -> {
            try {
                return p.toUri().toURL();
            } catch (MalformedURLException e) {
                throw new IllegalStateException(p + " is no URL", e);
            }
        }).toArray(URL[]::new);
        return new URLClassLoader("paravm-" + name, urls, Installation.class.getClassLoader());
    }
}
