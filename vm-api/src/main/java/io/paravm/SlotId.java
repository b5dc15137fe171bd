package io.paravm;

import java.io.Serializable;

/**
 * Names one slot of the virtual machine, a place where one task runs: the rank that offers
 * it and its index among that rank's slots. A worker offers one slot, as in PyOPUS (where a
 * slot is a rank), or several ({@link VmConfig.Builder#workerSlots(int)}); the spawner
 * offers one, {@code 0/0}, which always runs task {@code 0:0}. Printed {@code rank/index}.
 *
 * <pre>{@code
 * for (SlotId s : vm.freeSlotsSet())
 *     log.info("slot {} is free: index {} of rank {}", s, s.index(), s.rank());
 * }</pre>
 *
 * @param rank  the rank offering the slot, 0 or more
 * @param index the slot's index on that rank, from 0
 */
public record SlotId(int rank, int index) implements Serializable, Comparable<SlotId> {

    /**
     * @param rank  the rank offering the slot, 0 or more
     * @param index the slot's index on that rank, from 0
     * @throws IllegalArgumentException if either is negative
     */
    public SlotId {
        if (rank < 0 || index < 0) {
            throw new IllegalArgumentException("slot " + rank + "/" + index + ": rank and index must be 0 or more");
        }
    }

    @Override
    public int compareTo(SlotId other) {
        int c = Integer.compare(rank, other.rank);
        return c != 0 ? c : Integer.compare(index, other.index);
    }

    @Override
    public String toString() {
        return rank + "/" + index;
    }
}
