package io.paravm.core;

/**
 * What a frame carries; the first byte of every frame. The rest of the header is the
 * sender's and the addressee's task numbers (see {@link Envelope}).
 */
enum FrameKind {
    /** Worker to spawner at start and on join: host name, processor count, pid. */
    HELLO,
    /** Spawner to worker: run a task; the addressee number is the new task's number. */
    SPAWN,
    /** Worker to spawner: a task's {@code TaskResult}. */
    TASK_RESULT,
    /** Worker to spawner: a task ended; the payload's first byte is the exit reason. */
    TASK_EXIT,
    /** Spawner to worker: leave the spawn loop. */
    EXIT,
    /** Worker to spawner: a line for the spawner's log. */
    LOG,
    /** A user message from {@code sendMessage}. */
    MESSAGE,
    /** Spawner to worker: the files to mirror into task folders, a {@code MirrorSet}; sent before the spawns that need it. */
    MIRROR,
    /** Spawner to worker: clear the local storage ({@code clearLocalStorage()}). */
    CLEAR_STORAGE,
    /**
     * Any rank to a rank that sent its task messages: credit for what the task read (see
     * {@link FlowControl}). The sender's task number is the reading task; the payload, a long,
     * is the bytes read, or {@link FlowControl#FORGET} once the task has ended.
     */
    CREDIT,
    /** Any rank to a task's rank: a sender waits for credit; the addressee number is the task. No payload. */
    CREDIT_WANTED,
    /** Spawner to worker: send load samples ({@link HostSampler}); the addressee number is the period in ms. */
    SAMPLES_WANTED,
    /** Worker to spawner: a load sample, six numbers (see {@link HostSampler}). */
    SAMPLE,
    /**
     * Worker to spawner: a task's {@code TaskResult} and its exit in one frame, as
     * {@link #TASK_RESULT} then {@link #TASK_EXIT} would say: the payload's first byte is the exit
     * reason, the rest the result. One frame where there were two: a task of a spawn loop costs
     * the engine one message less each way it matters (the worker's send, the spawner's receive).
     */
    TASK_END;

    private static final FrameKind[] VALUES = values();

    static FrameKind of(byte code) {
        int i = code & 0xff;
        return i < VALUES.length ? VALUES[i] : null;
    }

    byte code() {
        return (byte) ordinal();
    }
}
