package io.paravm.core;

import java.nio.ByteBuffer;

/** Payload bytes as a codec writes them, for tests that edit or mutate them. */
final class Payloads {
    private Payloads() {
    }

    static byte[] encode(Codec codec, Object value) {
        FrameWriter w = new FrameWriter();
        w.start();
        codec.encode(value, w);
        ByteBuffer frame = w.finish();
        byte[] b = new byte[frame.remaining()];
        frame.get(b);
        return b;
    }
}
