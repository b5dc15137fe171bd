package io.paravm.benchmarks.backend;

/**
 * The spawner's end of an engine-level echo running on a worker, outside ParaVM's frames.
 *
 * <pre>{@code
 * try (RawChannel raw = backend.openRaw(vm, new RawSpec("direct", 8, 1))) {
 *     for (int i = 0; i < n; i++) raw.exchange();
 *     WorkerStats s = raw.stop();
 * }
 * }</pre>
 */
public interface RawChannel extends AutoCloseable {

    /** One exchange as described by the channel's {@link RawSpec}. */
    void exchange();

    /** Stops the echo and returns what the worker measured; idempotent. */
    WorkerStats stop();

    @Override
    default void close() {
        stop();
    }
}
