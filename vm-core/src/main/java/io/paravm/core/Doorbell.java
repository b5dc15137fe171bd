package io.paravm.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Lets a rank waiting on an engine that can only be polled (MPI, MPJ) sleep until a rank of the
 * same host sends it a frame, instead of polling. Polling either burns a core the user's tasks
 * need (spinning, yielding: with more ranks than cores a yield still takes a share) or answers
 * late (parking: on this kind of machine a park of 1 ms costs ~20 µs of CPU, and a sleeper wakes
 * up to 1 ms after its frame came). The engine has no blocking wait that frees the core, so the
 * ranks of a host ring each other beside it: each rank has a flag word in a file in shared
 * memory ({@code /dev/shm}) that says whether it sleeps, and a Unix-domain socket it sleeps on.
 * A sender reads the receiver's flag after each send and writes one byte to its socket only if
 * it sleeps, so a busy exchange pays a fence and a read of a shared word, no system call.
 *
 * <p>The files go with their rank (at {@link #close()}, or at the JVM's exit); a job killed
 * with {@code kill -9} leaves its directory, which the next job on the host removes.
 *
 * <p>No frame can be missed (Dekker's protocol): the sleeper raises its flag, then polls the
 * engine (twice: MPI finds a frame on the second probe after its send returned), then sleeps;
 * the sender sends, then reads the flag. Either the sleeper's last polls see the frame, or the
 * sender sees the flag. Each sleep is bounded all the same
 * ({@link #LONG_SLEEP_NANOS}, {@link #IDLE_SLEEP_NANOS} once the rank has been quiet a second,
 * and {@link #SHORT_SLEEP_NANOS} until every rank of the job has been seen on this host for a
 * while), so a ring that never comes (a rank that has not found
 * this one yet, an engine that delivers a frame after its send returned) costs latency, never a
 * hang. Used only when every rank of the job runs on this host ({@link LocalRanks}): a frame
 * from another host comes without a ring.
 *
 * <pre>{@code
 * Optional<Doorbell> bell = Doorbell.open(localRanks, rank, size);
 * // sender, after the engine accepted a frame for rank 3:
 * bell.ifPresent(b -> b.ring(3));
 * // receiver, having polled in vain for a while, holding sleeper():
 * b.arm(); if (nothingInEngine()) b.sleep(timeoutNanos); else b.disarm();
 * }</pre>
 */
final class Doorbell implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Doorbell.class);

    /**
     * How long the spawner polls (spinning, then yielding) with no frame sent or received before it
     * sleeps on its doorbell: long enough for an answer that comes in microseconds (a ping-pong),
     * short enough that a spawner waiting for tasks of a millisecond leaves the core to them
     * (measured at -np 3 on 2 cores, a farm of 1 ms tasks: its CPU went from 19-25% to 13-21% of a
     * core; docs/waiting.md).
     */
    static final long SPAWNER_SLEEPS_AFTER_NANOS = 50_000L;
    /**
     * How long a worker polls before it sleeps on its doorbell: as long as {@link Backoff}'s yield
     * phase. A worker waits for its next job, which a busy farm sends within microseconds of its
     * result; asleep, it must be rung, and the ring's system call is paid by the spawner, the
     * farm's bottleneck (with 50 µs here too, a farm of trivial tasks ran at half the rate).
     */
    static final long WORKER_SLEEPS_AFTER_NANOS = Backoff.YIELD_NS_DEFAULT;
    /**
     * How long the first wait after a quiet second polls before it sleeps
     * ({@link DoorbellWait#quietSince}), and how long a rank rung but finding nothing polls, but
     * for a spawner sharing the cores ({@link #EMPTY_RING_POLL_NANOS}).
     */
    static final long AFTER_QUIET_POLL_NANOS = 2_000_000L;
    /**
     * How long a spawner that shares the cores with its workers (more ranks than cores), rung
     * but finding nothing, polls before it sleeps again. The ring came
     * ahead of a send ({@link #ringAhead}), and the frame is usually there within microseconds;
     * when it is not, the sender has most likely lost its core, often to the spawner itself.
     * Yielding does not give it back: this kernel's scheduler (EEVDF) runs a yielding spawner
     * again at once while the sender, a CPU-bound worker, has used more than its fair share. So
     * the spawner sleeps again, and the ring after the send wakes it. Polling 2 ms here cost
     * MPICH's spawner at -np 3 on 2 cores 28-31% of a core, about 300 µs of yields a result;
     * this, 13-15% (docs/waiting.md). Any other rank polls {@link #AFTER_QUIET_POLL_NANOS}
     * ({@link DoorbellWait}).
     */
    static final long EMPTY_RING_POLL_NANOS = Backoff.SPIN_NS_DEFAULT;
    /**
     * The longest sleep of a spawner sharing the cores after a ring that brought nothing (any
     * other rank has polled {@link #AFTER_QUIET_POLL_NANOS} by then): what an engine's send that waits for
     * the receiver's poll (Open MPI's shared memory before a pair has a fast box) costs at most,
     * should the sender finish its part only after this rank went back to sleep.
     */
    static final long EMPTY_RING_SLEEP_NANOS = 1_000_000L;
    /** The longest sleep once every rank is on this host and settled: a lost ring's cost. */
    static final long LONG_SLEEP_NANOS = 50_000_000L;
    /**
     * The longest sleep once the rank has been quiet (nothing sent or received) for
     * {@link #QUIET_FOR_IDLE_SLEEP_NANOS}: an idle rank then wakes 4 times a second instead of 20.
     * Each wake costs this VM about 0.2 ms of CPU (the wake, the polls, the next sleep): at 20 a
     * second, 0.4-0.5% of a core per idle rank, the largest share of its idle CPU (per-thread
     * schedstat; docs/waiting.md). A ring that never comes then costs an idle rank up to this.
     */
    static final long IDLE_SLEEP_NANOS = 250_000_000L;
    /** How long a rank must have been quiet before its sleeps may last {@link #IDLE_SLEEP_NANOS}. */
    static final long QUIET_FOR_IDLE_SLEEP_NANOS = 1_000_000_000L;
    /** The longest sleep until then (as long as {@link Backoff}'s longest park). */
    static final long SHORT_SLEEP_NANOS = 1_000_000L;
    /** How long every rank must have been on this host before sleeps are long: a sender that
     *  looked for this rank before it came retries within {@link #PEER_RETRY_NANOS}. */
    private static final long SETTLE_NANOS = 20_000_000L;
    /** How soon a sender looks again for a rank it did not find. */
    private static final long PEER_RETRY_NANOS = 1_000_000L;
    private static final long COUNT_RETRY_NANOS = 1_000_000L;
    /** How old a job's directory must be before it is taken for a killed job's, if no rank answers. */
    private static final long LEFT_OVER_MILLIS = 60_000L;
    private static final int FLAG_BYTES = 64; // a cache line of its own
    private static final int AWAKE = 0;
    private static final int SLEEPING = 1;
    private static final int MAX_SOCKET_PATH = 100; // sun_path holds 108 bytes
    /** The sleeps' caps in force: tests lengthen them, so that a ring missing shows as a hang. */
    static volatile long longSleepNanos = LONG_SLEEP_NANOS;
    static volatile long idleSleepNanos = IDLE_SLEEP_NANOS;
    static volatile long shortSleepNanos = SHORT_SLEEP_NANOS;
    static volatile long emptyRingSleepNanos = EMPTY_RING_SLEEP_NANOS;
    private static final VarHandle FLAG = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private final Path dir;
    private final int rank;
    private final int size;
    private final MappedByteBuffer flag;
    private final FileChannel flagFile;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final ReentrantLock sleeper = new ReentrantLock();
    private final ByteBuffer drained = ByteBuffer.allocateDirect(64);
    private final ByteBuffer oneByte = ByteBuffer.allocateDirect(1);

    // Guarded by the sleeper lock.
    private long everyRankSince;
    private long nextCount;

    // Used by one sender at a time (the caller's lock).
    private final Peer[] peers;

    private static final class Peer {
        FileChannel file;
        MappedByteBuffer flag;
        SocketChannel bell;
        long retryAt;
    }

    private Doorbell(Path dir, int rank, int size, FileChannel flagFile, MappedByteBuffer flag, ServerSocketChannel server,
            Selector selector) {
        this.dir = dir;
        this.rank = rank;
        this.size = size;
        this.flagFile = flagFile;
        this.flag = flag;
        this.server = server;
        this.selector = selector;
        this.peers = new Peer[size];
    }

    /**
     * Sets this rank's doorbell up in the job's directory of this host.
     *
     * @param local the job's ranks on this host; nothing is set up unless all {@code size} are
     * @param rank  this rank
     * @param size  the job's ranks
     * @return the doorbell, or empty where it cannot help or cannot be made (the reason logged at
     *         debug level): then the transport polls as before
     */
    static Optional<Doorbell> open(LocalRanks local, int rank, int size) {
        if (local.count() != size || size < 2) return Optional.empty();
        Path base = Path.of("/dev/shm");
        if (!Files.isDirectory(base) || !Files.isWritable(base)) base = Path.of(System.getProperty("java.io.tmpdir"));
        Path dir = base.resolve("paravm-" + local.jobKey());
        Path socket = dir.resolve("rank-" + rank + ".sock");
        if (socket.toString().length() > MAX_SOCKET_PATH) {
            LOG.debug("no doorbell for rank {}: the socket path {} is too long for a Unix-domain socket", rank, socket);
            return Optional.empty();
        }
        removeLeftOvers(base, dir);
        FileChannel flagFile = null;
        ServerSocketChannel server = null;
        Selector selector = null;
        try {
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // another rank of the job made it
            }
            // The flag first: a socket found means its flag is there.
            flagFile = FileChannel.open(dir.resolve("rank-" + rank + ".flag"), StandardOpenOption.CREATE,
                    StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            MappedByteBuffer flag = flagFile.map(FileChannel.MapMode.READ_WRITE, 0, FLAG_BYTES);
            FLAG.setVolatile(flag, 0, AWAKE);
            Files.deleteIfExists(socket);
            server = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            server.configureBlocking(false);
            selector = Selector.open();
            server.register(selector, SelectionKey.OP_ACCEPT);
            // Ended by a signal or the JVM exiting (a worker's end) rather than close(): leave nothing behind.
            dir.toFile().deleteOnExit(); // deleted last (the last rank's), if empty
            dir.resolve("rank-" + rank + ".flag").toFile().deleteOnExit();
            socket.toFile().deleteOnExit();
            LOG.debug("rank {}: doorbell at {}", rank, socket);
            return Optional.of(new Doorbell(dir, rank, size, flagFile, flag, server, selector));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            LOG.debug("no doorbell for rank {} in {}: {}", rank, dir, e.toString());
            closeQuietly(selector);
            closeQuietly(server);
            closeQuietly(flagFile);
            return Optional.empty();
        }
    }

    /**
     * Reads the setting that turns doorbells on or off.
     *
     * @param value the setting's value, if set
     * @param name  its name, for the error
     * @return whether ranks may sleep on doorbells (the default)
     * @throws io.paravm.VmException if the value is neither true nor false
     */
    static boolean enabled(Optional<String> value, String name) {
        return value.map(v -> switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new io.paravm.VmException(name + "=" + v + " is not true or false; use true (the default: "
                    + "ranks on one host sleep until a frame comes) or false (they only poll)");
        }).orElse(true);
    }

    /**
     * Removes the directories of jobs killed with {@code kill -9} (which run no exit hook): older
     * than a minute, and no socket in them accepts a connection. Best effort.
     */
    private static void removeLeftOvers(Path base, Path mine) {
        long minuteAgo = System.currentTimeMillis() - LEFT_OVER_MILLIS;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base, "paravm-*")) {
            for (Path d : dirs) {
                if (d.equals(mine) || !Files.isDirectory(d) || !Files.isWritable(d)
                        || Files.getLastModifiedTime(d).toMillis() > minuteAgo) continue;
                boolean alive = false;
                List<Path> files = new ArrayList<>();
                try (DirectoryStream<Path> in = Files.newDirectoryStream(d)) {
                    for (Path f : in) {
                        files.add(f);
                        if (!alive && f.getFileName().toString().endsWith(".sock")) {
                            try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(f))) {
                                alive = c.isConnected();
                            } catch (IOException e) {
                                // nobody listens
                            }
                        }
                    }
                }
                if (alive) continue;
                for (Path f : files) Files.deleteIfExists(f);
                Files.deleteIfExists(d);
                LOG.debug("removed {}, left by a job that was killed", d);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("looking for doorbells of killed jobs in {}: {}", base, e.toString());
        }
    }

    /**
     * Wakes {@code destination} if it sleeps on its doorbell. Call after the engine took a frame
     * for it; by one thread at a time.
     *
     * @param destination the rank a frame was just sent to
     */
    void ring(int destination) {
        ring(destination, true);
    }

    /**
     * Wakes {@code destination} if it sleeps, before a send that the engine may finish only once
     * the receiver polls. No fence: this ring only hastens the receiver, {@link #ring(int)} after
     * the send is the one that guarantees it sees the frame.
     *
     * @param destination the rank a frame is about to be sent to
     */
    void ringAhead(int destination) {
        ring(destination, false);
    }

    private void ring(int destination, boolean fence) {
        if (destination == rank) return;
        Peer p = peer(destination);
        if (p == null) return;
        if (fence) VarHandle.fullFence(); // the engine's write of the frame before the read of the flag (see the class comment)
        if ((int) FLAG.getVolatile(p.flag, 0) != SLEEPING || !FLAG.compareAndSet(p.flag, 0, SLEEPING, AWAKE)) return;
        try {
            oneByte.clear();
            p.bell.write(oneByte); // non-blocking: a full socket already holds a ring
        } catch (IOException e) {
            LOG.debug("rank {}: ringing rank {} failed: {}", rank, destination, e.toString());
            forget(p);
        }
    }

    private Peer peer(int r) {
        Peer p = peers[r];
        if (p == null) p = peers[r] = new Peer();
        if (p.bell != null) return p;
        long now = System.nanoTime();
        if (p.retryAt != 0 && now - p.retryAt < 0) return null;
        try {
            SocketChannel bell = SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("rank-" + r + ".sock")));
            try {
                bell.configureBlocking(false);
                p.file = FileChannel.open(dir.resolve("rank-" + r + ".flag"), StandardOpenOption.READ, StandardOpenOption.WRITE);
                p.flag = p.file.map(FileChannel.MapMode.READ_WRITE, 0, FLAG_BYTES);
                p.bell = bell;
                return p;
            } catch (IOException e) {
                closeQuietly(bell);
                throw e;
            }
        } catch (IOException e) {
            p.retryAt = now + PEER_RETRY_NANOS; // not there yet, or gone
            closeQuietly(p.file);
            return null;
        }
    }

    private void forget(Peer p) {
        closeQuietly(p.bell);
        closeQuietly(p.file);
        p.bell = null;
        p.file = null;
        p.flag = null;
        p.retryAt = System.nanoTime() + PEER_RETRY_NANOS;
    }

    /** The lock a thread holds while it arms, sleeps and disarms: one sleeper at a time. */
    ReentrantLock sleeper() {
        return sleeper;
    }

    /** Raises this rank's flag: senders ring from now on. Then poll the engine (twice, for MPI). */
    void arm() {
        FLAG.setVolatile(flag, 0, SLEEPING);
        VarHandle.fullFence();
    }

    /** Whether the flag is raised. */
    boolean armed() {
        return (int) FLAG.getVolatile(flag, 0) == SLEEPING;
    }

    /** Lowers the flag: the last poll found something. */
    void disarm() {
        FLAG.setRelease(flag, 0, AWAKE);
    }

    /**
     * Sleeps until a rank rings, {@link #wake()} is called, or {@code maxNanos} pass (at most
     * {@link #LONG_SLEEP_NANOS}, or {@link #IDLE_SLEEP_NANOS} for a rank quiet a second; less until
     * every rank of the job is on this host), then lowers the flag. Call with the flag raised and
     * the sleeper lock held.
     *
     * @param maxNanos   the caller's time left; positive
     * @param quietNanos how long the rank has sent and received nothing
     * @return whether a rank rang
     */
    boolean sleep(long maxNanos, long quietNanos) {
        try {
            long start = System.nanoTime();
            long end = start + Math.min(maxNanos, sleepCap(start, quietNanos));
            while (true) {
                long left = end - System.nanoTime();
                if (left <= 0) return false;
                long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(left + 999_999));
                if (selector.select(millis) == 0) return false; // woken, or the time is up
                boolean rung = false;
                for (SelectionKey k : selector.selectedKeys()) rung |= answer(k);
                selector.selectedKeys().clear();
                if (rung) return true;
                // Only a peer connecting (its ring follows) or leaving: sleep on.
            }
        } catch (IOException | ClosedSelectorException e) {
            LOG.debug("rank {}: doorbell sleep ended: {}", rank, e.toString()); // closing; the caller sees it
            return false;
        } finally {
            FLAG.setRelease(flag, 0, AWAKE);
        }
    }

    /** Accepts a peer's connection, or reads its rings; returns whether it rang. */
    private boolean answer(SelectionKey k) throws IOException {
        if (!k.isValid()) return false;
        if (k.isAcceptable()) {
            SocketChannel c;
            boolean rung = false;
            while ((c = server.accept()) != null) {
                c.configureBlocking(false);
                SelectionKey read = c.register(selector, SelectionKey.OP_READ);
                rung |= answer(read); // a peer connects to ring: its byte may be there already
            }
            return rung;
        }
        SocketChannel c = (SocketChannel) k.channel();
        boolean rung = false;
        int n;
        try {
            do {
                drained.clear();
                n = c.read(drained);
                rung |= n > 0;
            } while (n > 0);
        } catch (IOException e) {
            n = -1;
        }
        if (n < 0) {
            k.cancel();
            closeQuietly(c);
        }
        return rung;
    }

    /** The longest a sleep may last now, for a rank quiet for {@code quietNanos}. */
    long sleepCap(long now, long quietNanos) {
        if (!everyRankSettled(now)) return shortSleepNanos;
        return quietNanos >= QUIET_FOR_IDLE_SLEEP_NANOS ? idleSleepNanos : longSleepNanos;
    }

    /** Whether every rank of the job has had its doorbell on this host for {@link #SETTLE_NANOS}. */
    private boolean everyRankSettled(long now) {
        if (everyRankSince != 0) return now - everyRankSince >= SETTLE_NANOS;
        if (nextCount != 0 && now - nextCount < 0) return false;
        nextCount = now + COUNT_RETRY_NANOS;
        int found = 0;
        try (DirectoryStream<Path> sockets = Files.newDirectoryStream(dir, "rank-*.sock")) {
            for (Path ignored : sockets) found++;
        } catch (IOException e) {
            return false;
        }
        if (found >= size) everyRankSince = now;
        return false;
    }

    /**
     * Ends a {@link #sleep} in progress. A thread that sets a flag the sleeper checks after
     * {@link #arm()} calls this after setting it (so a sleeper that armed too late sees the flag).
     */
    void wake() {
        if ((int) FLAG.getVolatile(flag, 0) == SLEEPING) selector.wakeup();
    }

    @Override
    public void close() {
        closeQuietly(selector);
        closeQuietly(server);
        for (Peer p : peers) { // a ring racing with this fails on a closed channel, and is dropped
            if (p != null) {
                closeQuietly(p.bell);
                closeQuietly(p.file);
            }
        }
        closeQuietly(flagFile);
        try {
            Files.deleteIfExists(dir.resolve("rank-" + rank + ".sock"));
            Files.deleteIfExists(dir.resolve("rank-" + rank + ".flag"));
            Files.deleteIfExists(dir); // the last rank out removes it; others find it not empty
        } catch (IOException e) {
            LOG.trace("rank {}: leaving {} to the last rank: {}", rank, dir, e.toString());
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (Exception e) {
            LOG.trace("closing {}: {}", c, e.toString());
        }
    }
}
