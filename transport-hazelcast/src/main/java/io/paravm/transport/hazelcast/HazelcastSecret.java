package io.paravm.transport.hazelcast;

import io.paravm.VirtualMachines;
import io.paravm.VmConfig;
import io.paravm.VmException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;

/**
 * The cluster's shared secret, and what is derived from it: the Hazelcast cluster name
 * (so a member without the secret cannot even join Hazelcast), the proof a worker gives
 * the spawner to be given a rank, and the signature on each rank the spawner gives out.
 * All are HMAC-SHA256 keyed by the secret; the secret itself never travels.
 */
final class HazelcastSecret {

    private static final Logger LOG = LoggerFactory.getLogger(HazelcastSecret.class);
    private static final HexFormat HEX = HexFormat.of();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MIN_LENGTH = 16;

    private final byte[] key;
    private final String origin;

    private HazelcastSecret(byte[] key, String origin) {
        this.key = key;
        this.origin = origin;
    }

    /** A new random secret (32 bytes, as 64 hex digits), e.g. for a launcher's job. */
    static String newSecret() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HEX.formatHex(b);
    }

    /**
     * The secret of this member: {@link HazelcastProperties#SECRET_PROP_NAME}, else the file
     * named by {@link HazelcastProperties#SECRET_FILE_PROP_NAME}. A spawner without either
     * makes a random one, which lets nobody else join; a worker without either cannot join.
     */
    static HazelcastSecret of(VmConfig config, boolean spawner) {
        Optional<String> secret = HazelcastProperties.get(config, HazelcastProperties.SECRET_PROP_NAME);
        if (secret.isPresent()) return checked(secret.get(), HazelcastProperties.SECRET_PROP_NAME);
        Optional<String> file = HazelcastProperties.get(config, HazelcastProperties.SECRET_FILE_PROP_NAME);
        if (file.isPresent()) return checked(read(Path.of(file.get())), "the file " + file.get());
        if (spawner) {
            LOG.info("no Hazelcast secret is set ({} or {}, or the environment variables {} / {}): this spawner made "
                            + "one up, so no other member can join it; HazelcastLauncher sets one for its jobs",
                    HazelcastProperties.SECRET_FILE_PROP_NAME, HazelcastProperties.SECRET_PROP_NAME,
                    HazelcastProperties.envName(HazelcastProperties.SECRET_FILE_PROP_NAME),
                    HazelcastProperties.envName(HazelcastProperties.SECRET_PROP_NAME));
            return new HazelcastSecret(newSecret().getBytes(StandardCharsets.UTF_8), "made up by this spawner");
        }
        throw new VmException("this worker has no secret to join the spawner with: set the environment variable "
                + HazelcastProperties.envName(HazelcastProperties.SECRET_PROP_NAME) + ", or "
                + HazelcastProperties.SECRET_FILE_PROP_NAME + " (environment "
                + HazelcastProperties.envName(HazelcastProperties.SECRET_FILE_PROP_NAME) + ") to a file holding the "
                + "spawner's secret (HazelcastLauncher --secret-file FILE does this) [" + VirtualMachines.ERROR_CODES_URL
                + "#hazelcast-secret]");
    }

    private static HazelcastSecret checked(String secret, String origin) {
        String s = secret.trim();
        if (s.length() < MIN_LENGTH) {
            throw new VmException("the Hazelcast secret from " + origin + " has " + s.length() + " characters; use at "
                    + "least " + MIN_LENGTH + " (HazelcastLauncher writes a random one of 64 with --secret-file FILE)");
        }
        return new HazelcastSecret(s.getBytes(StandardCharsets.UTF_8), origin);
    }

    /** Reads a secret file, warning if others may read it. */
    static String read(Path file) {
        try {
            try {
                Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
                if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)) {
                    LOG.warn("the secret file {} can be read by other users; chmod 600 it", file);
                }
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: nothing to check
            }
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new VmException("cannot read the Hazelcast secret file " + file + ": " + e
                    + "; give the file the spawner's secret (HazelcastLauncher --secret-file FILE writes one)", e);
        }
    }

    /** Where the secret came from, for messages (never the secret). */
    String origin() {
        return origin;
    }

    /** HMAC-SHA256 of {@code purpose} and each part, each prefixed by its length. */
    byte[] mac(String purpose, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] p = purpose.getBytes(StandardCharsets.UTF_8);
            mac.update(ByteBuffer.allocate(4).putInt(p.length).array());
            mac.update(p);
            for (byte[] part : parts) {
                mac.update(ByteBuffer.allocate(4).putInt(part.length).array());
                mac.update(part);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM lacks HmacSHA256, which every Java SE JVM has", e);
        }
    }

    /** The Hazelcast cluster name for the ParaVM cluster {@code name}: members with another secret get another. */
    String clusterName(String name) {
        return name + "-" + HEX.formatHex(mac("cluster name", bytes(name)), 0, 8);
    }

    /** What a worker sends the spawner to prove it knows the secret. */
    byte[] joinProof(byte[] nonce, UUID worker, UUID spawner) {
        return mac("join", nonce, bytes(worker.toString()), bytes(spawner.toString()));
    }

    boolean isJoinProof(byte[] proof, byte[] nonce, UUID worker, UUID spawner) {
        return MessageDigest.isEqual(proof, joinProof(nonce, worker, spawner));
    }

    /** The signed rank the spawner publishes for a member: {@code rank:signature}. */
    String signedRank(UUID member, int rank) {
        return rank + ":" + HEX.formatHex(mac("rank", bytes(member.toString()), bytes(Integer.toString(rank))));
    }

    /** The rank in a signed-rank value, if the spawner signed it for {@code member}. */
    OptionalInt verifiedRank(UUID member, String value) {
        int colon = value == null ? -1 : value.indexOf(':');
        if (colon <= 0) return OptionalInt.empty();
        try {
            int rank = Integer.parseInt(value.substring(0, colon));
            byte[] expected = mac("rank", bytes(member.toString()), bytes(Integer.toString(rank)));
            byte[] given = HEX.parseHex(value.substring(colon + 1));
            return rank >= 0 && MessageDigest.isEqual(given, expected) ? OptionalInt.of(rank) : OptionalInt.empty();
        } catch (IllegalArgumentException e) {
            return OptionalInt.empty();
        }
    }

    static byte[] newNonce() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return b;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "secret from " + origin;
    }
}
