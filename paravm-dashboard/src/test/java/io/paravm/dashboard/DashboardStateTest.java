package io.paravm.dashboard;

import io.paravm.HostId;
import io.paravm.SlotId;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.VmStatus;
import io.paravm.dashboard.DashboardState.Count;
import io.paravm.dashboard.DashboardState.Timed;
import io.paravm.spi.FarmTaskEvent;
import io.paravm.spi.FarmTaskEvent.Kind;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * What the page and the meters read from the events, without a VM: the counts and timings,
 * the per-second series (kept in a ring of buckets that are reused), and what a farm worker's
 * slot says it works on.
 */
class DashboardStateTest {

    private static final TaskId WORKER = new TaskId(1, 1);
    private static final HostId HOST = new HostId("node1");

    private static FarmTaskEvent event(Kind kind, int index, long runNanos, long atNanos) {
        return new FarmTaskEvent(kind, kind == Kind.SUBMITTED ? TaskId.bad() : WORKER, index, 10, runNanos,
                runNanos, null, atNanos);
    }

    /** The spawner's slot and one worker slot running {@link #WORKER}. */
    private static VmStatus oneWorkerBusy() {
        return new VmStatus(List.of(new VmStatus.Host(HOST, 2, List.of(new SlotId(0, 0), new SlotId(1, 0)), List.of())),
                List.of(new VmStatus.Slot(new SlotId(0, 0), HOST, 10, new TaskId(0, 0)),
                        new VmStatus.Slot(new SlotId(1, 0), HOST, 11, WORKER)));
    }

    private static Status.Slot workerSlot(Status s) {
        return s.hosts().get(0).jvms().stream().filter(j -> j.rank() == 1).findFirst().orElseThrow().slots().get(0);
    }

    @Test
    void countsAndTimingsAreWhatTheMetersRead() {
        DashboardState state = new DashboardState((rank, counters) -> { });
        long now = System.nanoTime();
        for (int i = 0; i < 3; i++) state.farmTask(event(Kind.SUBMITTED, i, 0, now));
        state.farmTask(event(Kind.STARTED, 0, 0, now));
        state.farmTask(event(Kind.COMPLETED, 0, 2_000_000, now));
        state.farmTask(event(Kind.STARTED, 1, 0, now));
        state.farmTask(new FarmTaskEvent(Kind.FAILED, WORKER, 1, 10, 3_000_000, 5_000_000, "boom", now));
        state.farmTask(event(Kind.CANCELLED, 2, 0, now));

        assertEquals(3, state.count(Count.SUBMITTED));
        assertEquals(1, state.count(Count.COMPLETED));
        assertEquals(1, state.count(Count.FAILED));
        assertEquals(1, state.count(Count.CANCELLED));
        assertEquals(0, state.farmBacklog());
        assertEquals(2, state.timedCount(Timed.FARM_DURATION));
        assertEquals(5_000_000, state.timedNanos(Timed.FARM_DURATION));
        assertEquals(7_000_000, state.timedNanos(Timed.FARM_TO_RESULT));

        Status s = state.snapshot(oneWorkerBusy(), "test");
        assertEquals(3, s.farm().submitted());
        assertEquals(1, s.farm().completed());
        assertEquals(1, s.failures().size());
        assertEquals("input 1 of 10", s.failures().get(0).item());
    }

    @Test
    void aSecondsBucketIsReusedOnlyForALaterSecond() {
        DashboardState state = new DashboardState((rank, counters) -> { });
        long now = System.nanoTime();
        long ringSeconds = DashboardState.SERIES_SECONDS + 2;
        long recent = now - TimeUnit.SECONDS.toNanos(8);
        long old = recent - TimeUnit.SECONDS.toNanos(ringSeconds); // the same bucket of the ring, long gone

        state.farmTask(event(Kind.COMPLETED, 0, 1_000_000, old));
        state.farmTask(event(Kind.COMPLETED, 1, 1_000_000, recent)); // takes the bucket over
        state.farmTask(event(Kind.COMPLETED, 2, 1_000_000, old)); // too old for the series: not counted in it
        state.farmTask(event(Kind.COMPLETED, 3, 3_000_000, recent));

        Status s = state.snapshot(oneWorkerBusy(), "test");
        long ended = s.series().stream().mapToLong(Status.Point::ended).sum();
        assertEquals(2, ended, "only the two recent tasks are in the last " + DashboardState.SERIES_SECONDS + " s: "
                + s.series().stream().filter(p -> p.ended() > 0).toList());
        Status.Point point = s.series().stream().filter(p -> p.ended() > 0).findFirst().orElseThrow();
        assertEquals(2.0, point.meanMillis(), 1e-9);
        assertEquals(3.0, point.maxMillis(), 1e-9);
        assertEquals(4, s.farm().completed(), "the counts keep every task");
    }

    @Test
    void aFarmWorkersSlotShowsItsItemWhileItRunsIt() {
        DashboardState state = new DashboardState((rank, counters) -> { });
        state.taskSpawned(WORKER, HOST); // the farm's resident worker
        long now = System.nanoTime();
        state.farmTask(event(Kind.STARTED, 3, 0, now));
        Status.Slot busy = workerSlot(state.snapshot(oneWorkerBusy(), "test"));
        assertEquals("input 3 of 10", busy.work());
        state.farmTask(event(Kind.TIMED_OUT, 3, 1_000, now));
        assertEquals("input 3 of 10", workerSlot(state.snapshot(oneWorkerBusy(), "test")).work(),
                "a task whose timeout passed still runs on its worker: the slot keeps showing it");

        state.farmTask(event(Kind.COMPLETED, 3, 1_000, now));
        Status.Slot waiting = workerSlot(state.snapshot(oneWorkerBusy(), "test"));
        assertEquals("(farm worker, waiting)", waiting.work());
        assertNull(waiting.runningMillis(), "a farm worker between tasks has no running time");

        state.farmTask(event(Kind.STARTED, 4, 0, now));
        state.farmTask(event(Kind.COMPLETED, 3, 1_000, now)); // a late word of the item before: the next one stays
        assertEquals("input 4 of 10", workerSlot(state.snapshot(oneWorkerBusy(), "test")).work());

        state.taskExited(WORKER, TaskExit.Reason.FINISHED);
        Status s = state.snapshot(oneWorkerBusy(), "test");
        assertEquals(3, s.series().stream().mapToLong(Status.Point::ended).sum(),
                "the timed-out and the two completed farm tasks; a farm worker's own end is not a task of the user's");
        assertEquals(1, s.tasks().finished(), "but it is a task of the VM's");
        assertEquals(1, state.timedCount(Timed.VM_DURATION));
    }

    @Test
    void framesAreCountedPerRankForAnyRank() {
        List<Integer> told = new java.util.ArrayList<>();
        DashboardState state = new DashboardState((rank, counters) -> told.add(rank));
        state.frameSent(2, 100);
        state.frameSent(2, 50);
        state.frameReceived(40, 7); // past the table's first size
        state.frameReceived(2, 1);
        Status s = state.snapshot(oneWorkerBusy(), "test");
        assertEquals(List.of(2, 40), told, "each rank's counters are made once");
        assertEquals(List.of(new Status.Traffic(2, 2, 150, 1, 1), new Status.Traffic(40, 0, 0, 1, 7)), s.traffic());
    }
}
