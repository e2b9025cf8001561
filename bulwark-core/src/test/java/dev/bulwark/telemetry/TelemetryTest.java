package dev.bulwark.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bulwark.testkit.TelemetryCapture;
import dev.bulwark.time.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TelemetryTest {

    private final Telemetry telemetry = Telemetry.create();
    private final EventName stateChange = telemetry.name(Events.CIRCUIT_BREAKER_STATE_CHANGE);
    private final EventName callRejected = telemetry.name(Events.CIRCUIT_BREAKER_CALL_REJECTED);

    @Test
    void eventsCarryTheDefaultPrefix() {
        assertThat(stateChange.toString()).isEqualTo("foundation.infra.circuit_breaker.state_change");
    }

    @Test
    void prefixIsConfigurable() {
        Telemetry scoped = Telemetry.builder().prefix("elixir_scope.foundation.infra").build();
        assertThat(scoped.name(Events.PROTECTION_EXECUTED).segments())
                .containsExactly("elixir_scope", "foundation", "infra", "protection_executed");
    }

    @Test
    void attachedHandlerReceivesMeasurementsAndMetadata() {
        List<Object> seen = new CopyOnWriteArrayList<>();
        telemetry.attach("h", List.of(stateChange), (name, m, md) -> seen.add(List.of(name, m, md)));

        telemetry.execute(stateChange, Map.of("n", 1), Map.of("name", "db", "from", "closed", "to", "open"));

        assertThat(seen).containsExactly(List.of(stateChange, Map.of("n", 1),
                Map.of("name", "db", "from", "closed", "to", "open")));
    }

    @Test
    void handlersOnlyReceiveTheEventsTheyAttachedTo() {
        AtomicInteger calls = new AtomicInteger();
        telemetry.attach("h", stateChange, (name, m, md) -> calls.incrementAndGet());
        telemetry.execute(callRejected, Map.of(), Map.of());
        assertThat(calls).hasValue(0);
        assertThat(telemetry.isListening(callRejected)).isFalse();
        assertThat(telemetry.isListening(stateChange)).isTrue();
    }

    @Test
    void detachStopsDelivery() {
        AtomicInteger calls = new AtomicInteger();
        telemetry.attach("h", stateChange, (name, m, md) -> calls.incrementAndGet());
        telemetry.execute(stateChange, Map.of(), Map.of());
        assertThat(telemetry.detach("h")).isTrue();
        assertThat(telemetry.detach("h")).isFalse();
        telemetry.execute(stateChange, Map.of(), Map.of());
        assertThat(calls).hasValue(1);
        assertThat(telemetry.channel(stateChange).isActive()).isFalse();
    }

    @Test
    void duplicateIdsAndBadArgumentsAreRejected() {
        telemetry.attach("h", stateChange, (name, m, md) -> { });
        assertThatThrownBy(() -> telemetry.attach("h", stateChange, (name, m, md) -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'h'");
        assertThatThrownBy(() -> telemetry.attach(" ", stateChange, (name, m, md) -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("handlerId");
        assertThatThrownBy(() -> telemetry.attach("x", List.of(), (name, m, md) -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("events");
        assertThatThrownBy(() -> EventName.parse("a..b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a..b");
        assertThatThrownBy(() -> EventName.of("a.b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a.b");
    }

    @Test
    void prefixAttachmentMatchesEveryEventBelowThePrefix() {
        List<EventName> seen = new CopyOnWriteArrayList<>();
        telemetry.attachPrefix("breakers", telemetry.prefix().append("circuit_breaker"), (name, m, md) -> seen.add(name));

        telemetry.execute(stateChange, Map.of(), Map.of());
        telemetry.execute(callRejected, Map.of(), Map.of());
        telemetry.execute(telemetry.name(Events.RATE_LIMITER_REQUEST_DENIED), Map.of(), Map.of());
        telemetry.execute(EventName.parse("foundation.infra.circuit_breakerx"), Map.of(), Map.of());

        assertThat(seen).containsExactly(stateChange, callRejected);
    }

    @Test
    void aPrefixAttachmentMayLeaveNamesOutAndTheirChannelsStayInactive() {
        List<EventName> seen = new CopyOnWriteArrayList<>();
        telemetry.attachPrefix("breakers", telemetry.prefix().append("circuit_breaker"), java.util.Set.of(callRejected),
                (name, m, md) -> seen.add(name));

        telemetry.execute(stateChange, Map.of(), Map.of());
        telemetry.execute(callRejected, Map.of(), Map.of());

        assertThat(seen).containsExactly(stateChange);
        assertThat(telemetry.channel(callRejected).isActive()).isFalse();
        assertThat(telemetry.channel(stateChange).isActive()).isTrue();
        telemetry.attach("rejections", callRejected, (name, m, md) -> { });
        assertThat(telemetry.channel(callRejected).isActive()).isTrue();
    }

    @Test
    void aThrowingHandlerIsDetachedTheCallerIsUnaffectedAndAFailureEventIsEmitted() {
        List<Map<String, Object>> failures = new CopyOnWriteArrayList<>();
        AtomicInteger healthyCalls = new AtomicInteger();
        telemetry.attach("failures", telemetry.name(Events.TELEMETRY_HANDLER_FAILURE), (name, m, md) -> failures.add(md));
        telemetry.attach("bad", stateChange, (name, m, md) -> {
            throw new IllegalStateException("handler bug");
        });
        telemetry.attach("good", stateChange, (name, m, md) -> healthyCalls.incrementAndGet());

        telemetry.execute(stateChange, Map.of(), Map.of());
        telemetry.execute(stateChange, Map.of(), Map.of());

        assertThat(healthyCalls).hasValue(2);
        assertThat(telemetry.handlerIds()).containsExactly("failures", "good");
        assertThat(telemetry.handlerFailures()).isEqualTo(1);
        assertThat(failures).hasSize(1);
        assertThat(failures.get(0)).containsEntry("handler_id", "bad")
                .containsEntry("event", stateChange.toString());
        assertThat(failures.get(0).get("exception")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void spanEmitsStartAndStopWithMonotonicDuration() {
        ManualClock clock = new ManualClock();
        Telemetry timed = Telemetry.builder().clock(clock).build();
        EventName span = timed.prefix().append("query");
        try (TelemetryCapture events = TelemetryCapture.under(timed, span)) {
            String result = timed.span(span, Map.of("table", "users"), () -> {
                clock.advance(Duration.ofMillis(42));
                return "rows";
            });

            assertThat(result).isEqualTo("rows");
            assertThat(events.events()).extracting(e -> e.name().lastSegment()).containsExactly("start", "stop");
            assertThat(events.events().get(0).measurements()).containsKeys("monotonic_time", "system_time");
            assertThat(events.events().get(1).measurements()).containsEntry("duration", 42_000_000L);
            assertThat(events.events().get(1).metadata()).containsEntry("table", "users");
        }
    }

    @Test
    void spanEmitsExceptionAndRethrows() {
        ManualClock clock = new ManualClock();
        Telemetry timed = Telemetry.builder().clock(clock).build();
        EventName span = timed.prefix().append("query");
        try (TelemetryCapture events = TelemetryCapture.under(timed, span)) {
            assertThatThrownBy(() -> timed.span(span, Map.of("table", "users"), () -> {
                clock.advance(Duration.ofMillis(5));
                throw new IllegalArgumentException("bad sql");
            })).isInstanceOf(IllegalArgumentException.class).hasMessage("bad sql");

            assertThat(events.events()).extracting(e -> e.name().lastSegment()).containsExactly("start", "exception");
            TelemetryCapture.Captured exception = events.events().get(1);
            assertThat(exception.measurements()).containsEntry("duration", 5_000_000L);
            assertThat(exception.metadata()).containsEntry("kind", IllegalArgumentException.class.getName())
                    .containsEntry("reason", "bad sql").containsEntry("table", "users");
        }
    }

    @Test
    void asyncDispatchDeliversOnAnotherThread() {
        try (Telemetry async = Telemetry.builder().asynchronous(16).build()) {
            EventName name = async.name(Events.PROTECTION_EXECUTED);
            List<String> threads = new CopyOnWriteArrayList<>();
            async.attach("h", name, (n, m, md) -> threads.add(Thread.currentThread().getName()));

            async.execute(name, Map.of(), Map.of());

            await().atMost(Duration.ofSeconds(5)).until(() -> threads.size() == 1);
            assertThat(threads.get(0)).isEqualTo("bulwark-telemetry-dispatcher");
            assertThat(async.dispatchMode()).isEqualTo(DispatchMode.ASYNCHRONOUS);
        }
    }

    @Test
    void asyncDispatchDropsAndCountsWhenTheQueueIsFullWithoutBlockingTheCaller() throws Exception {
        try (Telemetry async = Telemetry.builder().asynchronous(4).build()) {
            EventName name = async.name(Events.PROTECTION_EXECUTED);
            CountDownLatch handlerEntered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger handled = new AtomicInteger();
            async.attach("slow", name, (n, m, md) -> {
                handlerEntered.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                handled.incrementAndGet();
            });

            async.execute(name, Map.of(), Map.of());
            assertThat(handlerEntered.await(5, TimeUnit.SECONDS)).isTrue();
            // the dispatcher is now stuck in the handler: 4 events fill the queue, 6 more are dropped
            for (int i = 0; i < 10; i++) {
                async.execute(name, Map.of(), Map.of());
            }
            assertThat(async.droppedEvents()).isEqualTo(6);

            release.countDown();
            await().atMost(Duration.ofSeconds(5)).until(() -> handled.get() == 5);
            assertThat(async.droppedEvents()).isEqualTo(6);
        }
    }

    @Test
    void concurrentAttachAndDetachWhileEmittingNeverLosesOrBreaksDelivery() throws Exception {
        AtomicLong stableCalls = new AtomicLong();
        telemetry.attach("stable", stateChange, (name, m, md) -> stableCalls.incrementAndGet());
        int emitters = 4;
        int perEmitter = 20_000;
        AtomicBoolean failed = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(emitters + 1);
        CountDownLatch start = new CountDownLatch(1);
        for (int t = 0; t < emitters; t++) {
            pool.execute(() -> {
                try {
                    start.await();
                    for (int i = 0; i < perEmitter; i++) {
                        telemetry.execute(stateChange, Map.of(), Map.of());
                    }
                } catch (Throwable e) {
                    failed.set(true);
                }
            });
        }
        pool.execute(() -> {
            try {
                start.await();
                for (int i = 0; i < 500; i++) {
                    telemetry.attach("churn-" + i, stateChange, (name, m, md) -> { });
                    telemetry.detach("churn-" + i);
                }
            } catch (Throwable e) {
                failed.set(true);
            }
        });
        start.countDown();
        pool.shutdown();
        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

        assertThat(failed).isFalse();
        assertThat(stableCalls).hasValue((long) emitters * perEmitter);
        assertThat(telemetry.handlerIds()).containsExactly("stable");
    }

    @Test
    void channelsAreSharedPerName() {
        assertThat(telemetry.channel(stateChange)).isSameAs(telemetry.channel(EventName.parse(stateChange.toString())));
    }

    @Test
    void captureHelperRecordsAndForgets() {
        try (TelemetryCapture capture = TelemetryCapture.all(telemetry)) {
            telemetry.execute(stateChange, Map.of(), Map.of("to", "open"));
            assertThat(capture.count(Events.CIRCUIT_BREAKER_STATE_CHANGE)).isEqualTo(1);
            assertThat(capture.named(Events.CIRCUIT_BREAKER_STATE_CHANGE).get(0).metadata()).containsEntry("to", "open");
            capture.clear();
            assertThat(capture.events()).isEmpty();
        }
        assertThat(telemetry.handlerIds()).isEmpty();
    }
}
