package io.paravm.transport.hazelcast;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.topic.ITopic;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A member that learnt a job's Hazelcast cluster name but not its secret, run in its own
 * JVM by the security test. It joins with plain Hazelcast, writes itself a rank, sends
 * the spawner frames claiming to be rank 1, then tries the join handshake with a wrong
 * secret. Prints {@code ROGUE REFUSED} and exits 0 if the spawner refused it.
 * Arguments: the spawner's {@code host:port}, the Hazelcast cluster name.
 */
public final class RogueMember {
    private RogueMember() {
    }

    public static void main(String[] args) throws Exception {
        Config c = new Config();
        c.setClusterName(args[1]);
        c.setProperty("hazelcast.logging.type", "slf4j");
        c.setProperty("hazelcast.phone.home.enabled", "false");
        c.setProperty("hazelcast.partition.count", Integer.toString(HazelcastMemberConfig.PARTITION_COUNT)); // as a copy of the config would
        c.getNetworkConfig().setPort(Integer.parseInt(args[0].substring(args[0].indexOf(':') + 1)) + 100)
                .setPortAutoIncrement(true);
        c.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        c.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
        c.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
        c.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true).addMember(args[0]);
        HazelcastInstance hz = Hazelcast.newHazelcastInstance(c);
        try {
            if (hz.getCluster().getMembers().size() < 2) {
                System.out.println("ROGUE found no cluster");
                System.exit(3);
            }
            UUID me = hz.getCluster().getLocalMember().getUuid();
            IMap<String, String> ranks = hz.getMap(RankDirectory.RANKS_MAP);
            UUID spawner = null;
            for (Map.Entry<String, String> e : ranks.entrySet()) {
                if (e.getValue().startsWith("0:")) spawner = UUID.fromString(e.getKey());
            }
            ranks.set(me.toString(), "1:" + "00".repeat(32)); // a rank it was never given
            ITopic<byte[]> toSpawner = hz.getTopic(MemberTopics.TOPIC_PREFIX + spawner);
            toSpawner.publish(forgedMessage("forged before the handshake"));

            CountDownLatch refused = new CountDownLatch(1);
            hz.<byte[]>getTopic(MemberTopics.TOPIC_PREFIX + me).addMessageListener(m -> {
                byte[] b = m.getMessageObject();
                if (WireHeader.kind(b) == WireHeader.CHALLENGE) {
                    byte[] proof = new byte[32]; // the HMAC it cannot compute
                    toSpawner.publish(frame(-1, WireHeader.PROOF, proof));
                } else if (WireHeader.kind(b) == WireHeader.REFUSED) {
                    refused.countDown();
                }
            });
            toSpawner.publish(frame(-1, WireHeader.JOIN, new byte[0]));
            boolean wasRefused = refused.await(60, TimeUnit.SECONDS);
            toSpawner.publish(forgedMessage("forged after the handshake"));
            System.out.println(wasRefused ? "ROGUE REFUSED" : "ROGUE NOT REFUSED");
            System.out.flush();
            System.exit(wasRefused ? 0 : 1);
        } finally {
            hz.getLifecycleService().terminate();
        }
    }

    /** The transport's header (rank, kind, sequence number 0) and a payload. */
    private static byte[] frame(int rank, byte kind, byte[] payload) {
        return ByteBuffer.allocate(WireHeader.LENGTH + payload.length).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(rank).put(kind).putInt(0).put(payload).array();
    }

    /** A user message for task 0:0 from task 1:1, as vm-core writes it: kind MESSAGE, tasks, a String payload. */
    private static byte[] forgedMessage(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        byte messageKind = 6, stringTag = 2; // FrameKind.MESSAGE, Codec.STRING
        byte[] vmFrame = ByteBuffer.allocate(9 + 5 + utf8.length).order(ByteOrder.LITTLE_ENDIAN)
                .put(messageKind).putInt(1).putInt(0).put(stringTag).putInt(utf8.length).put(utf8).array();
        return frame(1, WireHeader.DATA, vmFrame);
    }
}
