package io.paravm.core;

import io.paravm.VmConfig;
import io.paravm.VmException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The spawner's side of file mirroring: the globs from {@code paravm.mirror}, resolved in
 * the spawner's working directory when a task is spawned, so files written after the VM
 * opened are mirrored too. A new {@link MirrorSet} version is made only when a file was
 * added, removed or changed (size or time); otherwise workers keep what they have.
 */
final class MirrorSource {

    private static final Logger LOG = LoggerFactory.getLogger(MirrorSource.class);

    private record Stamp(long size, long modified) {
    }

    private final Path base;
    private final List<String> globs;
    private final List<PathMatcher> matchers = new ArrayList<>();
    private Map<String, Stamp> lastStamps = Map.of();
    private MirrorSet last;
    private boolean warnedEmpty;

    /**
     * @param base  the directory globs are relative to (the spawner's working directory)
     * @param globs files or globs; checked here, so a bad one fails when the VM opens
     */
    MirrorSource(Path base, List<String> globs) {
        this.base = base.toAbsolutePath().normalize();
        this.globs = List.copyOf(globs);
        for (String g : globs) {
            String norm = g.replace('\\', '/');
            if (norm.startsWith("/") || norm.matches("^[A-Za-z]:.*") || List.of(norm.split("/")).contains("..")) {
                throw new VmException("mirror: '" + g + "' leaves the spawner's working directory " + this.base
                        + "; name files inside it, e.g. 'inputs/*.cir' (" + VmConfig.MIRROR_PROP_NAME + ")");
            }
            matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + norm));
        }
    }

    /** Parses {@code paravm.mirror}; null when nothing is mirrored. */
    static MirrorSource fromConfig(VmConfig config) {
        return config.property(VmConfig.MIRROR_PROP_NAME)
                .map(v -> List.of(v.split(",")).stream().map(String::trim).filter(s -> !s.isEmpty()).toList())
                .filter(l -> !l.isEmpty())
                .map(l -> new MirrorSource(Path.of(""), l))
                .orElse(null);
    }

    /** The files as they are now; the same instance as last time if nothing changed. */
    synchronized MirrorSet current() {
        Map<String, Path> files = scan();
        Map<String, Stamp> stamps = new TreeMap<>();
        try {
            for (var e : files.entrySet()) {
                BasicFileAttributes a = Files.readAttributes(e.getValue(), BasicFileAttributes.class);
                stamps.put(e.getKey(), new Stamp(a.size(), a.lastModifiedTime().toMillis()));
            }
            if (last != null && stamps.equals(lastStamps)) return last;
            List<MirrorSet.MirroredFile> contents = new ArrayList<>();
            for (var e : files.entrySet()) contents.add(new MirrorSet.MirroredFile(e.getKey(), Files.readAllBytes(e.getValue())));
            last = new MirrorSet(last == null ? 1 : last.version() + 1, List.copyOf(contents));
            lastStamps = stamps;
            return last;
        } catch (IOException e) {
            throw new VmException("mirror: could not read the files to mirror (" + globs + " in " + base + "): " + e
                    + "; nothing was spawned", e);
        }
    }

    /** Regular files under base matching any glob, by relative path with '/' separators. */
    private Map<String, Path> scan() {
        Map<String, Path> found = new TreeMap<>();
        for (int i = 0; i < globs.size(); i++) {
            PathMatcher m = matchers.get(i);
            // Walk only below the glob's literal prefix, and no deeper than it can match.
            String[] parts = globs.get(i).replace('\\', '/').split("/");
            int literal = 0;
            while (literal < parts.length - 1 && !parts[literal].matches(".*[*?\\[{].*")) literal++;
            Path start = base.resolve(String.join("/", List.of(parts).subList(0, literal)));
            int depth = globs.get(i).contains("**") ? Integer.MAX_VALUE : parts.length - literal;
            if (!Files.isDirectory(start)) continue;
            try (Stream<Path> walk = Files.walk(start, depth)) {
                walk.forEach(p -> {
                    Path rel = base.relativize(p);
                    if (m.matches(rel) && Files.isRegularFile(p)) found.put(rel.toString().replace('\\', '/'), p);
                });
            } catch (IOException | java.io.UncheckedIOException e) {
                throw new VmException("mirror: could not list " + start + " for " + globs.get(i) + ": " + e, e);
            }
        }
        if (found.isEmpty() && !warnedEmpty) {
            LOG.warn("mirror: no file in {} matches {}; tasks start in empty folders. Check the globs ({}) or the "
                    + "spawner's working directory", base, globs, VmConfig.MIRROR_PROP_NAME);
        }
        warnedEmpty = found.isEmpty();
        return found;
    }
}
