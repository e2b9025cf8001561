package dev.bulwark.memory;

import dev.bulwark.spi.Subscription;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationFilter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;

/**
 * The JVM heap's occupancy after collection ({@link MemorySource#heapAfterCollection()}).
 *
 * <p><b>Pools.</b> The heap pools whose {@code isCollectionUsageThresholdSupported()} is true:
 * G1's eden, survivor and old gen; Parallel's and Serial's eden, survivor and old/tenured gen; ZGC's
 * heap (or its young and old generations). Chosen by that capability and {@link MemoryType#HEAP},
 * never by name.
 *
 * <p><b>Readings.</b> Each pool counts at its usage after the latest collection: the one reported
 * by the GC notification of that collection ({@code memoryUsageAfterGc} in its {@code gcInfo}),
 * else, before any notification reached us, the pool's own {@code getCollectionUsage()}. Why the
 * notification first: G1 updates its old gen's collection usage only after a full collection, so
 * under G1 that figure can stay at zero while the old gen fills with live data through young
 * collections; the notification of each young collection says what the old gen holds right after
 * it (eden is then empty, so what remains is promoted data, and garbage only of the old gen). The
 * sum is divided by the heap's maximum ({@code MemoryMXBean.getHeapMemoryUsage().getMax()}).
 *
 * <p>The notifications are read through the open types of {@code java.management}
 * ({@code CompositeData}, {@code TabularData}): no {@code com.sun.management} class, so core needs
 * no module beyond {@code java.management}. If their layout is not the expected one the reading
 * falls back to the pools' collection usage.
 *
 * <p>Thread-safe.
 */
final class HeapAfterCollection implements MemorySource {

    /** The type of the HotSpot GC notification ({@code GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION}). */
    static final String GC_NOTIFICATION = "com.sun.management.gc.notification";

    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final List<MemoryPoolMXBean> pools = new ArrayList<>();
    private final Map<String, Long> usedAfterLatestGc = new ConcurrentHashMap<>();

    HeapAfterCollection() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.isValid() && pool.isCollectionUsageThresholdSupported()) {
                pools.add(pool);
            }
        }
    }

    /** The names of the pools read. */
    List<String> poolNames() {
        return pools.stream().map(MemoryPoolMXBean::getName).toList();
    }

    @Override
    public MemoryReading read() {
        long used = 0;
        for (MemoryPoolMXBean pool : pools) {
            Long afterGc = usedAfterLatestGc.get(pool.getName());
            if (afterGc != null) {
                used += afterGc;
            } else {
                MemoryUsage collection = pool.getCollectionUsage();
                used += collection == null ? 0 : collection.getUsed();
            }
        }
        long max = memory.getHeapMemoryUsage().getMax();
        if (max <= 0) {
            max = Runtime.getRuntime().maxMemory();
        }
        return new MemoryReading(used, Math.max(1, max));
    }

    @Override
    public Subscription onCollection(Runnable listener) {
        java.util.Objects.requireNonNull(listener, "listener");
        NotificationFilter filter = n -> GC_NOTIFICATION.equals(n.getType());
        NotificationListener onGc = (notification, handback) -> {
            record(notification);
            listener.run();
        };
        List<NotificationEmitter> emitters = new ArrayList<>();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(onGc, filter, null);
                emitters.add(emitter);
            }
        }
        return () -> {
            for (NotificationEmitter emitter : emitters) {
                try {
                    emitter.removeNotificationListener(onGc, filter, null);
                } catch (ListenerNotFoundException alreadyGone) {
                    // closed twice
                }
            }
            emitters.clear();
        };
    }

    /** Takes each chosen pool's usage after the collection from the notification, if it has one. */
    private void record(Notification notification) {
        try {
            if (!(notification.getUserData() instanceof CompositeData info)
                    || !(info.get("gcInfo") instanceof CompositeData gcInfo)
                    || !(gcInfo.get("memoryUsageAfterGc") instanceof TabularData after)) {
                return;
            }
            for (Object row : after.values()) {
                if (row instanceof CompositeData entry && entry.get("key") instanceof String pool
                        && entry.get("value") instanceof CompositeData usage) {
                    for (MemoryPoolMXBean chosen : pools) {
                        if (chosen.getName().equals(pool)) {
                            usedAfterLatestGc.put(pool, MemoryUsage.from(usage).getUsed());
                        }
                    }
                }
            }
        } catch (RuntimeException unexpectedLayout) {
            // keep the pools' collection usage
        }
    }

    @Override
    public String toString() {
        return "heap after collection " + poolNames();
    }
}
