package io.paravm.spi;

import java.nio.ByteBuffer;

/**
 * The narrow waist: what vm-core needs from a message-passing engine. A transport moves
 * opaque frames between ranks and says who is there; every semantic a user can observe
 * lives in vm-core.
 *
 * <p>Contract: sends between a pair of ranks are delivered in order (FIFO); all methods
 * are safe to call from several threads (a transport whose engine is not thread-safe
 * serialises its engine calls itself); waiting never burns a core for long.
 *
 * <pre>{@code
 * transport.send(1, frame);                          // to rank 1
 * Transport.Frame f = transport.receive(Transport.ANY_SOURCE, 1_000_000_000L);
 * if (f != null) handle(f.source(), f.payload());
 * }</pre>
 */
public interface Transport extends AutoCloseable {

    /** {@code source} value meaning "from any rank". */
    int ANY_SOURCE = -1;

    /**
     * A received frame.
     *
     * @param source  the sending rank
     * @param payload the frame's bytes from position to limit; valid only until the next
     *                {@link #receive} on this transport
     */
    record Frame(int source, ByteBuffer payload) {
    }

    /** Told of membership changes by engines that have them. */
    interface MembershipListener {
        /**
         * A rank joined after start. vm-core learns the new rank's host from the rank's own
         * first frame, so this is informational.
         *
         * @param rank the new rank
         */
        void rankJoined(int rank);

        /**
         * A rank left or was lost; no more frames will come from it.
         *
         * @param rank the rank that is gone
         */
        void rankLost(int rank);
    }

    /** Returns the transport's name, as its provider's. */
    String name();

    /** Returns this process's (or thread's) rank; 0 is the spawner. */
    int rank();

    /** Returns the number of ranks ever known (ranks are never reused). */
    int size();

    /** Returns this rank's host name. */
    String hostName();

    /** Returns the program's arguments without what the engine added. */
    String[] userArgs();

    /**
     * Sends one frame, the bytes from {@code frame}'s position to its limit. Returns when
     * {@code frame} may be reused.
     *
     * @param destination the receiving rank
     * @param frame       the bytes; not kept after the call
     * @throws io.paravm.VmException if the rank is unknown or gone, or the engine fails
     */
    void send(int destination, ByteBuffer frame);

    /**
     * Waits for the next frame.
     *
     * @param source       a rank, or {@link #ANY_SOURCE}
     * @param timeoutNanos negative: block; zero: poll; positive: wait at most that long
     * @return the frame, or {@code null} on timeout or after {@link #wakeup()}
     */
    Frame receive(int source, long timeoutNanos);

    /**
     * Returns whether a frame from {@code source} is waiting, without receiving it.
     *
     * @param source a rank, or {@link #ANY_SOURCE}
     */
    boolean probe(int source);

    /** Makes a {@link #receive} that is waiting now, or the next one, return {@code null} soon. */
    void wakeup();

    /**
     * Registers the listener for membership changes. Engines without dynamic membership
     * never call it.
     *
     * @param listener the listener
     */
    default void setMembershipListener(MembershipListener listener) {
    }

    /**
     * Returns whether ranks are threads of one JVM (then a worker must not exit the JVM).
     */
    default boolean ranksShareProcess() {
        return false;
    }

    /**
     * Shuts this rank's engine down, after delivering the frames already sent (vm-core sends
     * the workers' EXIT and closes at once). Afterwards {@link #send} and {@link #receive}
     * throw {@link io.paravm.VmException}. Idempotent.
     */
    @Override
    void close();
}
