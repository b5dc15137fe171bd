package io.paravm.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Optional;

/**
 * Which job this rank belongs to and how many of its ranks run on this host, as the MPI
 * launcher that started the rank tells it in the environment. A polled transport uses it to
 * let ranks of one host wake each other ({@link Doorbell}) instead of polling: every rank of
 * a job finds the same {@code jobKey}, and no two jobs running at once share one.
 *
 * <pre>{@code
 * Optional<LocalRanks> here = LocalRanks.fromLauncher(System.getenv());
 * joined(rank, size, host, userArgs, here);
 * }</pre>
 *
 * @param jobKey a name of the job, the same on every rank of it (a hash: safe in a file name)
 * @param count  how many of the job's ranks run on this host
 */
public record LocalRanks(String jobKey, int count) {

    private static final int MAX_ANCESTORS = 6;

    /**
     * Reads what Open MPI's {@code mpirun} (its job id and the URI of its head node process,
     * unique per run) or MPICH's hydra (the {@code hydra_pmi_proxy} that started this rank, an
     * ancestor process) says about this job.
     *
     * @param env the process's environment
     * @return the job's local ranks, or empty if the rank was not started by either (then
     *         ranks do not wake each other: the transport polls as before)
     */
    public static Optional<LocalRanks> fromLauncher(Map<String, String> env) {
        String ompiJob = env.get("OMPI_MCA_ess_base_jobid");
        String ompiHead = env.get("OMPI_MCA_orte_hnp_uri");
        Optional<Integer> ompiLocal = count(env.get("OMPI_COMM_WORLD_LOCAL_SIZE"));
        if (ompiJob != null && ompiHead != null && ompiLocal.isPresent()) {
            return Optional.of(new LocalRanks(hash("ompi " + ompiJob + " " + ompiHead), ompiLocal.get()));
        }
        Optional<Integer> hydraLocal = count(env.get("MPI_LOCALNRANKS"));
        if (env.get("PMI_RANK") != null && hydraLocal.isPresent()) {
            // Hydra names no job in the environment; its proxy on this host is the parent of every
            // rank it starts (through a wrapper such as timeout, an ancestor).
            Optional<ProcessHandle> p = ProcessHandle.current().parent();
            for (int i = 0; i < MAX_ANCESTORS && p.isPresent(); i++) {
                ProcessHandle proxy = p.get();
                boolean isProxy = proxy.info().command().map(c -> c.endsWith("hydra_pmi_proxy")).orElse(false);
                if (isProxy) {
                    String started = proxy.info().startInstant().map(Object::toString).orElse("");
                    return Optional.of(new LocalRanks(hash("hydra " + proxy.pid() + " " + started), hydraLocal.get()));
                }
                p = proxy.parent();
            }
        }
        return Optional.empty();
    }

    /**
     * The ranks of a job that a transport knows to be all on this host (e.g. threads of one JVM).
     *
     * @param identity a text that names the job, the same on each of its ranks and on no other
     *                 job running at the same time
     * @param count    how many of its ranks run here
     * @return the job's local ranks
     */
    public static LocalRanks ofJob(String identity, int count) {
        return new LocalRanks(hash(identity), count);
    }

    private static Optional<Integer> count(String value) {
        if (value == null) return Optional.empty();
        try {
            int n = Integer.parseInt(value.trim());
            return n > 0 ? Optional.of(n) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String hash(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < 8; i++) s.append(String.format("%02x", d[i]));
            return s.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
