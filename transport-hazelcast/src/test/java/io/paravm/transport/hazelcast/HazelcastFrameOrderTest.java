package io.paravm.transport.hazelcast;

import io.paravm.Received;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.TaskResult;
import io.paravm.VirtualMachine;
import io.paravm.VirtualMachines;
import io.paravm.VmConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Frames from one rank arrive in the order it sent them, even where Hazelcast's event service
 * does not keep it.
 *
 * <p>Every {@code hazelcast.event.sync.frequency}-th event a member publishes (100,000 by
 * default) goes as an operation that the sender waits for at most
 * {@code hazelcast.event.sync.timeout.millis} (5 s), and the next events as plain packets. The
 * receiver runs the operation on a generic thread before it queues the event, so when that
 * wait times out (a large frame on a busy machine) the next frames overtake it: the reliability
 * suite once saw a task's result arrive before the 256 MiB message the task had sent first.
 * Here a worker JVM takes that path on every other event with a 1 ms wait, so the large
 * frames are overtaken all the time unless the transport puts frames back in order.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HazelcastFrameOrderTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int MESSAGES = 40;
    private static final int LARGE_BYTES = 4 << 20;

    private HazelcastLauncher workers;
    private VirtualMachine vm;

    @AfterEach
    void tearDown() {
        try {
            if (vm != null) vm.close();
        } finally {
            if (workers != null) {
                workers.kill();
                workers.close();
            }
        }
    }

    @Test
    void framesOvertakenInsideHazelcastReachTheSpawnerInTheOrderTheTaskSentThem() {
        int port = FreePort.on("127.0.0.1");
        String cluster = "paravm-order-" + ProcessHandle.current().pid() + "-" + port;
        String secret = HazelcastSecret.newSecret();
        workers = HazelcastLauncher.builder().join("127.0.0.1:" + port).cluster(cluster).secret(secret)
                .mainClass(MembershipWorker.class.getName())
                .jvmOption("-Dhazelcast.event.sync.frequency=2")
                .jvmOption("-Dhazelcast.event.sync.timeout.millis=1")
                .logDirectory(Path.of("target", "frame-order-logs"))
                .build();
        workers.startWorker();
        vm = VirtualMachines.open(VmConfig.builder().transport("hazelcast")
                .startupTimeout(WAIT)
                .property(HazelcastProperties.CLUSTER_PROP_NAME, cluster)
                .property(HazelcastProperties.SECRET_PROP_NAME, secret)
                .property(HazelcastProperties.PORT_PROP_NAME, Integer.toString(port))
                .property(HazelcastProperties.NP_PROP_NAME, "2")
                .build());

        int messages = MESSAGES;
        int large = LARGE_BYTES;
        TaskId id = vm.spawnFunction(w -> {
            for (int i = 0; i < messages; i++) {
                // a large frame, then a small one that may overtake it
                w.sendMessage(new TaskId(0, 0), i % 2 == 0 ? numbered(large, i) : (Object) i);
            }
            return "sent " + messages;
        }).orElseThrow();

        List<Object> got = new ArrayList<>();
        for (int i = 0; i < messages; i++) {
            Received r = vm.receiveMessage(WAIT, id).orElseThrow(() -> new AssertionError("nothing from " + id));
            got.add(r.message() instanceof byte[] b ? "large " + b[0] + " of " + b.length : r.message());
            if (i % 2 == 0) {
                byte[] b = assertInstanceOf(byte[].class, r.message(), () -> "message " + got.size() + " in order; got " + got);
                assertArrayEquals(numbered(large, i), b, "large message " + i + " arrived whole");
            } else {
                assertEquals(i, r.message(), () -> "message " + got.size() + " in order; got " + got);
            }
        }
        TaskResult result = assertInstanceOf(TaskResult.class, vm.receiveMessage(WAIT, id).orElseThrow().message(),
                "the result comes after every message");
        assertTrue(result.success(), result.error());
        assertEquals("sent " + messages, result.value());
        assertEquals(new TaskExit(id, TaskExit.Reason.FINISHED), vm.receiveMessage(WAIT, id).orElseThrow().message());
    }

    private static byte[] numbered(int size, int n) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i += 4096) b[i] = (byte) n;
        return b;
    }
}
