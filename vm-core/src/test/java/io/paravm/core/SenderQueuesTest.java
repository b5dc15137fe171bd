package io.paravm.core;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The waiting items' index: FIFO per sender, the oldest of all for anyone, and bounded work and memory. */
class SenderQueuesTest {

    /** An item and who sent it, for the reference model. */
    private record Item(long sender, int seq) {
    }

    @Test
    void eachSenderIsFifoAndAnyoneGetsTheOldestAgainstAPlainList() {
        Random random = new Random(16);
        SenderQueues<Item> queues = new SenderQueues<>();
        List<Item> model = new ArrayList<>(); // arrival order; a filtered take scans it, as the old backlog did
        int seq = 0;
        for (int step = 0; step < 200_000; step++) {
            int op = random.nextInt(10);
            long sender = SenderQueues.key(random.nextInt(3), random.nextInt(40) - 1);
            if (op < 5) {
                Item item = new Item(sender, seq++);
                queues.add(sender, item);
                model.add(item);
            } else if (op < 8) {
                assertEquals(takeFirst(model, sender), queues.poll(sender), "the oldest from " + sender);
            } else {
                assertEquals(model.isEmpty() ? null : model.remove(0), queues.pollAny(), "the oldest of all");
            }
            assertEquals(model.size(), queues.size());
            assertEquals(model.stream().anyMatch(i -> i.sender() == sender), queues.contains(sender));
        }
        while (!model.isEmpty()) assertEquals(model.remove(0), queues.pollAny());
        assertNull(queues.pollAny());
        assertTrue(queues.isEmpty());
        assertEquals(0, queues.ringEntries(), "no stale entry is left once nothing waits");
    }

    private static Item takeFirst(List<Item> model, long sender) {
        for (Iterator<Item> it = model.iterator(); it.hasNext(); ) {
            Item i = it.next();
            if (i.sender() == sender) {
                it.remove();
                return i;
            }
        }
        return null;
    }

    @Test
    @DisplayName("issue 16: a take from one sender examines one item however many from another wait")
    void takeFromOneSenderExaminesOneItemWhateverElseWaits() {
        for (int waiting : new int[]{1_000, 100_000}) {
            SenderQueues<Integer> queues = new SenderQueues<>();
            long other = SenderQueues.key(1, 1);
            long mine = SenderQueues.key(1, 2);
            for (int i = 0; i < waiting; i++) queues.add(other, i);
            int takes = 10_000;
            long before = queues.examined() + queues.compacted();
            for (int i = 0; i < takes; i++) {
                queues.add(mine, i);
                long start = queues.examined();
                assertEquals(i, queues.poll(mine));
                assertTrue(queues.examined() - start <= 2, "a take examined " + (queues.examined() - start)
                        + " items with " + waiting + " from another sender waiting");
            }
            double perTake = (queues.examined() + queues.compacted() - before) / (double) takes;
            assertTrue(perTake <= 3, waiting + " waiting: " + perTake + " items and entries looked at per take, "
                    + "compaction included");
            assertTrue(queues.ringEntries() <= 2 * queues.size() + 64 + 1, "stale entries are compacted: "
                    + queues.ringEntries() + " for " + queues.size() + " items");
            for (int i = 0; i < waiting; i++) assertEquals(i, queues.pollAny());
            assertTrue(queues.isEmpty());
        }
    }

    @Test
    void takesOutOfTurnOnlyEverCostAConstantPerItemIncludingCompaction() {
        SenderQueues<Integer> queues = new SenderQueues<>();
        long a = SenderQueues.key(1, 1);
        long b = SenderQueues.key(2, 1);
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            queues.add(a, i);
            queues.add(b, i);
        }
        for (int i = 0; i < n; i++) assertEquals(i, queues.poll(b)); // every b entry goes stale behind an a entry
        for (int i = 0; i < n; i++) assertEquals(i, queues.pollAny());
        assertFalse(queues.contains(a));
        long work = queues.examined() + queues.compacted();
        assertTrue(work <= 5L * n, "looked at " + work + " items and entries for " + 4 * n + " operations");
    }
}
