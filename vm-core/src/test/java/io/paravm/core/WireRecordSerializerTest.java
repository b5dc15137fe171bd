package io.paravm.core;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import io.paravm.HostAdded;
import io.paravm.HostId;
import io.paravm.HostRemoved;
import io.paravm.Task;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.TaskResult;
import io.paravm.VmException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** vm-core's wire records through the codec: each comes back equal, and bytes of the wrong shape are refused. */
class WireRecordSerializerTest {

    private static final ClassLoader LOADER = WireRecordSerializerTest.class.getClassLoader();
    private final Codec codec = new Codec(LOADER);

    private Object roundTrip(Object value) {
        FrameWriter w = new FrameWriter();
        w.start();
        codec.encode(value, w);
        return codec.decode(w.finish().duplicate().order(ByteOrder.LITTLE_ENDIAN));
    }

    @Test
    void everyCoreRecordComesBackEqualAtItsEdges() {
        List<Object> records = List.of(new TaskId(Integer.MAX_VALUE, -1), TaskId.bad(), new HostId("node-7"),
                new HostId(null), TaskResult.of(List.of(1, 2)), TaskResult.of(null), TaskResult.failed("trace"),
                new HostAdded(new HostId("h"), List.of(0, 1, 2)), new HostRemoved(new HostId("h"), List.of()),
                new Hello("host", -1, Long.MIN_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE, null));
        for (Object r : records) assertEquals(r, roundTrip(r));
        for (TaskExit.Reason reason : TaskExit.Reason.values()) {
            TaskExit exit = new TaskExit(new TaskId(3, 4), reason);
            assertEquals(exit, roundTrip(exit));
        }
    }

    @Test
    void aSpawnRequestsTaskStillRunsAndItsFlagsSurvive() throws Exception {
        int captured = 41;
        SpawnRequest sent = new SpawnRequest((Task<Integer>) vm -> captured + 1, true, "/tmp/start", 7, true);
        SpawnRequest back = (SpawnRequest) roundTrip(sent);
        assertEquals(42, back.task().run(null));
        assertEquals(List.of(true, "/tmp/start", 7, true),
                List.of(back.sendBack(), back.startDir(), back.mirrorVersion(), back.keepFolder()));
    }

    @Test
    void anObjectTheResultHoldsTwiceComesBackAsOneObject() {
        List<Integer> shared = new ArrayList<>(List.of(5));
        TaskResult back = (TaskResult) roundTrip(TaskResult.of(List.of(shared, shared)));
        List<?> value = (List<?>) back.value();
        assertSame(value.get(0), value.get(1));
    }

    /** A TaskExit whose first component is a String on the wire, written as id 103 by a sender's own record. */
    record ForgedExit(String taskId, TaskExit.Reason reason) {
    }

    @Test
    void aRecordWhoseComponentsHaveTheWrongTypesIsRefusedWithAVmException() {
        Kryo forger = Codec.newKryo(LOADER, ClassAllowList.builtIn(), CodecTypeTable.load(LOADER));
        forger.register(ForgedExit.class, new WireRecordSerializer<>(ForgedExit.class), 103);
        Output out = new Output(256);
        forger.writeClassAndObject(out, new ForgedExit("not a TaskId", TaskExit.Reason.FINISHED));
        FrameWriter w = new FrameWriter();
        w.start();
        w.ensure(1 + out.position()).put(Codec.KRYO).put(out.getBuffer(), 0, out.position());
        ByteBuffer frame = w.finish().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        VmException e = assertThrows(VmException.class, () -> codec.decode(frame));
        assertTrue(e.getMessage().contains("Cannot cast java.lang.String to io.paravm.TaskId"), e.getMessage());
    }
}
