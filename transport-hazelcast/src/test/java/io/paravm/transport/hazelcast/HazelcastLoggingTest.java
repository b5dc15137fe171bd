package io.paravm.transport.hazelcast;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which of Hazelcast's messages {@link HazelcastLogging} turns down, and how it is installed. */
class HazelcastLoggingTest {

    /** Messages Hazelcast 5.5 logged at WARNING in jobs whose members joined, left or were killed. */
    @ParameterizedTest
    @ValueSource(strings = {
            "[127.0.0.1]:44227 [paravm-3d93f99f-11fba52d16d63c25] [5.5.0] Removing connection to endpoint [127.0.0.1]:44226 "
                    + "Cause => java.io.IOException {Connection refused to address /127.0.0.1:44226}, Error-Count: 5",
            "[127.0.0.1]:44857 [paravm-test-27099-44857-d43a25677a9dea56] [5.5.0] Connection[id=3, /127.0.0.1:44857->"
                    + "/127.0.0.1:32843, alive=false, connectionType=MEMBER, planeIndex=0] closed. Reason: Exception in "
                    + "Connection[id=3] java.net.SocketException: Connection reset",
            "[127.0.0.1]:44227 [paravm-3d93f99f-11fba52d16d63c25] [5.5.0] Member [127.0.0.1]:44226 - "
                    + "6ff57888-0354-42fc-98e1-c4f638d9dd30 is suspected to be dead for reason: No connection",
            "[127.0.0.1]:37629 [paravm-5f2d7352-76d6afd7ec49d5cc] [5.5.0] Mastership of [127.0.0.1]:37628 is accepted. "
                    + "Response: MembersView{version=3, members=[]}",
            "[127.0.0.1]:39429 [paravm-3c365f63-3705caa19b7b5baa] [5.5.0] com.hazelcast.internal.cluster.impl."
                    + "ClusterTopologyChangedException: Current member list version 3 does not match expected 2",
            "[127.0.0.1]:46560 [paravm-eebca81d-f61ee76dcba495be] [5.5.0] Ignoring received partition table, startup is not "
                    + "completed yet. Sender: [127.0.0.1]:46559",
            "[127.0.0.1]:37628 [paravm-5f2d7352-76d6afd7ec49d5cc] [5.5.0] Following unknown addresses are found in partition "
                    + "table sent from master[[127.0.0.1]:37628]. (Probably they have recently joined or left the cluster.)",
            "[127.0.0.1]:39430 [paravm-3c365f63-3705caa19b7b5baa] [5.5.0] com.hazelcast.spi.exception.CallerNotMemberException: "
                    + "Not Member! this: [127.0.0.1]:39430, caller: [127.0.0.1]:39429, partitionId: -1",
            "[127.0.0.1]:36598 [paravm-f730fab1-2c254af15f357272] [5.5.0] Cannot set master address to null because node is "
                    + "already joined! Current master: [127.0.0.1]:36597",
            "[127.0.0.1]:35710 [paravm-e2b19987-ea3f5fd93a8a65b8] [5.5.0] Not updating members received from caller: "
                    + "[127.0.0.1]:35709 because node is not joined! ",
            "[127.0.0.1]:38253 [paravm-test-27099-38253-57390996f4a601ce] [5.5.0] Resetting heartbeat timestamps because of "
                    + "huge system clock jump! Clock-Jump: 1536 ms, Heartbeat-Timeout: 3000 ms",
            "[127.0.0.1]:38411 [paravm-6c7762b7-db9046ab35823c05] [5.5.0] Cannot handle heartbeat from [127.0.0.1]:38409, could "
                    + "not acquire lock in time.",
            "[127.0.0.1]:46566 [paravm-78381d56-a5cb31830501cdb1] [5.5.0] Cannot send response: true to [127.0.0.1]:46565.",
            "[127.0.0.1]:43072 [paravm-da3c5a56-699e22648c05d010] [5.5.0] Terminating forcefully..."})
    void membersComingAndGoingAreChatter(String message) {
        assertTrue(HazelcastLogging.isChatter(message), message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Graceful shutdown failed for hz:core:partitionService",
            "Could not join cluster. Shutting down now!", "Config seed port is 5701 and cluster size is 3. Some of the ports "
            + "seem occupied!", "Node is already shutting down... Waiting for shutdown process to complete..."})
    void otherProblemsAreNot(String message) {
        assertFalse(HazelcastLogging.isChatter(message), message);
        assertFalse(HazelcastLogging.isChatter(null));
    }

    @Test
    void loggersFollowSlf4jLevels() {
        // slf4j-simple in the tests: com.hazelcast at warn (surefire's argLine), so INFO (sent to DEBUG) is off
        var logger = new HazelcastLogging().getLogger("com.hazelcast.internal.cluster.ClusterService");
        assertFalse(logger.isLoggable(Level.INFO), "Hazelcast's INFO goes to DEBUG");
        assertFalse(logger.isFineEnabled());
        assertTrue(logger.isLoggable(Level.WARNING));
        assertTrue(logger.isLoggable(Level.SEVERE));
        assertEquals(Level.WARNING, logger.getLevel());
    }

    @Test
    @DisplayName("issue 16: install() points Hazelcast at ParaVM's factory, unless the user chose Hazelcast's logging")
    void installLeavesTheUsersChoiceAlone() {
        String cls = System.getProperty(HazelcastLogging.LOGGING_CLASS_PROPERTY);
        String type = System.getProperty(HazelcastLogging.LOGGING_TYPE_PROPERTY);
        try {
            System.clearProperty(HazelcastLogging.LOGGING_CLASS_PROPERTY);
            System.setProperty(HazelcastLogging.LOGGING_TYPE_PROPERTY, "log4j2");
            HazelcastLogging.install();
            assertNull(System.getProperty(HazelcastLogging.LOGGING_CLASS_PROPERTY), "the user's type is kept");

            System.clearProperty(HazelcastLogging.LOGGING_TYPE_PROPERTY);
            HazelcastLogging.install();
            assertEquals(HazelcastLogging.class.getName(), System.getProperty(HazelcastLogging.LOGGING_CLASS_PROPERTY));
        } finally {
            restore(HazelcastLogging.LOGGING_CLASS_PROPERTY, cls);
            restore(HazelcastLogging.LOGGING_TYPE_PROPERTY, type);
        }
    }

    private static void restore(String name, String value) {
        if (value == null) System.clearProperty(name);
        else System.setProperty(name, value);
    }
}
