package io.paravm.spi.launch;

/**
 * A job cannot be started as asked: the message says what is wrong and what to do. The
 * {@code paravm} command prints it without a stack trace and exits with status
 * {@value #EXIT_STATUS}; so do the engines' own launchers.
 *
 * <pre>{@code
 * throw new LaunchException("--device " + d + " is not one of MPJ Express's devices; use multicore or niodev");
 * }</pre>
 */
public final class LaunchException extends RuntimeException {

    /** The exit status of a launcher that could not start the job. */
    public static final int EXIT_STATUS = 2;

    private static final long serialVersionUID = 1L;

    /** @param message what is wrong and what to do */
    public LaunchException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong and what to do
     * @param cause   the underlying failure
     */
    public LaunchException(String message, Throwable cause) {
        super(message, cause);
    }
}
