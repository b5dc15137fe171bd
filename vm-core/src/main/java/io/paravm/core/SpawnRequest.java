package io.paravm.core;

import io.paravm.Task;

/**
 * What the spawner sends to start a task.
 *
 * @param task     the function to run
 * @param sendBack whether to send a {@code TaskResult} before the {@code TaskExit}
 */
record SpawnRequest(Task<?> task, boolean sendBack) {
}
