package io.paravm.transport.mpj;

import io.paravm.spi.launch.ClassPaths;
import io.paravm.spi.launch.LaunchException;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One job for {@link MpjLauncher}: N ranks on one MPJ device, every rank running
 * {@code mainClass}; rank 0 is the spawner.
 *
 * <pre>{@code
 * int status = MpjLauncher.run(new MpjJob(4, MpjDevice.NIODEV, "app.jar:lib/*", "com.example.Main",
 *         List.of("arg1"), List.of("-Xmx1g")));
 * }</pre>
 *
 * @param ranks      the number of ranks, at least 1 (rank 0 is the spawner)
 * @param device     where the ranks run
 * @param classPath  the program's class path (with transport-mpj and its dependencies)
 * @param mainClass  the class whose {@code main} every rank runs
 * @param args       the program's arguments
 * @param jvmOptions options for the rank JVMs (multicore: the one JVM), e.g. {@code -Xss8m}
 */
public record MpjJob(int ranks, MpjDevice device, String classPath, String mainClass, List<String> args,
                     List<String> jvmOptions) {

    /** Validates and copies, naming what is wrong. */
    public MpjJob {
        if (ranks < 1) throw new LaunchException("-np " + ranks + " must be at least 1 (the spawner)");
        if (device == null) throw new LaunchException("no -dev given; use multicore or niodev");
        if (classPath == null || classPath.isBlank()) throw new LaunchException("empty -cp; give the program's class path");
        if (mainClass == null || mainClass.isBlank()) throw new LaunchException("no main class given");
        args = List.copyOf(args);
        jvmOptions = List.copyOf(jvmOptions);
    }

    /**
     * Returns this job with every class path entry made absolute and {@code dir/*} expanded
     * to the jars in {@code dir}, as {@code java -cp} would: MPJ's multicore class loaders
     * do neither.
     */
    MpjJob withAbsoluteClassPath() {
        return new MpjJob(ranks, device, absoluteClassPath(classPath), mainClass, args, jvmOptions);
    }

    static String absoluteClassPath(String classPath) {
        List<String> out = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.isEmpty()) continue;
            Optional<Path> wildcard = ClassPaths.wildcardDirectory(entry);
            if (wildcard.isPresent()) {
                Path dir = wildcard.get().toAbsolutePath().normalize();
                if (!Files.isDirectory(dir)) continue;
                try (Stream<Path> jars = Files.list(dir)) {
                    jars.map(Path::toString).filter(n -> n.endsWith(".jar") || n.endsWith(".JAR")).sorted().forEach(out::add);
                } catch (IOException e) {
                    throw new LaunchException("cannot list the jars of class path entry " + entry + " (" + e
                            + "); check that " + dir + " is readable", e);
                }
            } else {
                out.add(Path.of(entry).toAbsolutePath().normalize().toString());
            }
        }
        return String.join(File.pathSeparator, out);
    }
}
