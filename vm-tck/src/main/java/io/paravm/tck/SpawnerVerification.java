package io.paravm.tck;

import io.paravm.VirtualMachine;
import io.paravm.VmConfig;
import io.paravm.VmStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestMethodOrder;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What every verification class shares: the VM under verification (installed by
 * {@link TckLauncher}), the worker count, the skip of a rule that needs more workers (or
 * more slots per worker) than the job has, and the check that each test starts with every
 * slot free and leaves them so. A subclass's own {@code @AfterEach} runs before the drain here.
 *
 * <pre>{@code
 * public class MyVerification extends SpawnerVerification {
 *     @Test
 *     void required_specX_Y_something() {
 *         requireWorkers(2);
 *         vm().spawnFunction(w -> 1, 2, null, true);
 *     }
 * }
 * }</pre>
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
public abstract class SpawnerVerification {

    /** The VM under verification. */
    protected final VirtualMachine vm() {
        return TckEnvironment.vm();
    }

    /** Returns the job's worker slots ({@code slots() - 1}). */
    protected final int workers() {
        return vm().slots() - 1;
    }

    /** Skips the calling test unless the job has {@code n} workers, saying how many ranks it needs. */
    protected final void requireWorkers(int n) {
        assumeTrue(workers() >= n, () -> "needs " + n + " workers; this job has " + workers()
                + " (run it with " + (n + 1) + " ranks)");
    }

    /**
     * Skips the calling test unless a worker offers {@code n} slots or more, saying which
     * setting runs it.
     */
    protected final void requireSlotsPerWorker(int n) {
        Map<Integer, Long> slotsPerWorker = vm().status().slots().stream().filter(s -> s.rank() != 0)
                .collect(Collectors.groupingBy(VmStatus.Slot::rank, TreeMap::new, Collectors.counting()));
        assumeTrue(slotsPerWorker.values().stream().anyMatch(c -> c >= n), () -> "needs a worker offering " + n
                + " slots; this job's workers offer " + slotsPerWorker + " (run it with -D"
                + VmConfig.WORKER_SLOTS_PROP_NAME + "=" + n + ")");
    }

    @BeforeEach
    void allSlotsFree() {
        assertEquals(vm().slots() - 1, vm().freeSlots(),
                () -> "a previous test left tasks running:\n" + vm().formatSpawnerConfig());
    }

    @AfterEach
    void drain() {
        TckTasks.drainUntilIdle(vm());
    }
}
