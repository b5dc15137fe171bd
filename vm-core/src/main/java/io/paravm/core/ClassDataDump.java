package io.paravm.core;

import io.paravm.spi.launch.ClassPaths;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.JMException;
import javax.management.ObjectName;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * Writes the classes this spawner has loaded to a class data sharing (CDS) archive, when the
 * {@code paravm} launcher asked for one: the launcher starts a job's JVMs with
 * {@code -XX:+RecordDynamicDumpInfo} and {@value #DUMP_PROP_NAME} naming a file, and the next
 * job with the same class path maps that file instead of reading, verifying and linking
 * thousands of classes from jars (about 2 s less for {@code ./paravm demo mandelbrot} on
 * Hazelcast on two cores, docs/waiting.md). Only the spawner writes it, so ranks never race for
 * one file; the workers load the same transport and farm classes and use it too.
 *
 * <p>It runs once the spawner's transport is closed, so no worker waits on it. Beside the file
 * it leaves {@code FILE.started} (a JVM that ends inside the dump, as Java 17 does on a full
 * disk, leaves it behind) or {@code FILE.none} with the reason when the class path or the Java
 * cannot have an archive; the launcher reads both (paravm-launcher's {@code ClassDataCache}).
 * While the JDK writes, {@code System.out} is held: the JDK announces the dump there, and the
 * spawner's stdout is the program's.
 *
 * <pre>{@code
 * java -XX:+RecordDynamicDumpInfo -Dparavm.cds.dump=/tmp/job.jsa.tmp -cp ... Main   # the spawner writes it on close()
 * }</pre>
 */
final class ClassDataDump {

    /** The file the spawner writes its archive to when its VM closes; set by the launcher, not by users. */
    static final String DUMP_PROP_NAME = "paravm.cds.dump";
    /** The free space the dump needs at least: Java 17 ends the JVM when a write fails. */
    static final long FREE_BYTES_NEEDED = 256L << 20;

    private static final Logger LOG = LoggerFactory.getLogger(ClassDataDump.class);
    /** The JDK's announcement of a dump (17.0.15: " Dynamic dump to file F"; earlier 17s print the path in full). */
    private static final Pattern ANNOUNCEMENT = Pattern.compile("^\\s*(Static|Dynamic) dump to file .*");
    /** One archive per JVM: a program that opens and closes a second VM writes none. */
    private static final AtomicBoolean DONE = new AtomicBoolean();

    private ClassDataDump() {
    }

    /**
     * Writes the archive if {@value #DUMP_PROP_NAME} names a file; a failure is logged and
     * costs only the next job's head start.
     */
    static void writeIfRequested() {
        String file = System.getProperty(DUMP_PROP_NAME);
        if (file == null || file.isBlank() || !DONE.compareAndSet(false, true)) return;
        Path archive = Path.of(file);
        Optional<String> refusal = refusal(System.getProperty("java.class.path", ""), archive);
        if (refusal.isPresent()) {
            LOG.info("ParaVM saves no class data archive for this job: {}; jobs of this class path start without one",
                    refusal.get());
            mark(archive, ".none", refusal.get());
            return;
        }
        mark(archive, ".started", "a dump was started; if the job did not end well, it may have ended the JVM");
        long start = System.nanoTime();
        PrintStream stdout = System.out;
        ByteArrayOutputStream held = new ByteArrayOutputStream();
        PrintStream holder = new PrintStream(held, true, StandardCharsets.UTF_8);
        System.setOut(holder);
        try {
            // jcmd's VM.cds, from inside: the JVM pauses at a safepoint while it writes.
            Object said = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmCds",
                    new Object[]{new String[]{"dynamic_dump", file}}, new String[]{String[].class.getName()});
            if (Files.isRegularFile(archive)) {
                LOG.debug("wrote the class data archive {} in {} ms", file, (System.nanoTime() - start) / 1_000_000);
            } else {
                LOG.warn("the JVM wrote no class data archive ({}); the next job of this class path starts without one",
                        String.valueOf(said).strip());
            }
        } catch (JMException | RuntimeException | LinkageError e) {
            LOG.warn("could not write the class data archive {} ({}); the next job starts without one", file, e.toString());
        } finally {
            if (System.out == holder) System.setOut(stdout); // unless the program has set its own meanwhile
            held.toString(StandardCharsets.UTF_8).lines().filter(line -> !ANNOUNCEMENT.matcher(line).matches())
                    .forEach(stdout::println);
        }
    }

    /** Why this JVM must not dump, if it must not. */
    private static Optional<String> refusal(String classPath, Path archive) {
        int java = Runtime.version().feature();
        if (java != 17) {
            // Java 25 announces a jcmd dump on the program's stdout as the JVM ends, and offers
            // its own AOT cache (docs/waiting.md); later Javas are left to that.
            return Optional.of("ParaVM saves class data archives on Java 17 only, and this spawner runs Java " + java
                    + " (Java 25: -J-XX:AOTCacheOutput, docs/waiting.md)");
        }
        Optional<String> directory = ClassPaths.directoryBeforeJars(classPath);
        if (directory.isPresent()) {
            return Optional.of("the class path has the directory " + directory.get() + ", which holds files, before "
                    + "jars, and Java 17 would end the JVM for it (put your classes in a jar to have one)");
        }
        try {
            long free = Files.getFileStore(archive.toAbsolutePath().getParent()).getUsableSpace();
            if (free < FREE_BYTES_NEEDED) {
                return Optional.of("only " + (free >> 20) + " MiB are free where it would go (" + archive.getParent()
                        + "), and Java 17 ends a JVM whose dump runs out of space");
            }
        } catch (IOException e) {
            return Optional.of("cannot see the free space where it would go (" + e + ")");
        }
        return Optional.empty();
    }

    private static void mark(Path archive, String suffix, String text) {
        try {
            Files.writeString(archive.resolveSibling(archive.getFileName() + suffix), text + "\n");
        } catch (IOException e) {
            LOG.debug("could not write {}{}: {}", archive, suffix, e.toString());
        }
    }
}
