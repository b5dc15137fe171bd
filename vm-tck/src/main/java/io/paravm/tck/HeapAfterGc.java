package io.paravm.tck;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;

import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The most heap this JVM had in use right after a garbage collection, from the JVM's own GC
 * notifications, with no {@code System.gc()} that would change the run it measures.
 *
 * <p>Two figures: after any collection, and after a collection that reclaimed old-generation
 * space (a full or, under G1, a mixed collection). A young collection leaves the old
 * generation's garbage in place, so the first figure grows with how long the collector lets
 * garbage float (in a small heap, up to its occupancy threshold); the second is close to what
 * the run really kept alive.
 *
 * <pre>{@code
 * try (HeapAfterGc heap = HeapAfterGc.watch()) {
 *     ... the run ...
 *     long most = heap.mostUsedBytes();
 * }
 * }</pre>
 */
final class HeapAfterGc implements NotificationListener, AutoCloseable {

    private final Set<String> heapPools;
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final AtomicLong most = new AtomicLong();
    private final AtomicLong mostAfterOld = new AtomicLong();
    private final AtomicInteger oldCollections = new AtomicInteger();
    private final AtomicInteger collections = new AtomicInteger();

    private HeapAfterGc() {
        heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName)
                .collect(Collectors.toUnmodifiableSet());
    }

    /** Starts listening to every collector of this JVM. */
    static HeapAfterGc watch() {
        HeapAfterGc w = new HeapAfterGc();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter e) {
                e.addNotificationListener(w, null, null);
                w.emitters.add(e);
            }
        }
        if (w.emitters.isEmpty()) throw new IllegalStateException("this JVM's collectors send no notifications");
        return w;
    }

    @Override
    public void handleNotification(Notification n, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) return;
        GcInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData()).getGcInfo();
        Map<String, MemoryUsage> after = info.getMemoryUsageAfterGc();
        Map<String, MemoryUsage> before = info.getMemoryUsageBeforeGc();
        long used = 0;
        long oldBefore = 0;
        long oldAfter = 0;
        for (Map.Entry<String, MemoryUsage> e : after.entrySet()) {
            if (!heapPools.contains(e.getKey())) continue;
            used += e.getValue().getUsed();
            if (isYoung(e.getKey())) continue;
            oldAfter += e.getValue().getUsed();
            MemoryUsage b = before.get(e.getKey());
            if (b != null) oldBefore += b.getUsed();
        }
        most.accumulateAndGet(used, Math::max);
        collections.incrementAndGet();
        if (oldAfter < oldBefore) {
            mostAfterOld.accumulateAndGet(used, Math::max);
            oldCollections.incrementAndGet();
        }
    }

    /** The most heap in use right after any collection since {@link #watch()}; 0 if none ran. */
    long mostUsedBytes() {
        return most.get();
    }

    /**
     * The most heap in use right after a collection that reclaimed old-generation space since
     * {@link #watch()}; 0 if none did.
     */
    long mostUsedAfterOldBytes() {
        return mostAfterOld.get();
    }

    /**
     * What the run kept alive at most: {@link #mostUsedAfterOldBytes()} if a collection
     * reclaimed old-generation space, else (no old garbage was ever swept) {@link #mostUsedBytes()}.
     */
    long keptBytes() {
        return oldCollections() > 0 ? mostUsedAfterOldBytes() : mostUsedBytes();
    }

    /** The figures, for a report: "most 12.3 MiB after 40 collections, 10.1 MiB after 3 that swept the old generation". */
    String describe() {
        return String.format("%.1f MiB after %d collections, %.1f MiB after %d that swept the old generation",
                mostUsedBytes() / 1048576.0, collections(), mostUsedAfterOldBytes() / 1048576.0, oldCollections());
    }

    /** How many collections reclaimed old-generation space. */
    int oldCollections() {
        return oldCollections.get();
    }

    /** Eden and survivor pools, by the names HotSpot's collectors give them. */
    private static boolean isYoung(String pool) {
        return pool.contains("Eden") || pool.contains("Survivor") || pool.contains("Young");
    }

    /** How many collections were seen. */
    int collections() {
        return collections.get();
    }

    @Override
    public void close() {
        for (NotificationEmitter e : emitters) {
            try {
                e.removeNotificationListener(this);
            } catch (ListenerNotFoundException ignored) {
                // already gone: nothing to stop
            }
        }
    }
}
