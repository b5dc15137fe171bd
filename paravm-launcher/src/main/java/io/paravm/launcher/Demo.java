package io.paravm.launcher;

import io.paravm.spi.launch.LaunchException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A demo {@code paravm demo NAME} runs: a plain {@code main} in the installation's
 * {@code demos/} jars, which list their demos in {@value #LIST}, one a line:
 * {@code name<TAB>main class<TAB>description}.
 *
 * @param name        the name {@code paravm demo} takes
 * @param mainClass   the demo's main class
 * @param description what it shows
 */
record Demo(String name, String mainClass, String description) {

    /** The resource in the demos' jars that lists them. */
    static final String LIST = "META-INF/paravm/demos.tsv";

    /**
     * Reads the demos the jars of {@code dir} list, in their order.
     *
     * @param dir the installation's {@code demos/}
     * @return the demos; empty if none are built
     */
    static List<Demo> list(Path dir) {
        List<Demo> demos = new ArrayList<>();
        try (URLClassLoader loader = Installation.classLoader("demos", dir)) {
            for (URL url : Collections.list(loader.findResources(LIST))) {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(url.openStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        if (line.isBlank() || line.startsWith("#")) continue;
                        String[] f = line.split("\t", 3);
                        if (f.length == 3) demos.add(new Demo(f[0].trim(), f[1].trim(), f[2].trim()));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the demos' list " + LIST + " in " + dir, e);
        }
        return List.copyOf(demos);
    }

    /**
     * @param demos the demos there are
     * @param name  a demo's name, any case
     * @return the demo
     * @throws LaunchException naming the demos there are
     */
    static Demo find(List<Demo> demos, String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        return demos.stream().filter(d -> d.name().equals(wanted)).findFirst().orElseThrow(() -> new LaunchException(
                "no demo named '" + name + "'; the demos are " + (demos.isEmpty() ? "not built (run ./paravm again)"
                        : demos.stream().map(Demo::name).collect(Collectors.joining(", ")))));
    }
}
