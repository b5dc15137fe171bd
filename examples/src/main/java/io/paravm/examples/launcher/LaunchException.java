package io.paravm.examples.launcher;

/**
 * The launcher cannot start a job as asked: the message says what is wrong and what to
 * do. {@code paravm} prints it (without a stack trace) and exits with status
 * {@value #EXIT_STATUS}.
 */
public final class LaunchException extends RuntimeException {

    /** The launcher's exit status when it could not start the job. */
    public static final int EXIT_STATUS = 2;

    private static final long serialVersionUID = 1L;

    /** @param message what is wrong and what to do */
    public LaunchException(String message) {
        super(message);
    }
}
