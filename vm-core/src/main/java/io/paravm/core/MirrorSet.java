package io.paravm.core;

import java.util.List;

/**
 * The files a spawner mirrors to its workers, as they were when it last looked. Workers
 * keep one copy per version and copy it into each task's folder.
 *
 * @param version increases whenever a file is added, removed or changed
 * @param files   the files, paths relative to the spawner's working directory
 */
record MirrorSet(int version, List<MirroredFile> files) {

    /**
     * @param path  relative, with {@code /} separators, never leaving its root
     * @param bytes the content
     */
    record MirroredFile(String path, byte[] bytes) {
    }
}
