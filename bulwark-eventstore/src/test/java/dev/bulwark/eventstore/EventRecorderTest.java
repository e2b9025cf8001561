package dev.bulwark.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.EventType;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.telemetry.Unit;
import dev.bulwark.time.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventRecorderTest {

    static final EventType TICK = EventType.builder("test", "tick")
            .measurement("i", Unit.COUNT, "a number")
            .tag("name", "the component")
            .detail("entity_id", "the entity")
            .build();

    private final Telemetry telemetry = Telemetry.create();
    private final ManualClock clock = new ManualClock();
    private final RecordingStore store = new RecordingStore();
    private EventRecorder recorder;

    @AfterEach
    void close() {
        if (store.hold != null) {
            store.hold.countDown();
        }
        if (recorder != null) {
            recorder.close();
        }
    }

    private EventRecorder start(EventRecorder.Builder b) {
        telemetry.declare(List.of(TICK));
        recorder = b.store(store).start(telemetry, clock);
        return recorder;
    }

    private EventChannel channel(EventType type) {
        return telemetry.channel(type);
    }

    private static void assertAddsUp(EventRecorder.Status s) {
        assertThat(s.offered()).isEqualTo(s.droppedQueueFull() + s.queued() + s.aggregating() + s.bufferedEvents()
                + s.written() + s.droppedUnavailable());
    }

    @Test
    void theEmittingThreadNeverWaitsAndEveryDropIsCounted() throws Exception {
        start(EventRecorder.builder().queueCapacity(1024).batchSize(64));
        store.hold = new CountDownLatch(1);
        EventChannel tick = channel(TICK);
        tick.emit(Map.of("i", -1L), Map.of("name", "warmup"));
        assertThat(store.entered.await(10, TimeUnit.SECONDS)).isTrue();   // the writer is stuck in the store now
        int threads = 4;
        int perThread = 5_000;
        CyclicBarrier go = new CyclicBarrier(threads);
        List<Thread> emitters = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                try {
                    go.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                for (int i = 0; i < perThread; i++) {
                    tick.emit(Map.of("i", (long) i), Map.of("name", "t" + id));
                }
            });
            th.start();
            emitters.add(th);
        }
        for (Thread th : emitters) {
            th.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(th.isAlive()).isFalse();
        }
        EventRecorder.Status blocked = recorder.status();
        assertThat(blocked.offered()).isEqualTo(1 + threads * perThread);
        assertThat(blocked.queued()).isEqualTo(1024);
        assertThat(blocked.droppedQueueFull()).isEqualTo(threads * perThread - 1024);
        assertAddsUp(blocked);
        // the writer is stuck in the store the whole time: had an emit waited for it, the emitters would still be running
        assertThat(store.hold.getCount()).isEqualTo(1);

        store.hold.countDown();
        assertThat(recorder.flush()).isTrue();

        EventRecorder.Status after = recorder.status();
        assertAddsUp(after);
        assertThat(after.queued()).isZero();
        assertThat(store.events("test.tick")).isEqualTo(1 + 1024);
        assertThat(store.events("event_store.events_dropped")).isEqualTo(1);
        StoredEvent report = store.records.stream().filter(r -> r.name().endsWith("events_dropped")).findFirst().orElseThrow();
        assertThat(report.measurements().get("count")).isEqualTo(blocked.droppedQueueFull());
        assertThat(report.metadata()).containsEntry("reason", "queue_full").containsEntry("error_code", "7402");
    }

    @Test
    void manyEmittingThreadsLoseNothingWhenTheQueueHasRoomAndEachThreadsOrderIsKept() throws Exception {
        start(EventRecorder.builder().queueCapacity(1 << 16).batchSize(512));
        EventChannel tick = channel(TICK);
        int threads = 4;
        int perThread = 10_000;
        CyclicBarrier go = new CyclicBarrier(threads);
        List<Thread> emitters = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String name = "t" + t;
            Thread th = new Thread(() -> {
                try {
                    go.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                for (int i = 0; i < perThread; i++) {
                    tick.emit(Map.of("i", (long) i), Map.of("name", name));
                }
            });
            th.start();
            emitters.add(th);
        }
        for (Thread th : emitters) {
            th.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertThat(recorder.flush()).isTrue();

        assertThat(recorder.status().dropped()).isZero();
        assertThat(store.records).hasSize(threads * perThread);
        for (int t = 0; t < threads; t++) {
            String name = "t" + t;
            assertThat(store.records).filteredOn(r -> name.equals(r.component()))
                    .extracting(r -> r.measurements().get("i"))
                    .containsExactlyElementsOf(java.util.stream.LongStream.range(0, perThread).boxed().toList());
        }
        assertAddsUp(recorder.status());
    }

    @Test
    void writesInBatchesOfAtMostTheBatchSize() {
        start(EventRecorder.builder().batchSize(100).flushInterval(Duration.ofSeconds(30)));
        EventChannel tick = channel(TICK);
        for (int i = 0; i < 1_000; i++) {
            tick.emit(Map.of("i", (long) i), Map.of("name", "x"));
        }
        // full batches go without waiting for the flush interval
        await().atMost(Duration.ofSeconds(10)).until(() -> store.records.size() == 1_000);
        assertThat(store.batchSizes).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(100));
        assertThat(store.records).extracting(r -> r.measurements().get("i")).containsExactlyElementsOf(
                java.util.stream.LongStream.range(0, 1_000).boxed().toList());
    }

    @Test
    void aLoneEventIsWrittenAfterTheFlushInterval() {
        start(EventRecorder.builder().batchSize(100).flushInterval(Duration.ofMillis(50)));
        channel(TICK).emit(Map.of("i", 1L), Map.of("name", "x"));
        await().atMost(Duration.ofSeconds(10)).until(() -> store.records.size() == 1);
    }

    @Test
    void rejectionsAreFoldedPerSecondPerComponentReasonAndEntity() {
        start(EventRecorder.builder());
        EventChannel rejected = channel(Events.CIRCUIT_BREAKER_CALL_REJECTED);
        EventChannel denied = channel(Events.RATE_LIMITER_REQUEST_DENIED);
        EventChannel change = channel(Events.CIRCUIT_BREAKER_STATE_CHANGE);
        change.emit(Map.of("sequence", 1L), Map.of("name", "payments", "from", "closed", "to", "open", "trigger", "failures"));
        for (int i = 0; i < 100; i++) {
            rejected.emit(Map.of(), Map.of("name", "payments", "reason", "open"));
        }
        for (int i = 0; i < 40; i++) {
            rejected.emit(Map.of(), Map.of("name", "payments", "reason", "disabled"));
            rejected.emit(Map.of(), Map.of("name", "orders", "reason", "open"));
        }
        for (int i = 0; i < 30; i++) {
            denied.emit(Map.of("retry_after_ms", 100L), Map.of("entity_id", "alice", "operation", "search", "rule", "search"));
        }
        for (int i = 0; i < 20; i++) {
            denied.emit(Map.of("retry_after_ms", 100L), Map.of("entity_id", "bob", "operation", "search", "rule", "search"));
        }
        clock.advance(Duration.ofSeconds(1));
        for (int i = 0; i < 7; i++) {
            rejected.emit(Map.of(), Map.of("name", "payments", "reason", "open"));
        }
        change.emit(Map.of("sequence", 2L), Map.of("name", "payments", "from", "open", "to", "half_open", "trigger", "time"));
        assertThat(recorder.flush()).isTrue();

        List<StoredEvent> records = store.list(EventQuery.builder().unlimited().build());
        assertThat(records).filteredOn(r -> r.kind() == StoredEvent.Kind.EVENT)
                .extracting(r -> r.metadata().get("to")).containsExactly("open", "half_open");
        assertThat(records).filteredOn(r -> r.kind() == StoredEvent.Kind.AGGREGATE)
                .extracting(r -> r.suffix(Events.DEFAULT_PREFIX) + " " + r.component() + " " + r.metadata().get("reason")
                        + " " + r.entity() + " x" + r.count())
                .containsExactlyInAnyOrder(
                        "circuit_breaker.call_rejected payments open null x100",
                        "circuit_breaker.call_rejected payments disabled null x40",
                        "circuit_breaker.call_rejected orders open null x40",
                        "rate_limiter.request_denied search limit alice x30".replace(" limit", " null"),
                        "rate_limiter.request_denied search null bob x20",
                        "circuit_breaker.call_rejected payments open null x7");
        assertThat(records.stream().mapToLong(StoredEvent::count).sum()).isEqualTo(2 + 100 + 80 + 50 + 7);
        assertAddsUp(recorder.status());
        assertThat(recorder.status().written()).isEqualTo(239);
        assertThat(recorder.status().rowsWritten()).isEqualTo(8);
    }

    @Test
    void rejectionsCanBeKeptOneByOne() {
        start(EventRecorder.builder().keepRejectionsOneByOne());
        for (int i = 0; i < 5; i++) {
            channel(Events.BULKHEAD_CALL_REJECTED).emit(Map.of("max_concurrent", 10L), Map.of("name", "db", "waited", false));
        }
        assertThat(recorder.flush()).isTrue();
        assertThat(store.records).hasSize(5).allSatisfy(r -> assertThat(r.kind()).isEqualTo(StoredEvent.Kind.EVENT));
    }

    @Test
    void byDefaultThePerCallEventsAreNotEvenSubscribedTo() {
        start(EventRecorder.builder());
        assertThat(channel(Events.CIRCUIT_BREAKER_CALL_EXECUTED).isActive()).isFalse();
        assertThat(channel(Events.PROTECTION_EXECUTED).isActive()).isFalse();
        assertThat(channel(Events.RATE_LIMITER_REQUEST_ALLOWED).isActive()).isFalse();
        assertThat(channel(Events.CIRCUIT_BREAKER_STATE_CHANGE).isActive()).isTrue();
        assertThat(channel(Events.CIRCUIT_BREAKER_CALL_REJECTED).isActive()).isTrue();
    }

    @Test
    void callOutcomesKeepFailuresOneByOneAggregateRejectionsAndSkipSuccesses() {
        start(EventRecorder.builder().keepCallOutcomes());
        EventChannel executed = channel(Events.CIRCUIT_BREAKER_CALL_EXECUTED);
        EventChannel protection = channel(Events.PROTECTION_EXECUTED);
        executed.emit(Map.of("duration_us", 5L), Map.of("name", "db", "status", "success", "counted_as", "success"));
        executed.emit(Map.of("duration_us", 5L), Map.of("name", "db", "status", "exception", "counted_as", "failure"));
        protection.emit(Map.of("duration_us", 5L), Map.of("key", "inv", "outcome", "success"));
        protection.emit(Map.of("duration_us", 5L), Map.of("key", "inv", "outcome", "failure", "error_code", 5003));
        protection.emit(Map.of("duration_us", 5L), Map.of("key", "inv", "outcome", "rejected", "error_code", 5004));
        protection.emit(Map.of("duration_us", 5L), Map.of("key", "inv", "outcome", "rejected", "error_code", 5004));
        channel(Events.RATE_LIMITER_REQUEST_ALLOWED).emit(Map.of("count", 1L, "remaining", 4L), Map.of("entity_id", "a"));
        assertThat(recorder.flush()).isTrue();

        assertThat(store.records).extracting(r -> r.suffix(Events.DEFAULT_PREFIX) + " " + r.component() + " x" + r.count())
                .containsExactlyInAnyOrder("circuit_breaker.call_executed db x1", "protection_executed inv x1",
                        "protection_executed inv x2");
        assertThat(recorder.status().offered()).isEqualTo(4);
        assertThat(channel(Events.RATE_LIMITER_REQUEST_ALLOWED).isActive()).isFalse();
    }

    @Test
    void routineSuccessesAreKeptWhenAskedFor() {
        start(EventRecorder.builder().keepRoutineEvents());
        channel(Events.CIRCUIT_BREAKER_CALL_EXECUTED).emit(Map.of("duration_us", 5L), Map.of("name", "db", "status", "success"));
        channel(Events.RATE_LIMITER_REQUEST_ALLOWED).emit(Map.of("count", 1L), Map.of("entity_id", "a", "operation", "x"));
        assertThat(recorder.flush()).isTrue();
        assertThat(store.records).hasSize(2);
    }

    @Test
    void theComponentIsADeclaredTagAndTheEntityADeclaredDetail() {
        start(EventRecorder.builder().keepRoutineEvents());
        channel(Events.RATE_LIMITER_REQUEST_ALLOWED).emit(Map.of("count", 1L),
                Map.of("entity_id", "alice", "operation", "search", "algorithm", "sliding_window"));
        channel(Events.PROTECTION_CONFIGURED).emit(Map.of(), Map.of("key", "inventory", "protections", "[retry]"));
        channel(TICK).emit(Map.of("i", 1L), Map.of("name", "payments", "entity_id", "order-7"));
        // undeclared: looked at key by key
        telemetry.execute(telemetry.prefix().append("custom", "thing"), Map.of(), Map.of("pool", "db", "tenant", "acme"));
        assertThat(recorder.flush()).isTrue();

        assertThat(store.records).extracting(r -> r.component() + "/" + r.entity())
                .containsExactly("search/alice", "inventory/null", "payments/order-7", "db/acme");
    }

    @Test
    void eventsOfSkippedNamesAreNotKept() {
        start(EventRecorder.builder().skip("retry.retry_scheduled"));
        assertThat(channel(Events.RETRY_SCHEDULED).isActive()).isFalse();
        channel(Events.RETRY_SCHEDULED).emit(Map.of("attempt", 2L, "delay_ms", 100L), Map.of("name", "r"));
        channel(Events.RETRY_EXHAUSTED).emit(Map.of("attempts", 3L), Map.of("name", "r"));
        assertThat(recorder.flush()).isTrue();
        assertThat(store.records).extracting(StoredEvent::name).containsExactly("foundation.infra.retry.exhausted");
    }

    @Test
    void aFailingStoreIsRetriedWithBackoffAndNothingIsLostOrWrittenTwice() {
        start(EventRecorder.builder().retryBackoff(Duration.ofMillis(5), Duration.ofMillis(20)).flushInterval(Duration.ofMillis(5)));
        store.failuresLeft.set(5);
        EventChannel tick = channel(TICK);
        for (int i = 0; i < 500; i++) {
            tick.emit(Map.of("i", (long) i), Map.of("name", "x"));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> store.events("test.tick") == 500 && recorder.status().storeAvailable());
        assertThat(recorder.flush()).isTrue();

        assertThat(store.records).filteredOn(r -> r.name().endsWith("test.tick"))
                .extracting(r -> r.measurements().get("i"))
                .containsExactlyElementsOf(java.util.stream.LongStream.range(0, 500).boxed().toList());
        assertThat(store.events("event_store.store_unavailable")).isEqualTo(1);
        assertThat(store.events("event_store.store_recovered")).isEqualTo(1);
        EventRecorder.Status s = recorder.status();
        assertThat(s.failedWrites()).isEqualTo(5);
        assertThat(s.dropped()).isZero();
        assertAddsUp(s);
    }

    @Test
    void whileTheStoreIsDownTheBufferIsBoundedAndWhatItCannotHoldIsDroppedAndCounted() {
        start(EventRecorder.builder().maxBufferedRecords(300).retryBackoff(Duration.ofMillis(5), Duration.ofMillis(20))
                .flushInterval(Duration.ofMillis(5)).queueCapacity(65_536));
        store.down = true;
        EventChannel tick = channel(TICK);
        tick.emit(Map.of("i", -1L), Map.of("name", "x"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !recorder.status().storeAvailable());
        for (int i = 0; i < 1_000; i++) {
            tick.emit(Map.of("i", (long) i), Map.of("name", "x"));
        }
        assertThat(recorder.flush()).isFalse();
        EventRecorder.Status down = recorder.status();
        // the bound, plus the flush's own events_dropped report, which the recorder keeps beyond it
        assertThat(down.bufferedRecords()).isEqualTo(301);
        assertThat(down.droppedUnavailable()).isPositive();
        assertThat(down.droppedQueueFull()).isZero();
        assertAddsUp(down);

        store.down = false;
        await().atMost(Duration.ofSeconds(10)).until(() -> recorder.status().storeAvailable());
        assertThat(recorder.flush()).isTrue();
        assertThat(recorder.flush()).isTrue();   // and the recorder's own events emitted meanwhile
        EventRecorder.Status up = recorder.status();
        assertAddsUp(up);
        assertThat(up.bufferedEvents()).isZero();
        assertThat(up.written()).isEqualTo(store.records.stream().mapToLong(StoredEvent::count).sum());
        assertThat(up.offered()).isEqualTo(up.written() + up.droppedUnavailable());
        // the buffer held the first tick, the recorder's own store_unavailable event, then ticks up to its bound
        assertThat(store.events("event_store.store_unavailable")).isEqualTo(1);
        assertThat(store.events("test.tick")).isEqualTo(299);
        assertThat(store.events("event_store.events_dropped")).isPositive();
    }

    @Test
    void closeWritesWhatIsLeftAndStopsTheWriter() {
        start(EventRecorder.builder().flushInterval(Duration.ofSeconds(60)).batchSize(10_000));
        for (int i = 0; i < 100; i++) {
            channel(TICK).emit(Map.of("i", (long) i), Map.of("name", "x"));
        }
        recorder.close();
        assertThat(store.events("test.tick")).isEqualTo(100);
        assertThat(telemetry.handlerIds()).isEmpty();
        assertThat(recorder.flush()).isFalse();
        channel(TICK).emit(Map.of("i", 1L), Map.of("name", "x"));
        assertThat(recorder.status().offered()).isEqualTo(100);
    }

    @Test
    void closeGivesUpOnADeadStoreAfterItsTimeoutAndCountsWhatItDrops() {
        start(EventRecorder.builder().closeTimeout(Duration.ofMillis(200)).retryBackoff(Duration.ofMillis(5), Duration.ofMillis(10)));
        store.down = true;
        for (int i = 0; i < 50; i++) {
            channel(TICK).emit(Map.of("i", (long) i), Map.of("name", "x"));
        }
        long start = System.nanoTime();
        recorder.close();
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
        EventRecorder.Status s = recorder.status();
        assertThat(s.written()).isZero();
        assertThat(s.droppedUnavailable()).isEqualTo(s.offered());
        assertAddsUp(s);
    }
}
