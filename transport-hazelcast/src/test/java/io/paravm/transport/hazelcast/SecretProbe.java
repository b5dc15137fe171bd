package io.paravm.transport.hazelcast;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Started by HazelcastLauncher in the security test instead of a ParaVM program: prints a
 * hash of the secret it was given in its environment, and whether its command line
 * contains it.
 */
public final class SecretProbe {
    private SecretProbe() {
    }

    public static void main(String[] args) throws Exception {
        String secret = System.getenv("PARAVM_HAZELCAST_SECRET");
        String commandLine = ProcessHandle.current().info().commandLine().orElse("");
        System.out.println("secret-sha256=" + (secret == null ? "none" : HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)))));
        System.out.println("on-command-line=" + (secret != null && commandLine.contains(secret)));
        System.out.println("command-line-read=" + !commandLine.isEmpty());
    }
}
