package io.paravm.spi.launch;

import java.util.Objects;

/**
 * An option one engine takes on the {@code paravm} command line, beyond the common ones:
 * the launcher offers it in {@code --help}, hands its value to that engine's recipe in
 * {@link LaunchRequest#options()}, and refuses it, naming the engine, when the job runs on
 * another.
 *
 * <pre>{@code
 * new LaunchOption("--device", "DEVICE", "MPJ Express's device: multicore (the default) or niodev")
 * }</pre>
 *
 * @param name        the option, with its dashes: {@code --device}
 * @param paramLabel  its value's label in help: {@code DEVICE}
 * @param description one or two sentences for {@code --help}
 */
public record LaunchOption(String name, String paramLabel, String description) {

    /** Checks the name starts with {@code --}. */
    public LaunchOption {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(paramLabel, "paramLabel");
        Objects.requireNonNull(description, "description");
        if (!name.startsWith("--") || name.length() < 3) {
            throw new IllegalArgumentException("option name " + name + " must start with -- (e.g. --device)");
        }
    }
}
