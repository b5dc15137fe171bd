package io.paravm.transport.mpi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The JDK 22+ the ranks of an {@code mpi} job run on, found as {@code scripts/find-jdk22.sh}
 * finds it for the build: the launcher's own Java if it is new enough, else the JDK that
 * {@value #ENV_NAME} names, else the newest under {@value #JVM_DIR}.
 *
 * <pre>{@code
 * Path java = RankJdk.find(Path.of(System.getProperty("java.home"), "bin", "java")).orElseThrow().java();
 * }</pre>
 *
 * @param home    the JDK's home
 * @param feature its feature release
 */
public record RankJdk(Path home, int feature) {

    /** The environment variable naming a JDK 22+ home. */
    public static final String ENV_NAME = "PARAVM_JDK22";
    /** Where Debian's and Adoptium's packages put JDKs. */
    public static final String JVM_DIR = "/usr/lib/jvm";

    private static final Pattern JAVA_VERSION = Pattern.compile("^JAVA_VERSION=\"(\\d+)", Pattern.MULTILINE);

    /** Returns the {@code java} executable. */
    public Path java() {
        return home.resolve("bin").resolve("java");
    }

    /**
     * Finds the JDK for the ranks.
     *
     * @param launcherJava the launcher's {@code java} (a rank uses it if it is 22+)
     * @return the JDK, or empty
     */
    public static Optional<RankJdk> find(Path launcherJava) {
        Path launcherHome = launcherJava.toAbsolutePath().getParent() == null ? null
                : launcherJava.toAbsolutePath().getParent().getParent();
        Optional<RankJdk> own = launcherHome == null ? Optional.empty() : at(launcherHome);
        if (own.isPresent()) return own;
        String named = System.getenv(ENV_NAME);
        if (named != null && !named.isBlank()) return at(Path.of(named));
        try (Stream<Path> homes = Files.list(Path.of(JVM_DIR))) {
            return homes.filter(h -> !Files.isSymbolicLink(h)).map(RankJdk::at).flatMap(Optional::stream)
                    .max(Comparator.comparingInt(RankJdk::feature));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Returns where {@link #find} looked, for a message. */
    public static String searched(Path launcherJava) {
        List<String> where = new ArrayList<>();
        where.add("the launcher's own java (" + launcherJava + ")");
        String named = System.getenv(ENV_NAME);
        where.add(named == null || named.isBlank() ? ENV_NAME + " (unset)" : ENV_NAME + "=" + named);
        if (named == null || named.isBlank()) where.add(JVM_DIR + "/*");
        return String.join(", ", where);
    }

    /** The JDK at {@code home} if it is one of release 22 or later (read from its {@code release} file). */
    static Optional<RankJdk> at(Path home) {
        try {
            Matcher m = JAVA_VERSION.matcher(Files.readString(home.resolve("release")));
            if (!m.find() || !Files.isExecutable(home.resolve("bin").resolve("java"))) return Optional.empty();
            int feature = Integer.parseInt(m.group(1));
            return feature >= Mpi.JAVA_FEATURE_NEEDED ? Optional.of(new RankJdk(home, feature)) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
