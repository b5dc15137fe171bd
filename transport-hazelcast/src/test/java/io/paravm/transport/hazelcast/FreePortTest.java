package io.paravm.transport.hazelcast;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A spawner's port comes from below the ephemeral range, where no outgoing connection takes it meanwhile. */
class FreePortTest {

    private static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    /** The range's first port, read as a stream (not how FreePort reads it). */
    private static int ephemeralLow() throws IOException {
        try (InputStream in = Files.newInputStream(RANGE)) {
            return Integer.parseInt(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+")[0]);
        }
    }

    @Test
    void portsArePickedBelowTheEphemeralRange() throws IOException {
        assumeTrue(Files.isReadable(RANGE), "Linux only: " + RANGE);
        int low = ephemeralLow();
        assertEquals(low, FreePort.ephemeralLow(), "the first port of " + RANGE);
        assumeTrue(low > 10_000, "room below the ephemeral range (it starts at " + low + ")");
        for (int i = 0; i < 20; i++) {
            int port = FreePort.on("127.0.0.1");
            assertTrue(port >= 10_000 && port < low, port + " in [10000, " + low + ")");
        }
    }
}
