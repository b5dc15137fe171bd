package io.paravm.launcher;

import io.paravm.spi.launch.EngineCheck;
import io.paravm.spi.launch.EngineLauncher;
import io.paravm.spi.launch.LaunchException;
import io.paravm.spi.launch.LaunchOption;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The engines built into an installation, best first, each found through its own
 * {@link EngineLauncher} in {@code engines/<dir>/}. The launcher knows no engine by name:
 * a new engine is a new directory whose transport jar ships a recipe.
 *
 * @param installation the installation looked at
 * @param engines  the engines, installed ones first, each group by the recipe's priority
 * @param problems directories of {@code engines/} that hold no usable recipe, with why
 */
record EngineCatalog(Installation installation, List<Engine> engines, List<String> problems) {

    /**
     * Looks at every directory of {@code engines/}: loads its recipe in a class loader of its
     * own (kept open: the recipe builds the job's command later) and asks it whether the
     * engine is installed.
     *
     * @param installation the installation
     * @return the catalogue
     */
    static EngineCatalog load(Installation installation) {
        List<Engine> engines = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<Path> dirs;
        try (Stream<Path> list = Files.isDirectory(installation.engines()) ? Files.list(installation.engines()) : Stream.empty()) {
            dirs = list.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + installation.engines(), e);
        }
        for (Path dir : dirs) {
            URLClassLoader loader = Installation.classLoader(dir.getFileName().toString(), dir);
            try {
                // Only the recipes of this directory's jars: the parent (the launcher's) has none.
                List<EngineLauncher> found = ServiceLoader.load(EngineLauncher.class, loader).stream()
                        .map(ServiceLoader.Provider::get).filter(r -> r.getClass().getClassLoader() == loader).toList();
                if (found.isEmpty()) problems.add(dir + " holds no engine recipe (" + EngineLauncher.class.getName()
                        + "); a stale build? Delete " + installation.home() + " and build again");
                for (EngineLauncher recipe : found) engines.add(new Engine(recipe, dir, check(recipe)));
            } catch (ServiceConfigurationError | LinkageError e) {
                problems.add("the engine in " + dir + " does not load (" + e + "); delete " + installation.home()
                        + " and build again");
            }
        }
        engines.sort(Comparator.comparing(Engine::installed).thenComparingInt(e -> e.recipe().priority()).reversed());
        return new EngineCatalog(installation, List.copyOf(engines), List.copyOf(problems));
    }

    private static EngineCheck check(EngineLauncher recipe) {
        try {
            return recipe.check();
        } catch (RuntimeException | LinkageError e) {
            return EngineCheck.missing("its check failed: " + e);
        }
    }

    /** Returns the engines' names, for messages: {@code openmpi, mpj, hazelcast}. */
    String names() {
        return engines.stream().map(Engine::name).collect(Collectors.joining(", "));
    }

    /**
     * @param name an engine's name, any case
     * @return the engine
     * @throws LaunchException naming the engines there are
     */
    Engine find(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        return engines.stream().filter(e -> e.name().equals(wanted)).findFirst().orElseThrow(() -> new LaunchException(
                "unknown transport '" + name + "'; this installation has " + (engines.isEmpty() ? "none" : names())
                        + " (paravm info says which are installed)"));
    }

    /** Returns the installed engine whose recipe ranks highest, if any. */
    Optional<Engine> best() {
        return engines.stream().filter(Engine::installed).findFirst();
    }

    /**
     * Returns every engine's own options, each once, with the engines that take it: two
     * engines may share an option name (each gets the value when the job runs on it).
     */
    Map<String, List<Engine>> optionOwners() {
        Map<String, List<Engine>> owners = new LinkedHashMap<>();
        for (Engine e : engines) {
            for (LaunchOption o : e.options()) owners.computeIfAbsent(o.name(), k -> new ArrayList<>()).add(e);
        }
        return owners;
    }
}
