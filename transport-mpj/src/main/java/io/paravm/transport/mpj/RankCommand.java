package io.paravm.transport.mpj;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command that starts a rank JVM of an MPJ job: under {@code multicore} the one JVM of
 * every rank (MPJ's {@code MulticoreStarter}), under {@code niodev} one rank's. Each passes
 * on the launcher's {@code paravm.*} settings (deprecated names under their new ones), marks
 * the JVM with its device and the launcher's pid ({@link MpjRankMain} ends the rank when the
 * launcher is gone), and names MPJ_HOME.
 *
 * <pre>{@code
 * Process rank1 = tree.start(RankCommand.niodev(job, home, 1, rendezvous.configuration(switchBytes)));
 * }</pre>
 */
final class RankCommand {

    /** MPJ's jars a multicore JVM runs on; the program and the ranks' own jars come through their class loaders. */
    private static final String[] MULTICORE_JARS = {"smpdev", "xdev", "mpjbuf", "loader2", "starter", "mpiExp",
            "runtimecommon", "log4j-1.2"};
    /** MPJ's jars a niodev rank runs on, after the program's class path. */
    private static final String[] NIODEV_JARS = {"mpj", "mpiExp", "log4j-1.2"};

    private RankCommand() {
    }

    /**
     * Returns the multicore JVM: MPJ's {@code MulticoreStarter} with the program's class path
     * for its per-rank class loaders (not the JVM's {@code -cp}, which holds MPJ's shared jars).
     *
     * @param job  the job, its class path absolute
     * @param home MPJ's home
     * @return the process to start
     */
    static ProcessBuilder multicore(MpjJob job, MpjHome home) {
        List<String> cmd = java(job, home);
        cmd.addAll(List.of("-cp", home.jars(MULTICORE_JARS), "runtime.starter.MulticoreStarter",
                System.getProperty("user.dir"), Integer.toString(job.ranks()), MpjDevice.MULTICORE.mpjName(),
                "useLocalLoader", job.classPath(), MpjRankMain.class.getName(), job.mainClass()));
        cmd.addAll(job.args());
        return builder(cmd, home);
    }

    /**
     * Returns one niodev rank's JVM.
     *
     * @param job           the job, its class path absolute
     * @param home          MPJ's home
     * @param rank          the rank, in [0, ranks)
     * @param configuration the job's configuration, naming the rendezvous server ({@link NiodevRendezvous#configuration})
     * @return the process to start
     */
    static ProcessBuilder niodev(MpjJob job, MpjHome home, int rank, String configuration) {
        List<String> cmd = java(job, home);
        cmd.addAll(List.of("-cp", job.classPath() + File.pathSeparator + home.jars(NIODEV_JARS),
                MpjRankMain.class.getName(), Integer.toString(rank), configuration, MpjDevice.NIODEV.mpjName(),
                job.mainClass()));
        cmd.addAll(job.args());
        return builder(cmd, home);
    }

    private static List<String> java(MpjJob job, MpjHome home) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(job.jvmOptions());
        System.getProperties().stringPropertyNames().stream()
                .filter(n -> n.startsWith("paravm.") && !n.equals(MpjProperties.DEVICE_PROP_NAME)
                        && !n.equals(MpjProperties.LAUNCHER_PID_PROP_NAME))
                .map(n -> MpjProperties.DEPRECATED_NAMES.getOrDefault(n, n)).distinct().sorted()
                .forEach(n -> cmd.add("-D" + n + "=" + MpjProperties.property(n)));
        cmd.add("-D" + MpjProperties.DEVICE_PROP_NAME + "=" + job.device().id());
        cmd.add("-D" + MpjProperties.LAUNCHER_PID_PROP_NAME + "=" + ProcessHandle.current().pid());
        cmd.add("-D" + MpjProperties.HOME_PROP_NAME + "=" + home);
        return cmd;
    }

    private static ProcessBuilder builder(List<String> cmd, MpjHome home) {
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        pb.environment().put("MPJ_HOME", home.toString());
        return pb;
    }
}
