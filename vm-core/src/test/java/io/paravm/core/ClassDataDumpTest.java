package io.paravm.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Which class paths the spawner refuses to archive, and that writing leaves the program's stdout as it was. */
class ClassDataDumpTest {

    @TempDir
    Path dir;

    private String path(Path... entries) {
        StringBuilder b = new StringBuilder();
        for (Path p : entries) b.append(b.length() == 0 ? "" : File.pathSeparator).append(p);
        return b.toString();
    }

    @Test
    void aDirectoryOfClassesBeforeAJarIsNamed() throws IOException {
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Files.writeString(classes.resolve("Main.class"), "");
        Path jar = Files.writeString(dir.resolve("lib.jar"), "");
        assertEquals(Optional.of(classes.toString()), ClassDataDump.directoryBeforeJars(path(classes, jar)));
    }

    @Test
    void jarsThenAConfigurationDirectoryOrAnEmptyDirectoryAnywhereAreFine() throws IOException {
        Path jar = Files.writeString(dir.resolve("lib.jar"), "");
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(conf.resolve("simplelogger.properties"), "");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertEquals(Optional.empty(), ClassDataDump.directoryBeforeJars(path(empty, jar, conf)));
        assertEquals(Optional.empty(), ClassDataDump.directoryBeforeJars(path(jar, dir.resolve("missing.jar"))));
    }

    /**
     * This test JVM runs without -XX:+RecordDynamicDumpInfo, so the JDK writes nothing and says
     * so (before it looks at the class path, which here has surefire's directories first and is
     * therefore shown to the check as one jar): what is left is the marker, and the program's
     * stdout back in place with its lines.
     */
    @Test
    void theProgramsStdoutIsItsOwnAgainAfterwardsAndTheMarkersSayWhatHappened() throws IOException {
        Path archive = dir.resolve("job.jsa.tmp");
        Path jar = Files.writeString(dir.resolve("app.jar"), "");
        PrintStream before = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream programs = new PrintStream(printed, true, StandardCharsets.UTF_8);
        String oldDump = System.setProperty(ClassDataDump.DUMP_PROP_NAME, archive.toString());
        String oldPath = System.setProperty("java.class.path", jar.toString());
        System.setOut(programs);
        try {
            System.out.println("the program's line");
            ClassDataDump.writeIfRequested();
            assertSame(programs, System.out);
        } finally {
            System.setOut(before);
            System.setProperty("java.class.path", oldPath);
            if (oldDump == null) System.clearProperty(ClassDataDump.DUMP_PROP_NAME);
            else System.setProperty(ClassDataDump.DUMP_PROP_NAME, oldDump);
        }
        assertEquals("the program's line", printed.toString(StandardCharsets.UTF_8).strip());
        boolean java17 = Runtime.version().feature() == 17;
        assertEquals(java17, Files.exists(dir.resolve("job.jsa.tmp.started")), "a dump was tried on Java 17 only");
        assertEquals(!java17, Files.exists(dir.resolve("job.jsa.tmp.none")), "elsewhere, the reason it was not");
        assertEquals(false, Files.exists(archive));
    }
}
