package io.paravm.spi.launch;

import java.util.Objects;

/**
 * Whether an engine is installed here, as its {@link EngineLauncher#check()} found.
 *
 * <pre>{@code
 * EngineCheck c = Files.isExecutable(mpirun) ? EngineCheck.installed("mpirun " + mpirun)
 *         : EngineCheck.missing("mpirun is not on PATH; install openmpi-bin");
 * }</pre>
 *
 * @param installed whether a job can be started on it here
 * @param detail    if installed, what it runs with; otherwise what is missing and what to do
 */
public record EngineCheck(boolean installed, String detail) {

    /** Checks the detail is given. */
    public EngineCheck {
        Objects.requireNonNull(detail, "detail");
    }

    /**
     * @param detail what it runs with
     * @return an installed engine
     */
    public static EngineCheck installed(String detail) {
        return new EngineCheck(true, detail);
    }

    /**
     * @param why what is missing and what to do
     * @return an engine that is not installed
     */
    public static EngineCheck missing(String why) {
        return new EngineCheck(false, why);
    }
}
