package io.paravm.transport.mpj;

import io.paravm.spi.launch.LaunchException;

/**
 * The MPJ Express device a job's ranks run on, by the name ParaVM's launchers take and by
 * MPJ's own.
 *
 * <pre>{@code
 * MpjDevice device = MpjDevice.parse("-dev", "niodev");   // NIODEV; "smpdev" is MULTICORE
 * }</pre>
 */
public enum MpjDevice {
    /** Ranks are threads of one JVM, each with its own class loader (MPJ's smpdev). */
    MULTICORE("multicore", "smpdev"),
    /** Ranks are JVMs talking over TCP (MPJ's niodev). */
    NIODEV("niodev", "niodev");

    private final String id;
    private final String mpjName;

    MpjDevice(String id, String mpjName) {
        this.id = id;
        this.mpjName = mpjName;
    }

    /** Returns the name the launchers take: {@code multicore} or {@code niodev}. */
    public String id() {
        return id;
    }

    /** Returns MPJ's name of the device: {@code smpdev} or {@code niodev}. */
    public String mpjName() {
        return mpjName;
    }

    /**
     * @param option the option the name was given with, for the message: {@code -dev} or {@code --device}
     * @param name   {@code multicore} (or MPJ's {@code smpdev}) or {@code niodev}, any case
     * @return the device
     * @throws LaunchException naming the valid devices
     */
    public static MpjDevice parse(String option, String name) {
        for (MpjDevice d : values()) {
            if (d.id.equalsIgnoreCase(name.trim()) || d.mpjName.equalsIgnoreCase(name.trim())) return d;
        }
        throw new LaunchException(option + " " + name + " is not one of MPJ Express's devices; "
                + "use multicore or niodev");
    }
}
