package io.paravm.core;

import io.paravm.Task;

/**
 * What the spawner sends to start a task.
 *
 * @param task          the function to run
 * @param sendBack      whether to send a {@code TaskResult} before the {@code TaskExit}
 * @param startDir      the directory the task starts in, or null for the worker's own
 * @param mirrorVersion the {@link MirrorSet} to copy into a fresh task folder, 0 for none
 * @param keepFolder    whether that folder outlives the task
 */
record SpawnRequest(Task<?> task, boolean sendBack, String startDir, int mirrorVersion, boolean keepFolder) {
}
