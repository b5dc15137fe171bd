package io.paravm.benchmarks.backend;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.BuildInfoProvider;
import com.hazelcast.topic.ITopic;
import io.paravm.Task;
import io.paravm.TaskId;
import io.paravm.VirtualMachine;
import io.paravm.benchmarks.VmEcho;
import io.paravm.benchmarks.VmTasks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Embedded Hazelcast members, one JVM per rank, started by {@code HazelcastLauncher} on
 * loopback. The raw figure is the primitive the transport is built on, measured in the same
 * job and the same two members: a {@code byte[]} published on an {@link ITopic} that only the
 * other member listens to, ping-pong. Each end's listener hands the message to the thread
 * that waits for it through a {@link BlockingQueue} (the one hand-off any receiving thread
 * needs, as ParaVM's does), and that thread publishes the answer. What ParaVM adds on top is
 * its frame header, codec, envelope and credits.
 *
 * <p>The member is found through Hazelcast's own registry
 * ({@link Hazelcast#getAllHazelcastInstances()}; ParaVM runs one member per JVM), so the
 * transport needs no accessor. Everything that touches {@code com.hazelcast} lives in the
 * nested {@link Raw}, loaded only inside a job.
 */
public final class HazelcastBackend implements Backend {

    private static final String LAUNCHER = "io.paravm.transport.hazelcast.HazelcastLauncher";
    /** Sent by the worker's echo through ParaVM once its listener is registered (topics do not keep messages). */
    private static final String READY = "paravm-bench-raw-ready";
    /** How long the worker's echo waits for the next message before giving up (the spawner is gone). */
    private static final Duration ECHO_IDLE = Duration.ofMinutes(10);

    @Override
    public String name() {
        return "hazelcast";
    }

    @Override
    public String layout() {
        return "one JVM per rank, embedded Hazelcast members on loopback, started by HazelcastLauncher";
    }

    @Override
    public String rawDescription() {
        return "a byte[] published on an ITopic per direction (the primitive ParaVM's transport uses: one ITopic per "
                + "member), each end's listener handing it to the waiting thread through a BlockingQueue";
    }

    @Override
    public Targets targets() {
        return Targets.latencyOnly(1.5, 8, 1024);
    }

    // ---------------------------------------------------------------- orchestrator side

    @Override
    public Optional<String> unavailabilityCause() {
        return Optional.empty(); // plain Java on loopback: nothing to install
    }

    @Override
    public List<String> jobCommand(int ranks, String classPath, List<String> jvmArgs, List<String> spawnerJvmArgs,
                                   String mainClass, List<String> args) {
        List<String> launcherArgs = new ArrayList<>(List.of("-np", String.valueOf(ranks)));
        for (String option : spawnerJvmArgs) launcherArgs.add("-S" + option);
        return Backends.launcherCommand(classPath, List.of(), LAUNCHER, launcherArgs, jvmArgs, mainClass, args);
    }

    @Override
    public boolean startsSpawnerApart() {
        return true;
    }

    @Override
    public Map<String, String> jobEnvironment() {
        return Map.of();
    }

    @Override
    public String binding(Path jobLog) {
        return "not bound: HazelcastLauncher starts plain JVMs, scheduled by the OS";
    }

    // ---------------------------------------------------------------- job side

    @Override
    public String engineVersion() {
        return Raw.version();
    }

    @Override
    public List<String> rawLatencyVariants() {
        return List.of("bytes");
    }

    @Override
    public List<String> rawBandwidthVariants() {
        return List.of("bytes");
    }

    @Override
    public RawChannel openRaw(VirtualMachine vm, RawSpec spec) {
        if (!spec.variant().equals("bytes")) {
            throw new IllegalArgumentException("raw Hazelcast variant '" + spec.variant() + "' is not bytes");
        }
        String topics = "paravm.bench.raw." + UUID.randomUUID();
        return Raw.open(vm, topics, spec);
    }

    /** Hazelcast's own calls, both ends. */
    private static final class Raw {

        private Raw() {
        }

        static String version() {
            return "Hazelcast " + BuildInfoProvider.getBuildInfo().getVersion() + " (embedded members, an ITopic per member)";
        }

        /** This JVM's member: ParaVM's transport starts exactly one. */
        static HazelcastInstance member() {
            Set<HazelcastInstance> all = Hazelcast.getAllHazelcastInstances();
            if (all.size() != 1) {
                throw new IllegalStateException("the raw Hazelcast figure needs this rank's one member, but this JVM has "
                        + all.size() + " Hazelcast members; run it in a job started by HazelcastLauncher");
            }
            return all.iterator().next();
        }

        /** Listens on {@code topic}, handing every message to the returned queue. */
        static Subscription subscribe(HazelcastInstance hz, String topic) {
            ITopic<byte[]> t = hz.getTopic(topic);
            BlockingQueue<byte[]> inbox = new LinkedBlockingQueue<>();
            UUID registration = t.addMessageListener(m -> inbox.add(m.getMessageObject()));
            return new Subscription(t, registration, inbox);
        }

        record Subscription(ITopic<byte[]> topic, UUID registration, BlockingQueue<byte[]> inbox) {
            byte[] take(Duration wait, String from) {
                try {
                    byte[] m = inbox.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
                    if (m == null) {
                        throw new IllegalStateException("no raw Hazelcast message from " + from + " on " + topic.getName()
                                + " within " + wait.toSeconds() + " s");
                    }
                    return m;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for " + from + " on " + topic.getName(), e);
                }
            }

            void cancel() {
                topic.removeMessageListener(registration);
            }
        }

        static RawChannel open(VirtualMachine vm, String topics, RawSpec spec) {
            HazelcastInstance hz = member();
            Subscription pong = subscribe(hz, topics + ".pong"); // before the echo can answer
            Task<WorkerStats> echo = w -> echo(w, topics, spec);
            TaskId id = VmTasks.spawnOne(vm, echo);
            try {
                VmTasks.awaitMessage(vm, id, READY);
            } catch (RuntimeException e) {
                pong.cancel();
                throw e;
            }
            return new Channel(vm, id, spec, hz.getTopic(topics + ".ping"), pong);
        }

        /** The worker's end: runs as a ParaVM task, then speaks ITopic until an empty message. */
        static WorkerStats echo(VirtualMachine w, String topics, RawSpec spec) {
            HazelcastInstance hz = member();
            Subscription ping = subscribe(hz, topics + ".ping");
            ITopic<byte[]> pong = hz.getTopic(topics + ".pong");
            try {
                w.sendMessage(w.parentTaskId(), READY);
                byte[] ack = new byte[1];
                long start = WorkerStats.threadAllocatedBytes();
                long n = 0;
                while (true) {
                    byte[] m = ping.take(ECHO_IDLE, "the spawner");
                    if (m.length == 0) break;
                    n++;
                    if (spec.window() == 1) {
                        pong.publish(m);
                    } else if (n % spec.window() == 0) {
                        pong.publish(ack);
                    }
                }
                return new WorkerStats(n, start < 0 ? -1 : WorkerStats.threadAllocatedBytes() - start);
            } finally {
                ping.cancel();
            }
        }

        /** The spawner's end. */
        private static final class Channel implements RawChannel {
            private final VirtualMachine vm;
            private final TaskId echo;
            private final RawSpec spec;
            private final ITopic<byte[]> ping;
            private final Subscription pong;
            private final byte[] buf;
            private final String from;
            private WorkerStats stats;

            Channel(VirtualMachine vm, TaskId echo, RawSpec spec, ITopic<byte[]> ping, Subscription pong) {
                this.vm = vm;
                this.echo = echo;
                this.spec = spec;
                this.ping = ping;
                this.pong = pong;
                this.buf = new byte[spec.bytes()];
                this.from = "the echo on rank " + echo.rank();
            }

            @Override
            public void exchange() {
                for (int i = 0; i < spec.window(); i++) ping.publish(buf);
                pong.take(VmEcho.WAIT, from);
            }

            @Override
            public WorkerStats stop() {
                if (stats != null) return stats;
                ping.publish(new byte[0]);
                try {
                    stats = (WorkerStats) VmTasks.awaitEnd(vm, echo);
                } finally {
                    pong.cancel();
                    ping.destroy();
                    pong.topic().destroy();
                }
                return stats;
            }
        }
    }
}
