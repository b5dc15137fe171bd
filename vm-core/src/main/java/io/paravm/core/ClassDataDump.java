package io.paravm.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.JMException;
import javax.management.ObjectName;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Writes the classes this spawner has loaded to a class data sharing (CDS) archive, when the
 * {@code paravm} launcher asked for one: the launcher starts a job's JVMs with
 * {@code -XX:+RecordDynamicDumpInfo} and {@value #DUMP_PROP_NAME} naming a file, and the next
 * job with the same class path maps that file instead of reading, verifying and linking
 * thousands of classes from jars (about 2.5 s less for {@code ./paravm demo mandelbrot} on two
 * cores, docs/waiting.md). Only the spawner writes it, so ranks never race for one file; the
 * workers load the same transport and farm classes and use it too.
 *
 * <pre>{@code
 * java -XX:+RecordDynamicDumpInfo -Dparavm.cds.dump=/tmp/job.jsa.tmp -cp ... Main   # the spawner writes it on close()
 * }</pre>
 */
final class ClassDataDump {

    /** The file the spawner writes its archive to when its VM closes; set by the launcher, not by users. */
    static final String DUMP_PROP_NAME = "paravm.cds.dump";

    private static final Logger LOG = LoggerFactory.getLogger(ClassDataDump.class);

    private ClassDataDump() {
    }

    /**
     * Writes the archive if {@value #DUMP_PROP_NAME} names a file; a failure is logged and
     * costs only the next job's head start.
     */
    static void writeIfRequested() {
        String file = System.getProperty(DUMP_PROP_NAME);
        if (file == null || file.isBlank()) return;
        int java = Runtime.version().feature();
        if (java != 17) {
            // Java 25 announces a jcmd dump on the program's stdout as the JVM ends, and offers
            // its own AOT cache (docs/waiting.md); later Javas are left to that.
            LOG.info("ParaVM saves class data archives on Java 17 only; this spawner runs Java {}, so jobs of this "
                    + "class path start without one (Java 25: -J-XX:AOTCacheOutput, docs/waiting.md)", java);
            return;
        }
        Optional<String> directory = unsharableDirectory(System.getProperty("java.class.path", ""), java);
        if (directory.isPresent()) {
            LOG.info("ParaVM saves no class data archive for this job's class path: it has the directory {}, which "
                    + "holds files, before jars, and Java 17 would end the JVM for it; jobs of this class path start "
                    + "without one (put your classes in a jar to have one)", directory.get());
            return;
        }
        long start = System.nanoTime();
        // The JDK announces the dump with System.out.println, and the spawner's stdout is the
        // program's (a user may be piping it into a file): hold stdout meanwhile, then pass on
        // everything else printed.
        PrintStream stdout = System.out;
        ByteArrayOutputStream held = new ByteArrayOutputStream();
        System.setOut(new PrintStream(held, true, StandardCharsets.UTF_8));
        try {
            // jcmd's VM.cds, from inside: the JVM pauses at a safepoint while it writes.
            ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmCds",
                    new Object[]{new String[]{"dynamic_dump", file}}, new String[]{String[].class.getName()});
            LOG.debug("wrote the class data archive {} in {} ms", file, (System.nanoTime() - start) / 1_000_000);
        } catch (JMException | RuntimeException e) {
            LOG.warn("could not write the class data archive {} ({}); the next job starts without it", file, e.toString());
        } finally {
            System.setOut(stdout);
            held.toString(StandardCharsets.UTF_8).lines().filter(line -> !line.contains(" dump to file " + file))
                    .forEach(stdout::println);
        }
    }

    /**
     * Returns a directory on {@code classPath} that holds files and rules an archive out. The
     * JDK archives classes from jars only. Java 17 ends a JVM whose dump has such a directory
     * before a jar it took classes from ("Cannot have non-empty directory in paths"), which
     * would fail the job, and takes one after the last jar (the installation's {@code conf/}).
     * Java 25 writes the archive but then refuses to map it, and with it the JDK's own, so a
     * later Java gets none whenever such a directory is anywhere on the path.
     *
     * @param classPath the JVM's class path
     * @param java      the JVM's feature version
     */
    static Optional<String> unsharableDirectory(String classPath, int java) {
        String[] entries = classPath.split(File.pathSeparator);
        boolean jarAfter = java != 17;
        String found = null;
        for (int i = entries.length - 1; i >= 0; i--) {
            Path p = Path.of(entries[i].isEmpty() ? "." : entries[i]);
            if (Files.isDirectory(p)) {
                if (jarAfter && !isEmpty(p)) found = entries[i];
            } else if (Files.isRegularFile(p)) {
                jarAfter = true;
            }
        }
        return Optional.ofNullable(found);
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }
}
