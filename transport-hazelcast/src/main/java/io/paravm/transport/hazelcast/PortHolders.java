package io.paravm.transport.hazelcast;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Says which sockets of this machine use a TCP port, for the error when the spawner cannot bind it.
 *
 * <p>"Address already in use" alone does not say whether another program listens there (pick
 * another port), or a connection holds it for a moment (it frees itself). On Linux the kernel's
 * socket tables ({@code /proc/net/tcp}, {@code /proc/net/tcp6}) say, and the process owning each
 * socket is found through {@code /proc/<pid>/fd} where this user may read it. Elsewhere, or if
 * the tables cannot be read, it says nothing.
 *
 * <pre>{@code
 * List<String> holders = PortHolders.of(5701);  // e.g. ["LISTEN 127.0.0.1:5701 (pid 4242)"]
 * }</pre>
 */
final class PortHolders {

    /** TCP states by their number in the kernel's tables (include/net/tcp_states.h). */
    private static final String[] STATES = {"?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
            "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"};
    /** The most sockets described, so one message stays readable. */
    private static final int MAX = 8;

    private PortHolders() {
    }

    /**
     * @param port a TCP port
     * @return one line per socket whose local port is {@code port}: its state, local and remote
     *         address, and owning process when known; empty when none or unknown
     */
    static List<String> of(int port) {
        List<String[]> rows = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length < 10 || !f[1].contains(":") || f[0].equals("sl")) continue;
                    if (portOf(f[1]) == port) rows.add(f);
                }
            } catch (IOException | RuntimeException e) {
                // not Linux, or not readable: nothing to say
            }
        }
        if (rows.isEmpty()) return List.of();
        Map<String, Long> owners = owners();
        List<String> out = new ArrayList<>();
        for (String[] f : rows) {
            if (out.size() == MAX) {
                out.add("and " + (rows.size() - MAX) + " more");
                break;
            }
            int state = Integer.parseInt(f[3], 16);
            Long pid = owners.get(f[9]);
            out.add((state < STATES.length ? STATES[state] : f[3]) + " " + address(f[1])
                    + (f[2].endsWith(":0000") ? "" : " to " + address(f[2]))
                    + (pid != null ? " (pid " + pid + ")" : f[9].equals("0") ? " (no process: closing)" : ""));
        }
        return out;
    }

    private static int portOf(String hexAddress) {
        return Integer.parseInt(hexAddress.substring(hexAddress.indexOf(':') + 1), 16);
    }

    /** An address of the tables ({@code 0100007F:1F90}, little-endian words) as {@code 127.0.0.1:8080}. */
    static String address(String hexAddress) {
        String hex = hexAddress.substring(0, hexAddress.indexOf(':'));
        int port = portOf(hexAddress);
        if (hex.length() == 8) return ipv4(hex) + ":" + port;
        if (hex.startsWith("0000000000000000FFFF0000")) return ipv4(hex.substring(24)) + ":" + port; // v4-mapped
        StringBuilder v6 = new StringBuilder("[");
        for (int word = 0; word < 4; word++) {
            String w = hex.substring(word * 8, word * 8 + 8);
            // a word's four bytes are little-endian: network order is its bytes reversed
            String high = w.substring(6, 8) + w.substring(4, 6);
            String low = w.substring(2, 4) + w.substring(0, 2);
            v6.append(v6.length() > 1 ? ":" : "").append(Integer.toHexString(Integer.parseInt(high, 16)))
                    .append(':').append(Integer.toHexString(Integer.parseInt(low, 16)));
        }
        return v6.append("]:").append(port).toString();
    }

    private static String ipv4(String hex) {
        long v = Long.parseLong(hex, 16);
        return String.format(Locale.ROOT, "%d.%d.%d.%d", v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >> 24) & 0xff);
    }

    /** Socket inode to pid, for the processes whose descriptors this user may read. */
    private static Map<String, Long> owners() {
        Map<String, Long> owners = new HashMap<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path proc : procs) {
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
                    for (Path fd : fds) {
                        String target = Files.readSymbolicLink(fd).toString();
                        if (target.startsWith("socket:[")) {
                            owners.putIfAbsent(target.substring(8, target.length() - 1), Long.parseLong(proc.getFileName().toString()));
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // gone, or not ours
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc
        }
        return owners;
    }
}
