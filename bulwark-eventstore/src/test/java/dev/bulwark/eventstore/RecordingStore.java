package dev.bulwark.eventstore;

import dev.bulwark.spi.ComponentStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/** A store in memory for the recorder's tests: it can hold its writer, or fail a number of writes. */
final class RecordingStore implements EventStore {

    final List<StoredEvent> records = new CopyOnWriteArrayList<>();
    final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    final AtomicInteger failuresLeft = new AtomicInteger();
    volatile boolean down;
    volatile CountDownLatch hold;
    final CountDownLatch entered = new CountDownLatch(1);

    @Override
    public String kind() {
        return "memory";
    }

    @Override
    public void append(List<StoredEvent> batch) {
        entered.countDown();
        CountDownLatch h = hold;
        if (h != null) {
            try {
                h.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (down || failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw FileEventStore.fail(EventStoreErrorCode.STORE_UNAVAILABLE, "the test store is down", null);
        }
        batchSizes.add(batch.size());
        records.addAll(batch);
    }

    @Override
    public Stream<StoredEvent> query(EventQuery query) {
        List<StoredEvent> sorted = new ArrayList<>(records);
        sorted.sort(java.util.Comparator.comparingLong(StoredEvent::timestampMillis));
        return sorted.stream().filter(query::matches).limit(query.limit());
    }

    @Override
    public void maintain() {
    }

    @Override
    public ComponentStatus status() {
        return new ComponentStatus() { };
    }

    @Override
    public void close() {
    }

    long events(String nameSuffix) {
        return records.stream().filter(r -> r.name().endsWith(nameSuffix)).mapToLong(StoredEvent::count).sum();
    }
}
