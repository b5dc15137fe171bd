package io.paravm.transport.hazelcast;

import io.paravm.VmConfig;
import io.paravm.VmException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the command line and environment of one member JVM of a job.
 *
 * <p>The command line holds Hazelcast's JVM flags, the job's settings as {@code -D} options
 * (transport, cluster, interface, then the role's: port and rank count for the spawner, the
 * join address for a worker), the user's JVM options, the class path and the program. The
 * secret goes in the environment, which unlike the command line only this user (and root) can
 * read; the output goes to this JVM's, or to {@code <log dir>/<role>.log}.
 *
 * <pre>{@code
 * MemberCommand member = new MemberCommand("paravm-1a2b3c4d", "127.0.0.1", cp, List.of("-Xmx1g"), List.of(),
 *         "com.example.Main", List.of("arg1"), null);
 * ProcessBuilder worker = member.build("worker-1", MemberCommand.worker("127.0.0.1:5701"), secret);
 * }</pre>
 *
 * @param cluster    the job's cluster name
 * @param iface      the address members bind to
 * @param classpath  the class path of the JVMs
 * @param jvmOptions the user's JVM options
 * @param spawnerJvmOptions options for the spawner's JVM only, after those
 * @param mainClass  the class whose {@code main} every JVM runs
 * @param args       the program's arguments
 * @param logDir     where each JVM's output goes, or {@code null} for this JVM's
 */
record MemberCommand(String cluster, String iface, String classpath, List<String> jvmOptions,
                     List<String> spawnerJvmOptions, String mainClass, List<String> args, Path logDir) {

    /** Copies the lists. */
    MemberCommand {
        jvmOptions = List.copyOf(jvmOptions);
        spawnerJvmOptions = List.copyOf(spawnerJvmOptions);
        args = List.copyOf(args);
    }

    /** The role, and the log's name, of the spawner's JVM. */
    static final String SPAWNER_ROLE = "spawner";

    /** Returns the spawner's settings: its port, and the ranks to wait for. */
    static List<String> spawner(int port, int np) {
        return List.of("-D" + HazelcastProperties.PORT_PROP_NAME + "=" + port, "-D" + HazelcastProperties.NP_PROP_NAME + "=" + np);
    }

    /** Returns a worker's setting: the spawner's address. */
    static List<String> worker(String joinAddress) {
        return List.of("-D" + HazelcastProperties.JOIN_PROP_NAME + "=" + joinAddress);
    }

    /**
     * @param role           {@code spawner} or {@code worker-N}, the name of its log
     * @param roleProperties {@link #spawner} or {@link #worker}
     * @param secret         the job's secret, put in the environment
     * @return the process to start
     * @throws VmException if the log directory cannot be created
     */
    ProcessBuilder build(String role, List<String> roleProperties, String secret) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(HazelcastLauncher.JVM_FLAGS);
        cmd.add("-D" + VmConfig.TRANSPORT_PROP_NAME + "=" + HazelcastTransport.NAME);
        cmd.add("-D" + HazelcastProperties.CLUSTER_PROP_NAME + "=" + cluster);
        cmd.add("-D" + HazelcastProperties.INTERFACE_PROP_NAME + "=" + iface);
        cmd.addAll(roleProperties);
        cmd.addAll(jvmOptions);
        if (role.equals(SPAWNER_ROLE)) cmd.addAll(spawnerJvmOptions);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(mainClass);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put(HazelcastProperties.envName(HazelcastProperties.SECRET_PROP_NAME), secret);
        pb.environment().remove(HazelcastProperties.envName(HazelcastProperties.SECRET_FILE_PROP_NAME));
        if (logDir == null) return pb.inheritIO();
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new VmException("cannot create the log directory " + logDir + ": " + e.getMessage(), e);
        }
        return pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logDir.resolve(role + ".log").toFile()));
    }
}
