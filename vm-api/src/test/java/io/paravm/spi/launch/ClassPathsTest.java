package io.paravm.spi.launch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The one rule the launcher and the spawner share: which class paths cannot be archived. */
class ClassPathsTest {

    @TempDir
    Path dir;

    private static String path(Object... entries) {
        StringBuilder b = new StringBuilder();
        for (Object p : entries) b.append(b.length() == 0 ? "" : File.pathSeparator).append(p);
        return b.toString();
    }

    private Path classes() throws IOException {
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Files.writeString(classes.resolve("Main.class"), "");
        return classes;
    }

    @Test
    void aDirectoryOfClassesBeforeAJarIsNamed() throws IOException {
        Path classes = classes();
        Path jar = Files.writeString(dir.resolve("lib.jar"), "");
        assertEquals(Optional.of(classes.toString()), ClassPaths.directoryBeforeJars(path(classes, jar)));
    }

    @Test
    void aDirectoryBeforeAWildcardCountsOnlyWhenTheWildcardFindsAJar() throws IOException {
        Path classes = classes();
        Path lib = Files.createDirectories(dir.resolve("lib"));
        String wildcard = lib + File.separator + "*";
        assertEquals(Optional.empty(), ClassPaths.directoryBeforeJars(path(classes, wildcard)));
        Files.writeString(lib.resolve("app.JAR"), "");
        assertEquals(Optional.of(classes.toString()), ClassPaths.directoryBeforeJars(path(classes, wildcard)));
    }

    @Test
    void jarsThenAConfigurationDirectoryOrAnEmptyDirectoryAnywhereAreFine() throws IOException {
        Path jar = Files.writeString(dir.resolve("lib.jar"), "");
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(conf.resolve("simplelogger.properties"), "");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertEquals(Optional.empty(), ClassPaths.directoryBeforeJars(path(empty, jar, conf)));
        assertEquals(Optional.empty(), ClassPaths.directoryBeforeJars(path(jar, dir.resolve("missing.jar"))));
        assertEquals(Optional.empty(), ClassPaths.directoryBeforeJars(path(dir.resolve("missing"), jar)));
    }

    @Test
    void aWildcardStandsForTheSortedJarsOfItsDirectory() throws IOException {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Files.writeString(lib.resolve("b.JAR"), "");
        Files.writeString(lib.resolve("a.jar"), "");
        Files.writeString(lib.resolve("notes.txt"), "");
        assertEquals(Optional.of(lib), ClassPaths.wildcardDirectory(lib + File.separator + "*"));
        assertEquals(Optional.of(Path.of(".")), ClassPaths.wildcardDirectory("*"));
        assertEquals(Optional.of(Path.of(File.separator)), ClassPaths.wildcardDirectory(File.separator + "*"));
        assertEquals(Optional.empty(), ClassPaths.wildcardDirectory(lib.resolve("a.jar").toString()));
        assertEquals(List.of(lib.resolve("a.jar"), lib.resolve("b.JAR")), ClassPaths.jarsIn(lib));
        assertEquals(List.of(), ClassPaths.jarsIn(dir.resolve("missing")));
    }
}
