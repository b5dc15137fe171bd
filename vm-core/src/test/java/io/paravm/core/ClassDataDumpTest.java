package io.paravm.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which class paths the spawner refuses to archive, so that the JDK never ends its JVM over one. */
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
        for (int java : new int[]{17, 25}) {
            assertEquals(Optional.of(classes.toString()), ClassDataDump.unsharableDirectory(path(classes, jar), java));
        }
    }

    @Test
    void onJava17JarsThenAConfigurationDirectoryAreFineButNotOnLaterJavas() throws IOException {
        Path jar = Files.writeString(dir.resolve("lib.jar"), "");
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(conf.resolve("simplelogger.properties"), "");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertEquals(Optional.empty(), ClassDataDump.unsharableDirectory(path(empty, jar, conf), 17));
        assertEquals(Optional.of(conf.toString()), ClassDataDump.unsharableDirectory(path(empty, jar, conf), 25));
        for (int java : new int[]{17, 25}) {
            assertEquals(Optional.empty(), ClassDataDump.unsharableDirectory(path(empty, jar, dir.resolve("missing.jar")),
                    java));
        }
    }
}
