package io.paravm.benchmarks.backend;

import java.io.Serializable;

/**
 * What a raw channel exchanges: {@code window} messages of {@code bytes} bytes each way
 * per {@link RawChannel#exchange()} when {@code window == 1} (a ping-pong), otherwise
 * {@code window} messages one way and a one-byte acknowledgement back (a burst).
 *
 * @param variant engine-specific buffer kind, e.g. {@code direct}, {@code bytes}, {@code doubles}
 * @param bytes   payload bytes per message
 * @param window  messages per exchange; 1 means ping-pong
 */
public record RawSpec(String variant, int bytes, int window) implements Serializable {
    public RawSpec {
        if (bytes < 1) throw new IllegalArgumentException("bytes " + bytes + " must be at least 1");
        if (window < 1) throw new IllegalArgumentException("window " + window + " must be at least 1");
    }
}
