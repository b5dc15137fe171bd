package io.paravm.transport.mpj;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * MPJ Express's rendezvous server for one niodev job, played by the launcher instead of
 * MPJ's daemons: on a free loopback port it collects every rank's ports, answers all of
 * them with the peer table, and closes the port.
 *
 * <pre>{@code
 * try (NiodevRendezvous rendezvous = new NiodevRendezvous(ranks)) {
 *     String conf = rendezvous.configuration(131_072);   // each rank's MPJ configuration argument
 *     // start every rank with conf ...
 *     boolean started = rendezvous.await(rankProcesses, 60_000);
 * }
 * }</pre>
 */
final class NiodevRendezvous implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NiodevRendezvous.class);
    /** How often the wait for the next rank looks whether a rank died before reporting in. */
    private static final int ACCEPT_TIMEOUT_MILLIS = 250;

    private final ServerSocket server;
    private final int ranks;

    /**
     * Opens the server's port.
     *
     * @param ranks the number of ranks that will report in
     * @throws IOException if no loopback port can be opened
     */
    NiodevRendezvous(int ranks) throws IOException {
        this.ranks = ranks;
        this.server = new ServerSocket(0, ranks, InetAddress.getLoopbackAddress());
    }

    /**
     * @param protocolSwitchBytes frames up to this size are sent eagerly
     * @return the configuration every rank is given in place of MPJ's configuration file
     */
    String configuration(long protocolSwitchBytes) {
        return "#Number of Processes;" + ranks + ";#Protocol Switch Limit;" + protocolSwitchBytes
                + ";#Server Name;" + server.getInetAddress().getHostAddress() + ";#Server Port;" + server.getLocalPort();
    }

    /**
     * Collects every rank's ports, then sends all of them the peer table.
     *
     * @param processes     the rank JVMs, by rank
     * @param timeoutMillis how long every rank has to report in
     * @return whether every rank got the table; if not, the reason was logged
     * @throws IOException if a rank's connection fails
     */
    boolean await(List<Process> processes, long timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        Map<Integer, String> peers = new TreeMap<>();
        List<Socket> sockets = new ArrayList<>();
        server.setSoTimeout(ACCEPT_TIMEOUT_MILLIS);
        try {
            while (peers.size() < ranks) {
                for (int r = 0; r < ranks; r++) {
                    if (!processes.get(r).isAlive() && !peers.containsKey(r)) {
                        LOG.error("MPJ niodev rank {} ended with status {} before reporting its ports", r,
                                processes.get(r).exitValue());
                        return false;
                    }
                }
                if (System.nanoTime() - deadline >= 0) {
                    LOG.error("only ranks {} of {} reported their ports within {} ms (raise -D{})", peers.keySet(),
                            ranks, timeoutMillis, MpjProperties.STARTUP_TIMEOUT_MILLIS_PROP_NAME);
                    return false;
                }
                Socket s;
                try {
                    s = server.accept();
                } catch (SocketTimeoutException e) {
                    continue;
                }
                sockets.add(s);
                s.setSoTimeout((int) Math.min(timeoutMillis, Integer.MAX_VALUE));
                if (!addPeer(s, peers)) return false;
            }
            String table = "#Peer Information;" + String.join(";", peers.values());
            for (Socket s : sockets) {
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeUTF(table);
                out.flush();
            }
            LOG.debug("MPJ niodev peers: {}", table);
            return true;
        } finally {
            for (Socket s : sockets) s.close();
        }
    }

    /** Reads one rank's report: a greeting, its write and read ports, its rank. */
    private boolean addPeer(Socket s, Map<Integer, String> peers) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        String hello = in.readUTF();
        int writePort = in.readInt();
        int readPort = in.readInt();
        int rank = in.readInt();
        if (!hello.equals("Sending Info") || rank < 0 || rank >= ranks || peers.containsKey(rank)) {
            LOG.error("unexpected rendezvous message '{}' from rank {} (ranks are [0, {}), seen {})", hello, rank, ranks,
                    peers.keySet());
            return false;
        }
        peers.put(rank, s.getInetAddress().getHostAddress() + "@" + readPort + "@" + writePort + "@" + rank + "@0");
        return true;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
