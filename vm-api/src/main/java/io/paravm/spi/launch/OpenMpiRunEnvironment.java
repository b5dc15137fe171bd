package io.paravm.spi.launch;

import java.util.List;
import java.util.Map;

/**
 * What Open MPI's {@code mpirun} needs in its environment to start a job here, for every recipe
 * that runs one (the {@code openmpi} transport's, and the {@code mpi} transport's on Open MPI):
 * permission to run as root, no ssh for a job on this machine when there is no ssh, and no
 * cross-memory attach. A value the user has set already is kept.
 *
 * <pre>{@code
 * ProcessBuilder pb = new ProcessBuilder(cmd);
 * OpenMpiRunEnvironment.prepare(pb.environment(), hosts.isEmpty());
 * }</pre>
 */
public final class OpenMpiRunEnvironment {

    private OpenMpiRunEnvironment() {
    }

    /**
     * Returns the options that give a rank under Open MPI's {@code mpirun} exactly
     * {@code classPath}. For a {@code java} command, {@code mpirun} rewrites the argument after
     * the first one that contains "cp": its working directory goes in front, and its own
     * {@code mpi.jar}, where it has one, at the end. It is kept busy with a {@code -cp} the JVM
     * then overrides, since the last class path option wins. Without that, every rank would look for classes in the
     * directory the job was started from first, and Java's class data sharing refuses a class
     * path with a directory of files before its jars.
     *
     * <pre>{@code
     * cmd.addAll(OpenMpiRunEnvironment.classPathOptions(request.rankClassPath()));  // -cp . --class-path CP
     * }</pre>
     *
     * @param classPath the rank's class path
     * @return the options, to come before any other JVM option
     */
    public static List<String> classPathOptions(String classPath) {
        return List.of("-cp", ".", "--class-path", classPath);
    }

    /**
     * @param env             the job's environment, changed in place
     * @param thisMachineOnly whether every rank runs on this machine (no {@code --host})
     */
    public static void prepare(Map<String, String> env, boolean thisMachineOnly) {
        if ("root".equals(System.getProperty("user.name"))) {
            env.putIfAbsent("OMPI_ALLOW_RUN_AS_ROOT", "1");
            env.putIfAbsent("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
        }
        // Without ssh, mpirun's default launcher fails even for local ranks.
        if (thisMachineOnly && Executables.onPath("ssh").isEmpty()) env.putIfAbsent("OMPI_MCA_plm", "isolated");
        // Containers usually forbid the cross-memory attach the shared-memory transport tries first.
        env.putIfAbsent("OMPI_MCA_btl_vader_single_copy_mechanism", "none");
    }
}
