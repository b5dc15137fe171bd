package io.paravm.farm;

/**
 * Resident worker to spawner: how one {@link Job} ended.
 *
 * @param id     the job's id
 * @param status {@link #OK}, {@link #THREW} or {@link #SKIPPED}
 * @param value  the result ({@code OK}), the remote stack trace text ({@code THREW}), or null
 */
record Outcome(long id, byte status, Object value) {
    /** The job returned {@code value}. */
    static final byte OK = 0;
    /** The job threw; {@code value} is the remote trace. */
    static final byte THREW = 1;
    /** The job was withdrawn with {@link SkipJob} before it started. */
    static final byte SKIPPED = 2;
}
