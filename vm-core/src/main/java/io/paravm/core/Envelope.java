package io.paravm.core;

import java.nio.ByteBuffer;

/**
 * The frame header vm-core puts before every payload: kind (1 byte), the sending task's
 * number (4 bytes), the addressed task's number (4 bytes). Little-endian, like the payload.
 */
final class Envelope {
    /** Where the sending task's number starts, from the frame's start. */
    private static final int SOURCE_TASK_OFFSET = 1;
    /** Where the addressed task's number starts, from the frame's start. */
    private static final int DESTINATION_TASK_OFFSET = 5;
    static final int HEADER_BYTES = 9;

    private Envelope() {
    }

    static void writeHeader(ByteBuffer out, FrameKind kind, int sourceTask, int destinationTask) {
        out.put(kind.code()).putInt(sourceTask).putInt(destinationTask);
    }

    /** Returns the kind, or {@code null} for a frame too short or of an unknown kind. */
    static FrameKind kind(ByteBuffer frame) {
        if (frame.remaining() < HEADER_BYTES) return null;
        return FrameKind.of(frame.get(frame.position()));
    }

    static int sourceTask(ByteBuffer frame) {
        return frame.getInt(frame.position() + SOURCE_TASK_OFFSET);
    }

    /**
     * The {@link SenderQueues} key of the task that sent {@code frame} from rank {@code source}:
     * its rank and task number (a frame too short for a header counts as no task's).
     */
    static long senderKey(int source, ByteBuffer frame) {
        return SenderQueues.key(source, frame.remaining() >= HEADER_BYTES ? sourceTask(frame) : -1);
    }

    static int destinationTask(ByteBuffer frame) {
        return frame.getInt(frame.position() + DESTINATION_TASK_OFFSET);
    }

    /** Readdresses a written frame (one spawn frame goes to every new task) without moving its position. */
    static void setDestinationTask(ByteBuffer frame, int destinationTask) {
        frame.putInt(frame.position() + DESTINATION_TASK_OFFSET, destinationTask);
    }

    /** The payload after the header, as a view sharing the frame's bytes. */
    static ByteBuffer payload(ByteBuffer frame) {
        return frame.duplicate().position(frame.position() + HEADER_BYTES).slice().order(frame.order());
    }
}
