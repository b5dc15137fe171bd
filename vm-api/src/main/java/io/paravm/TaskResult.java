package io.paravm;

import java.io.Serializable;

/**
 * What a task spawned with {@code sendBack} sent back when it ended. Arrives before the
 * task's {@link TaskExit}.
 *
 * <pre>{@code
 * Received r = vm.receiveMessage(Duration.ofSeconds(10)).orElseThrow();
 * if (r.message() instanceof TaskResult res) {
 *     if (res.success()) use(res.value());
 *     else log.warn("{} failed:\n{}", r.sender(), res.error());
 * }
 * }</pre>
 *
 * @param success whether the task returned normally
 * @param value   the returned value ({@code null} on failure)
 * @param error   on failure, the remote exception's class, message and stack trace
 *                as text; {@code null} on success
 */
public record TaskResult(boolean success, Object value, String error) implements Serializable {

    /** A successful result. */
    public static TaskResult of(Object value) {
        return new TaskResult(true, value, null);
    }

    /** A failed result carrying the remote stack trace. */
    public static TaskResult failed(String remoteStackTrace) {
        return new TaskResult(false, null, remoteStackTrace);
    }
}
