package io.paravm.transport.hazelcast;

import io.paravm.VmException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Waits until something listens at the spawner's address, so a worker started first retries instead of failing.
 *
 * <p>A worker's Hazelcast member that finds nobody at its join address starts a cluster of its
 * own at once, so the worker first connects to the address with a plain TCP socket (and closes
 * it) until that succeeds, pausing longer after each refusal ({@value #FIRST_PAUSE_MILLIS} ms
 * doubling up to {@value #MAX_PAUSE_MILLIS} ms: the spawner is another process, started by
 * someone else, maybe seconds later), up to the worker's join deadline
 * ({@link HazelcastProperties#JOIN_TIMEOUT_SECONDS_PROP_NAME}).
 *
 * <pre>{@code
 * SpawnerProbe.awaitListening("10.0.0.5:5701", 60, System.nanoTime() + TimeUnit.SECONDS.toNanos(60));
 * }</pre>
 */
final class SpawnerProbe {

    private static final Logger LOG = LoggerFactory.getLogger(SpawnerProbe.class);
    /** The pause after the first refused attempt, in milliseconds. */
    static final long FIRST_PAUSE_MILLIS = 100;
    /** The longest pause between two attempts, in milliseconds. */
    static final long MAX_PAUSE_MILLIS = 2_000;
    /** The longest one connection attempt may take, in milliseconds (a host that drops packets). */
    private static final long MAX_CONNECT_MILLIS = 2_000;

    private SpawnerProbe() {
    }

    /**
     * Returns once a TCP connection to {@code join} succeeds; retries until {@code deadline}.
     *
     * @param join           the spawner's {@code host:port} ({@link HazelcastProperties#JOIN_PROP_NAME})
     * @param timeoutSeconds the join timeout the deadline comes from, for the message
     * @param deadline       {@link System#nanoTime()} after which it gives up
     * @throws VmException naming the address, how long it tried and the setting to raise, if
     *                     nothing listened there in time; or if {@code join} is no address
     */
    static void awaitListening(String join, long timeoutSeconds, long deadline) {
        int port = HazelcastMemberConfig.joinPort(join);
        String host = join.substring(0, join.lastIndexOf(':'));
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1); // [::1]:5701
        long start = System.nanoTime();
        long pause = FIRST_PAUSE_MILLIS;
        int attempts = 0;
        while (true) {
            attempts++;
            IOException refused;
            try {
                connect(host, port, deadline);
                if (attempts > 1) LOG.debug("the spawner's address {} listens after {} attempts", join, attempts);
                return;
            } catch (IOException e) {
                refused = e;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) throw notListening(join, timeoutSeconds, System.nanoTime() - start, attempts, refused);
            if (attempts == 1) {
                LOG.debug("nothing listens at {} yet ({}); retrying for up to {} s ({})", join, refused, timeoutSeconds,
                        HazelcastProperties.JOIN_TIMEOUT_SECONDS_PROP_NAME);
            }
            try {
                TimeUnit.NANOSECONDS.sleep(Math.min(TimeUnit.MILLISECONDS.toNanos(pause), left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VmException("interrupted while waiting for the spawner to listen at " + join, e);
            }
            pause = Math.min(pause * 2, MAX_PAUSE_MILLIS);
        }
    }

    /** Connects once (resolving the host again, as a name may appear late) and closes at once. */
    private static void connect(String host, int port, long deadline) throws IOException {
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) throw new UnknownHostException("unknown host " + host);
        long leftMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        try (Socket s = new Socket()) {
            s.connect(address, (int) Math.max(1, Math.min(leftMillis, MAX_CONNECT_MILLIS)));
        }
    }

    private static VmException notListening(String join, long timeoutSeconds, long triedNanos, int attempts,
                                            IOException last) {
        return new VmException(String.format(Locale.ROOT, "this worker found nothing listening at %s (%s) "
                        + "after trying %d times for %.1f s (last: %s): start the spawner first, check that %s names its "
                        + "address and port, or raise %s (now %d s, at least 1) to wait longer for it",
                join, HazelcastProperties.JOIN_PROP_NAME, attempts, triedNanos / 1e9, last,
                HazelcastProperties.JOIN_PROP_NAME, HazelcastProperties.JOIN_TIMEOUT_SECONDS_PROP_NAME, timeoutSeconds));
    }
}
