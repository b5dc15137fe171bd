package io.paravm.transport.hazelcast;

import io.paravm.VmException;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks a port free on an interface for a spawner's member to listen on.
 *
 * <p>It is picked below the system's ephemeral range when there is room: a port taken from
 * that range (as {@code new ServerSocket(0)} gives) can be handed to some outgoing connection
 * in the moment between choosing it and the member binding it.
 *
 * <pre>{@code
 * int port = FreePort.on("127.0.0.1");
 * }</pre>
 */
final class FreePort {

    /** The lowest port picked. */
    private static final int LOW = 10_000;
    /** Random ports tried below the ephemeral range before one from it is taken. */
    private static final int ATTEMPTS = 100;

    private FreePort() {
    }

    /**
     * @param iface an address of this machine, or a pattern with {@code *} for all
     * @return a port that was free just now
     * @throws VmException if no port can be bound
     */
    static int on(String iface) {
        try {
            InetAddress address = InetAddress.getByName(iface.contains("*") ? "0.0.0.0" : iface);
            int high = ephemeralLow();
            ThreadLocalRandom random = ThreadLocalRandom.current();
            for (int attempt = 0; high > LOW && attempt < ATTEMPTS; attempt++) {
                int port = random.nextInt(LOW, high);
                try (ServerSocket s = new ServerSocket(port, 1, address)) {
                    return s.getLocalPort();
                } catch (IOException taken) {
                    // try another
                }
            }
            try (ServerSocket s = new ServerSocket(0, 1, address)) {
                return s.getLocalPort();
            }
        } catch (IOException e) {
            throw new VmException("no free TCP port on " + iface + ": " + e.getMessage(), e);
        }
    }

    /**
     * The first port of Linux's ephemeral range, or 0 when unknown. Read by lines: on some
     * kernels {@code Files.readString} gets only the first byte of a {@code /proc/sys} file (it
     * reported "3" for "32768 60999"), and every port was then taken from the ephemeral range.
     */
    static int ephemeralLow() {
        try {
            String range = String.join(" ", Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
