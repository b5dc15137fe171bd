package io.paravm.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.JMException;
import javax.management.ObjectName;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

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
}
