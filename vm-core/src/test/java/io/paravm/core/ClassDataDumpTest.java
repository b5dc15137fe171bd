package io.paravm.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** That writing an archive leaves the program's stdout as it was. (Which class paths it refuses: ClassPathsTest in vm-api.) */
class ClassDataDumpTest {

    @TempDir
    Path dir;

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
