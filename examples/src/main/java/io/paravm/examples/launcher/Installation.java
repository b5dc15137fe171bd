package io.paravm.examples.launcher;

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
 * Where the launcher finds the demos' classes ({@code classes/}) and each engine's run-time
 * class path ({@code lib-<engine>/}): {@code examples/target} of a build, found from the
 * launcher's own location unless {@value #HOME_PROP_NAME} names it.
 *
 * @param home the directory holding {@code classes/} and {@code lib-<engine>/}
 */
public record Installation(Path home) {

    /** System property naming the directory with {@code classes/} and {@code lib-<engine>/}. */
    public static final String HOME_PROP_NAME = "paravm.launcher.home";

    /** Finds the installation this launcher runs from. */
    public static Installation locate() {
        String prop = System.getProperty(HOME_PROP_NAME);
        if (prop != null && !prop.isBlank()) return new Installation(Path.of(prop).toAbsolutePath().normalize());
        CodeSource source = Installation.class.getProtectionDomain().getCodeSource();
        try {
            if (source == null) throw new URISyntaxException("(none)", "the launcher's classes have no location");
            Path classes = Path.of(source.getLocation().toURI());
            return new Installation(classes.toAbsolutePath().normalize().getParent());
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new LaunchException("cannot tell where the launcher was started from (" + e.getMessage()
                    + "); set -D" + HOME_PROP_NAME + "=DIR, the directory holding classes/ and lib-<engine>/");
        }
    }

    /** Returns the directory of the demos' (and the first program's) classes. */
    public Path classes() {
        return home.resolve("classes");
    }

    /**
     * @param engine an engine
     * @return its run-time class path directory, {@code lib-<engine>/} (it may not exist)
     */
    public Path libDir(Engine engine) {
        return home.resolve("lib-" + engine.id());
    }

    /**
     * @param engine an engine
     * @return the jars in its {@code lib-<engine>/}, sorted; empty if it was not built
     */
    public List<Path> jars(Engine engine) {
        Path dir = libDir(engine);
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /**
     * @param engine an engine
     * @param prefix the artifact name, e.g. {@code hazelcast}
     * @return whether {@code lib-<engine>/} holds {@code <prefix>-<version>.jar}
     */
    public boolean hasJar(Engine engine, String prefix) {
        return jars(engine).stream().map(p -> p.getFileName().toString())
                .anyMatch(n -> n.startsWith(prefix + "-") && Character.isDigit(n.charAt(prefix.length() + 1)));
    }

    /**
     * @param engine an engine
     * @return its class path as {@code java -cp} takes it: {@code <home>/lib-<engine>/*}
     */
    public String classPath(Engine engine) {
        return libDir(engine) + File.separator + "*";
    }

    /**
     * A class loader over {@code lib-<engine>/} alone, under this launcher's (which has
     * vm-api and SLF4J but no engine), so engines that both define package {@code mpi}
     * never meet. The caller closes it.
     *
     * @param engine an engine whose {@code lib-<engine>/} exists
     * @return the class loader
     */
    public URLClassLoader classLoader(Engine engine) {
        URL[] urls = jars(engine).stream().map(p -> {
            try {
                return p.toUri().toURL();
            } catch (MalformedURLException e) {
                throw new IllegalStateException(p + " is no URL", e);
            }
        }).toArray(URL[]::new);
        return new URLClassLoader("paravm-" + engine.id(), urls, Installation.class.getClassLoader());
    }
}
