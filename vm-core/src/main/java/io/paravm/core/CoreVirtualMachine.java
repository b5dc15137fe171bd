package io.paravm.core;

import io.paravm.HostId;
import io.paravm.Received;
import io.paravm.SendTimeoutException;
import io.paravm.TaskId;
import io.paravm.VirtualMachine;
import io.paravm.VmConfig;
import io.paravm.VmException;
import io.paravm.spi.Transport;
import io.paravm.spi.Transport.Frame;
import io.paravm.spi.VmEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What the spawner's and the workers' VMs share through the {@link VirtualMachine} API:
 * identity, checking a call's arguments, sending and receiving through the
 * {@link FrameChannel}, and closing. Each role, {@link SpawnerVirtualMachine} on rank 0 and
 * {@link WorkerVirtualMachine} on every other rank, says where its messages come from and go.
 *
 * <p>Threads: receives go through the channel's one receive loop; sends are serialised by the
 * channel (one reusable direct frame buffer). Membership callbacks only queue and wake.
 *
 * <pre>{@code
 * VirtualMachine vm = CoreVirtualMachine.open(transport, config);  // the role of transport.rank()
 * }</pre>
 */
abstract sealed class CoreVirtualMachine implements VirtualMachine
        permits SpawnerVirtualMachine, WorkerVirtualMachine {

    private static final Logger LOG = LoggerFactory.getLogger(CoreVirtualMachine.class);
    /** Receive from any task of the given rank. */
    static final int ANY_TASK = Integer.MIN_VALUE;

    final Transport transport;
    final Codec codec;
    final FrameChannel channel;
    final int rank;
    final String host;
    final int debug;
    private final String[] userArgs;
    private final long sendTimeoutNanos;
    /** The VM's listeners; the role says what a first listener starts. */
    final VmEvents events = new VmEvents(this::firstListener);
    /** JFR events while a recording runs, or null where this JVM has none; set when the VM is open. */
    private JfrEvents jfr;

    /**
     * Opens this rank's VM in its role: rank 0 is the spawner, every other rank a worker.
     *
     * @param transport the started engine
     * @param config    the VM's settings
     * @return the VM
     */
    static CoreVirtualMachine open(Transport transport, VmConfig config) {
        return transport.rank() == 0 ? new SpawnerVirtualMachine(transport, config) : new WorkerVirtualMachine(transport, config);
    }

    CoreVirtualMachine(Transport transport, VmConfig config) {
        this.transport = transport;
        this.rank = transport.rank();
        this.host = transport.hostName();
        this.debug = config.debug();
        this.userArgs = transport.userArgs();
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) loader = CoreVirtualMachine.class.getClassLoader();
        SettingsCheck.warnOnce(config, loader);
        this.codec = new Codec(loader, ClassAllowList.forVm(config));
        this.channel = new FrameChannel(transport, codec, this::keepOwn, unreadBound(config, transport), events);
        this.sendTimeoutNanos = config.property(VmConfig.SEND_TIMEOUT_PROP_NAME)
                .map(v -> SettingsCheck.positiveLong(VmConfig.SEND_TIMEOUT_PROP_NAME, v))
                .orElse(VmConfig.SEND_TIMEOUT_DEFAULT.toMillis()) * 1_000_000L;
    }

    /**
     * The unread bytes a task may hold from one rank: the setting, else 64 MiB or an eighth of
     * the heap if smaller (shared among the ranks of one JVM), at least 1 MiB.
     */
    static long unreadBound(VmConfig config, Transport transport) {
        return config.property(VmConfig.UNREAD_BOUND_PROP_NAME)
                .map(v -> SettingsCheck.positiveLong(VmConfig.UNREAD_BOUND_PROP_NAME, v))
                .orElseGet(() -> {
                    long heapShare = Runtime.getRuntime().maxMemory() / 8
                            / (transport.ranksShareProcess() ? Math.max(1, transport.size()) : 1);
                    return Math.max(1L << 20, Math.min(VmConfig.UNREAD_BOUND_DEFAULT, heapShare));
                });
    }

    /** Keeps a frame this rank sent itself in its role's queue; the channel's receive lock is held. */
    abstract void keepOwn(Frame own);

    /** Logs that this rank's VM is open, and follows the flight recorder; the role's constructor calls it last. */
    final void opened() {
        jfr = JfrEvents.follow(events, rank);
        if (debug > 0) LOG.info("ParaVM rank {} of {} on {} open over {}", rank, transport.size(), host, transport.name());
    }

    @Override
    public final VmEvents events() {
        return events;
    }

    /** What the role starts once its VM has a listener (the spawner asks its workers for load samples). */
    void firstListener() {
    }

    // ---------------------------------------------------------------- identity

    @Override
    public final String[] args() {
        return userArgs.clone();
    }

    @Override
    public final String transportName() {
        return transport.name();
    }

    @Override
    public final HostId hostId() {
        return new HostId(host);
    }

    // ---------------------------------------------------------------- messages

    @Override
    public final void sendMessage(TaskId destination, Object message) {
        checkSend("sendMessage", destination);
        if (!channel.sendMessage(destination.rank(), senderTask(), destination.number(), message, sendTimeoutNanos,
                "sendMessage(...)")) {
            throw new SendTimeoutException("sendMessage: task " + destination + " holds " + channel.unreadAt(
                    destination.rank(), destination.number()) + " unread bytes from rank " + rank + ", its bound ("
                    + VmConfig.UNREAD_BOUND_PROP_NAME + " = " + channel.unreadBound() + "), and read none of them "
                    + "for " + sendTimeoutNanos / 1_000_000 + " ms (" + VmConfig.SEND_TIMEOUT_PROP_NAME + "); the "
                    + "message was not sent. Make the task read its messages, raise the bound or the timeout, or "
                    + "use trySendMessage to decide yourself");
        }
    }

    @Override
    public final boolean trySendMessage(TaskId destination, Object message, Duration timeout) {
        checkSend("trySendMessage", destination);
        if (timeout == null) throw new NullPointerException("trySendMessage: timeout is null; pass Duration.ZERO not to wait");
        return channel.sendMessage(destination.rank(), senderTask(), destination.number(), message,
                timeout.isNegative() ? -1 : saturatedNanos(timeout), "trySendMessage(...)");
    }

    /** @param call the method's name, a constant (nothing is built from it unless the call is refused) */
    private void checkSend(String call, TaskId destination) {
        ensureOpen(call);
        if (destination == null) { // not requireNonNull(destination, call + ...): that builds the text on every send
            throw new NullPointerException(call + ": destination is null; use an id from spawnFunction() or "
                    + "Received.sender()");
        }
        if (!destination.isValid()) {
            throw new VmException(call + ": destination " + destination + " is not a valid task id (rank and "
                    + "number must be >= 0); use an id from spawnFunction() or Received.sender()");
        }
        if (destination.rank() == 0 && destination.number() != 0) {
            throw new VmException(call + ": destination " + destination + " does not exist; the spawner is task 0:0");
        }
        checkDestination(destination);
    }

    /** Refuses a valid destination this role knows cannot take the message. */
    abstract void checkDestination(TaskId destination);

    /** The task number messages from the calling thread carry. */
    abstract int senderTask();

    @Override
    public final Optional<Received> receiveMessage(Duration timeout) {
        return receive(timeout, Transport.ANY_SOURCE, ANY_TASK, "receiveMessage(timeout)");
    }

    @Override
    public final Optional<Received> receiveMessage(Duration timeout, TaskId from) {
        Objects.requireNonNull(from, "receiveMessage: from is null; pass a task id, or call receiveMessage(timeout) "
                + "to receive from anyone");
        checkSender("receiveMessage", from, "receiveMessage(timeout) to receive from anyone");
        return receive(timeout, from.rank(), from.number(), "receiveMessage(timeout, from)");
    }

    private Optional<Received> receive(Duration timeout, int source, int sourceTask, String call) {
        ensureOpen(call);
        // not requireNonNull(timeout, call + ...): that would build the message on every receive
        if (timeout == null) throw new NullPointerException(call + ": timeout is null; pass Duration.ofSeconds(-1) to block");
        return receive(timeout.isNegative() ? -1 : saturatedNanos(timeout), source, sourceTask, call);
    }

    /**
     * Receives the next message for the calling thread, as this role routes them.
     *
     * @param timeoutNanos negative blocks, zero polls
     * @param source       a rank, or any
     * @param sourceTask   a task number on that rank (a rank may run several tasks), or {@link #ANY_TASK} with any
     *                     rank
     */
    abstract Optional<Received> receive(long timeoutNanos, int source, int sourceTask, String call);

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 2;
        }
    }

    /** Refuses a sender without a rank, or one on a rank outside the VM (an engine may treat probing it as fatal). */
    private void checkSender(String call, TaskId from, String otherwise) {
        if (from.rank() < 0) {
            throw new VmException(call + ": sender " + from + " has no rank; pass a task id, or call " + otherwise);
        }
        if (from.rank() >= transport.size()) {
            throw new VmException(call + ": sender " + from + " names rank " + from.rank() + ", outside [0, "
                    + transport.size() + ")");
        }
    }

    @Override
    public final boolean checkForIncoming() {
        ensureOpen("checkForIncoming(...)");
        return incoming(Transport.ANY_SOURCE, ANY_TASK);
    }

    @Override
    public final boolean checkForIncoming(TaskId from) {
        Objects.requireNonNull(from, "checkForIncoming: from is null; pass a task id, or call checkForIncoming()");
        checkSender("checkForIncoming", from, "checkForIncoming()");
        ensureOpen("checkForIncoming(...)");
        return incoming(from.rank(), from.number());
    }

    /**
     * Whether a message from task {@code sourceTask} of rank {@code source} waits for the calling
     * thread, or from anyone when {@code source} is {@link Transport#ANY_SOURCE} (and
     * {@code sourceTask} {@link #ANY_TASK}).
     */
    abstract boolean incoming(int source, int sourceTask);

    // ---------------------------------------------------------------- close

    final void ensureOpen(String call) {
        channel.ensureOpen(call);
    }

    @Override
    public final void close() {
        if (!channel.markClosed()) return;
        try {
            if (jfr != null) jfr.close();
            closeRole();
        } finally {
            transport.close();
            if (debug > 0) LOG.info("ParaVM rank {} closed", rank);
            afterTransportClosed();
        }
    }

    /** What the role does when its VM closes, before the transport is closed. */
    abstract void closeRole();

    /** What the role does once its transport is closed: nothing, unless it says otherwise. */
    void afterTransportClosed() {
    }
}
