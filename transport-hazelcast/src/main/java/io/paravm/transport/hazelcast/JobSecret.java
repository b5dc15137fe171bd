package io.paravm.transport.hazelcast;

import io.paravm.VmConfig;
import io.paravm.VmException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * Chooses the secret of a job the launcher starts.
 *
 * <p>It is the one given; else the secret file's (a new job writes a new secret there if the
 * file does not exist, readable only by you); else the one this JVM inherited
 * ({@code PARAVM_HAZELCAST_SECRET}, or the secret-file setting); else, for a new job, a new
 * random one. Workers joining a spawner elsewhere must have one.
 *
 * <pre>{@code
 * String secret = JobSecret.resolve(null, Path.of("/home/me/.paravm-secret"), null); // read or written
 * }</pre>
 */
final class JobSecret {

    private static final Logger LOG = LoggerFactory.getLogger(JobSecret.class);

    private JobSecret() {
    }

    /**
     * @param given the secret set on the launcher, or {@code null}
     * @param file  the secret file, or {@code null}
     * @param join  the spawner's address when the job only starts workers, or {@code null}
     * @return the job's secret; never logged, never put on a command line
     * @throws VmException naming the file, or what a joining worker lacks
     */
    static String resolve(String given, Path file, String join) {
        if (given != null) return given;
        if (file != null) return join != null || Files.exists(file) ? HazelcastSecret.read(file) : readOrWriteNew(file);
        Optional<String> inherited = HazelcastProperties.get(VmConfig.defaults(), HazelcastProperties.SECRET_PROP_NAME)
                .or(() -> HazelcastProperties.get(VmConfig.defaults(), HazelcastProperties.SECRET_FILE_PROP_NAME)
                        .map(f -> HazelcastSecret.read(Path.of(f))));
        if (inherited.isPresent()) return inherited.get();
        if (join != null) {
            throw new VmException("joining the spawner at " + join + " needs its secret: pass --secret-file FILE (a "
                    + "copy of the spawner's) or set the environment variable "
                    + HazelcastProperties.envName(HazelcastProperties.SECRET_PROP_NAME));
        }
        return HazelcastSecret.newSecret();
    }

    /** Writes a new secret to {@code file}, readable only by you; reads it if someone else just did. */
    private static String readOrWriteNew(Path file) {
        String fresh = HazelcastSecret.newSecret();
        try {
            Files.writeString(Files.createFile(file, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------"))), fresh + System.lineSeparator());
        } catch (FileAlreadyExistsException e) {
            return HazelcastSecret.read(file);
        } catch (IOException | UnsupportedOperationException e) {
            throw new VmException("cannot write a new secret to " + file + ": " + e
                    + "; name a file in a directory you can write", e);
        }
        LOG.info("wrote a new secret for this job to {} (readable only by you); workers on other machines join "
                + "with a copy of it: --secret-file FILE", file);
        return fresh;
    }
}
