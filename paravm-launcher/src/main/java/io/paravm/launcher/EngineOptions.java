package io.paravm.launcher;

import io.paravm.spi.launch.LaunchException;
import io.paravm.spi.launch.LaunchOption;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The engines' own options on the {@code paravm} command line ({@code --device},
 * {@code --hosts}, ...): offered in help as the recipes declare them, handed to the
 * engine the job runs on, refused (naming their engine) on any other.
 */
final class EngineOptions {

    /** Engine options that put ranks on other hosts. */
    private static final List<String> REMOTE_RANK_OPTIONS = List.of("--hosts", "--join");

    private EngineOptions() {
    }

    /** Whether the options given put ranks on other hosts than this one. */
    static boolean ranksElsewhere(Map<String, String> engineValues) {
        return REMOTE_RANK_OPTIONS.stream().anyMatch(engineValues::containsKey);
    }

    /**
     * Adds every engine's options to a command, each once.
     *
     * @param spec    the command ({@code run} or {@code demo})
     * @param catalog the installation's engines
     */
    static void addTo(CommandSpec spec, EngineCatalog catalog) {
        catalog.optionOwners().forEach((name, owners) -> {
            String description = owners.stream().map(e -> e.name() + ": " + declared(e, name).description())
                    .collect(Collectors.joining(" "));
            spec.addOption(OptionSpec.builder(name).paramLabel(declared(owners.get(0), name).paramLabel())
                    .type(String.class).description(description).build());
        });
    }

    /**
     * Returns the engine options given on the command line, checked against the engine the
     * job runs on.
     *
     * @param spec    the parsed command
     * @param catalog the installation's engines
     * @param engine  the engine the job runs on
     * @return option name to value, for {@link io.paravm.spi.launch.LaunchRequest#options()}
     * @throws LaunchException when an option given is another engine's
     */
    static Map<String, String> given(CommandSpec spec, EngineCatalog catalog, Engine engine) {
        Map<String, String> values = new LinkedHashMap<>();
        catalog.optionOwners().forEach((name, owners) -> {
            OptionSpec option = spec.findOption(name);
            String value = option == null ? null : option.getValue();
            if (value == null) return;
            if (!owners.contains(engine)) {
                throw new LaunchException(name + " is an option of " + names(owners) + "; use it with --transport "
                        + owners.get(0).name() + " (this job runs on " + engine.name() + ")");
            }
            values.put(name, value);
        });
        return values;
    }

    private static LaunchOption declared(Engine engine, String name) {
        return engine.options().stream().filter(o -> o.name().equals(name)).findFirst().orElseThrow();
    }

    private static String names(List<Engine> engines) {
        return engines.stream().map(Engine::name).collect(Collectors.joining(" and "));
    }
}
