package io.paravm.spi.launch;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Rules about a class path that both the launcher (which writes it, {@code lib/*} and all) and
 * a running rank (which sees it as its JVM expanded it) must agree on.
 *
 * <pre>{@code
 * Optional<String> dir = ClassPaths.directoryBeforeJars(System.getProperty("java.class.path"));
 * }</pre>
 */
public final class ClassPaths {

    private ClassPaths() {
    }

    /**
     * Returns a directory that holds files and comes before a jar on {@code classPath}. The JDK
     * archives classes from jars only, and Java 17 ends a JVM whose dump has such a directory
     * before a jar it took classes from ("Cannot have non-empty directory in paths"), which would
     * fail the job; one after the last jar is harmless. (Java 25 also refuses to map an archive
     * with such a directory anywhere on the path.) An empty entry is the working directory, as
     * for the JVM; {@code dir/*} counts as a jar when {@code dir} holds one.
     *
     * @param classPath entries separated by {@link File#pathSeparator}
     * @return the last such directory, as written on the path
     */
    public static Optional<String> directoryBeforeJars(String classPath) {
        String[] entries = classPath.split(File.pathSeparator);
        boolean jarAfter = false;
        String found = null;
        for (int i = entries.length - 1; i >= 0; i--) {
            String entry = entries[i];
            Optional<Path> wildcard = wildcardDirectory(entry);
            if (wildcard.isPresent()) {
                if (!jarsIn(wildcard.get()).isEmpty()) jarAfter = true;
                continue;
            }
            Path p = Path.of(entry.isEmpty() ? "." : entry);
            if (Files.isDirectory(p)) {
                if (jarAfter && !isEmpty(p)) found = entry;
            } else if (Files.isRegularFile(p)) {
                jarAfter = true;
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * Returns the directory a wildcard entry stands for the jars of: {@code dir} for
     * {@code dir/*}, the working directory for {@code *}; empty for any other entry.
     *
     * @param entry one class path entry
     */
    public static Optional<Path> wildcardDirectory(String entry) {
        if (entry.equals("*")) return Optional.of(Path.of("."));
        // dir/ is dir, and /* the root's jars
        if (entry.endsWith(File.separator + "*")) return Optional.of(Path.of(entry.substring(0, entry.length() - 1)));
        return Optional.empty();
    }

    /**
     * Returns the jars a wildcard entry for {@code dir} stands for, sorted (the JVM takes
     * {@code .jar} and {@code .JAR}); none for a directory that is missing or cannot be read.
     *
     * @param dir a directory
     */
    public static List<Path> jarsIn(Path dir) {
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.{jar,JAR}")) {
            files.forEach(jars::add);
        } catch (IOException e) {
            return List.of(); // a missing directory: the job itself will say so
        }
        jars.sort(Comparator.naturalOrder());
        return jars;
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }
}
