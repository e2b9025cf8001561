package dev.bulwark.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.Infrastructure;
import dev.bulwark.Protection;
import dev.bulwark.circuit.CircuitBreaker;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.time.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The primitive path of docs/telemetry.md, "Primitive handlers". */
class PrimitiveEventHandlerTest {

    /** What a primitive handler saw: the value and metadata of each event, and which form it came through. */
    static final class Recording implements PrimitiveEventHandler {
        final List<Object> primitive = new CopyOnWriteArrayList<>();
        final List<Object> mapped = new CopyOnWriteArrayList<>();

        @Override
        public void handle(EventName event, long firstMeasurement, Map<String, Object> metadata) {
            primitive.add(List.of(event.toString(), firstMeasurement, Map.copyOf(metadata)));
        }

        @Override
        public void handle(EventName event, Map<String, Number> measurements, Map<String, Object> metadata) {
            mapped.add(List.of(event.toString(), measurements, Map.copyOf(metadata)));
        }
    }

    private final Telemetry telemetry = Telemetry.create();
    private final EventName executed = telemetry.name(Events.PROTECTION_EXECUTED);

    @Test
    void aPrimitiveHandlerGetsTheValueAndAPlainHandlerOfTheSameEventGetsItsMapBuiltOnce() {
        Recording primitive = new Recording();
        List<Map<String, Number>> plain = new ArrayList<>();
        telemetry.attach("primitive", executed, primitive);
        telemetry.attach("plain-1", executed, (e, m, md) -> plain.add(m));
        telemetry.attach("plain-2", executed, (e, m, md) -> plain.add(m));
        EventChannel channel = telemetry.channel(executed);

        assertThat(channel.primitiveOnly()).isFalse();
        channel.emit("duration_us", 42L, Map.of("key", "p"));

        assertThat(primitive.primitive).containsExactly(List.of(executed.toString(), 42L, Map.of("key", "p")));
        assertThat(primitive.mapped).isEmpty();
        assertThat(plain).containsExactly(Map.of("duration_us", 42L), Map.of("duration_us", 42L));
        assertThat(plain.get(0)).isSameAs(plain.get(1));
    }

    @Test
    void aTwoMeasurementEventGivesThePrimitiveHandlerTheFirstAndThePlainHandlerBoth() {
        EventName allowed = telemetry.name(Events.RATE_LIMITER_REQUEST_ALLOWED);
        Recording primitive = new Recording();
        List<Map<String, Number>> plain = new ArrayList<>();
        telemetry.attach("primitive", allowed, primitive);
        telemetry.attach("plain", allowed, (e, m, md) -> plain.add(m));

        telemetry.channel(allowed).emit("count", 3L, "remaining", 7L, Map.of());

        assertThat(primitive.primitive).containsExactly(List.of(allowed.toString(), 3L, Map.of()));
        assertThat(plain).containsExactly(Map.of("count", 3L, "remaining", 7L));
    }

    @Test
    void primitiveOnlyHoldsWhileEveryHandlerIsPrimitiveAndDispatchIsSynchronous() {
        EventChannel channel = telemetry.channel(executed);
        assertThat(channel.primitiveOnly()).as("nobody listens").isTrue();
        telemetry.attach("primitive", executed, new Recording());
        assertThat(channel.primitiveOnly()).isTrue();
        telemetry.attach("plain", executed, (e, m, md) -> { });
        assertThat(channel.primitiveOnly()).isFalse();
        telemetry.detach("plain");
        assertThat(channel.primitiveOnly()).isTrue();

        try (Telemetry async = Telemetry.builder().asynchronous(16).build()) {
            EventName name = async.name(Events.PROTECTION_EXECUTED);
            async.attach("primitive", name, new Recording());
            assertThat(async.channel(name).primitiveOnly()).isFalse();
        }
    }

    @Test
    void withAsynchronousDispatchAPrimitiveHandlerGetsTheMapsOnTheDispatcherThread() {
        try (Telemetry async = Telemetry.builder().asynchronous(16).build()) {
            EventName name = async.name(Events.PROTECTION_EXECUTED);
            Recording primitive = new Recording();
            async.attach("primitive", name, primitive);

            async.channel(name).emit("duration_us", 5L, Map.of("key", "p"));

            await().atMost(Duration.ofSeconds(5)).until(() -> primitive.mapped.size() == 1);
            assertThat(primitive.mapped).containsExactly(List.of(name.toString(), Map.of("duration_us", 5L), Map.of("key", "p")));
            assertThat(primitive.primitive).isEmpty();
        }
    }

    @Test
    void aPrimitiveHandlerThatThrowsIsDetachedAndTheEmitterIsUnaffected() {
        List<Long> healthy = new ArrayList<>();
        telemetry.attach("bad", executed, new PrimitiveEventHandler() {
            @Override
            public void handle(EventName event, long firstMeasurement, Map<String, Object> metadata) {
                throw new StackOverflowError("handler bug");
            }

            @Override
            public void handle(EventName event, Map<String, Number> measurements, Map<String, Object> metadata) {
            }
        });
        telemetry.attach("good", executed, (e, m, md) -> healthy.add(m.get("duration_us").longValue()));

        telemetry.channel(executed).emit("duration_us", 1L, Map.of());
        telemetry.channel(executed).emit("duration_us", 2L, Map.of());

        assertThat(healthy).containsExactly(1L, 2L);
        assertThat(telemetry.handlerIds()).containsExactly("good");
        assertThat(telemetry.handlerFailures()).isEqualTo(1);
    }

    /**
     * The components' per-call events carry the same values and metadata through both forms: a
     * primitive handler's value is the plain handler's first measurement, and its metadata the same.
     */
    @Test
    void theBreakerTheProtectionAndTheLimiterEmitTheSameEventsToBothForms() {
        ManualClock clock = new ManualClock();
        try (Infrastructure infra = Infrastructure.builder().clock(clock).build()) {
            Telemetry t = infra.telemetry();
            Recording primitive = new Recording();
            List<Object> plain = new CopyOnWriteArrayList<>();
            List<EventName> names = List.of(t.name(Events.CIRCUIT_BREAKER_CALL_EXECUTED), t.name(Events.PROTECTION_EXECUTED),
                    t.name(Events.RATE_LIMITER_REQUEST_ALLOWED), t.name(Events.RATE_LIMITER_REQUEST_DENIED));
            t.attach("primitive", names, primitive);
            t.attach("plain", names, (e, m, md) -> plain.add(List.of(e.toString(), m, Map.copyOf(md))));
            infra.configureProtection("p", Protection.builder()
                    .rateLimitPerCaller("search", RateLimit.of("search", 1, Duration.ofSeconds(10)))
                    .circuitBreaker("db", CircuitBreakerConfig.builder().consecutiveFailures(5).build())
                    .build()).getOrThrow();

            infra.executeProtected("p", "user-1", () -> {
                clock.advance(Duration.ofMillis(3));
                return "ok";
            });
            infra.executeProtected("p", "user-1", () -> "never: denied");

            List<String> order = new ArrayList<>();
            for (int i = 0; i < plain.size(); i++) {
                List<?> p = (List<?>) plain.get(i);
                List<?> q = (List<?>) primitive.primitive.get(i);
                Map<?, ?> measurements = (Map<?, ?>) p.get(1);
                String first = switch (((String) p.get(0)).substring(t.prefix().toString().length() + 1)) {
                    case "circuit_breaker.call_executed", "protection_executed" -> "duration_us";
                    case "rate_limiter.request_allowed" -> "count";
                    default -> "retry_after_ms";
                };
                assertThat(q.get(0)).isEqualTo(p.get(0));
                assertThat(q.get(1)).as(p.get(0) + " " + first).isEqualTo(measurements.get(first));
                assertThat(q.get(2)).isEqualTo(p.get(2));
                order.add((String) p.get(0));
            }
            assertThat(primitive.primitive).hasSameSizeAs(plain);
            assertThat(order).containsExactly(names.get(2).toString(), names.get(0).toString(), names.get(1).toString(),
                    names.get(3).toString(), names.get(1).toString());
            assertThat(((List<?>) primitive.primitive.get(1)).get(1)).isEqualTo(3_000L);
            // the sliding window counter admits again once the weighted previous window leaves room: 20 s - 3 ms
            assertThat(((List<?>) primitive.primitive.get(3)).get(1)).isEqualTo(19_997L);
        }
    }

    /** With only primitive handlers the limiter decides without a Decision: the counts match the plain path's. */
    @Test
    void withOnlyPrimitiveHandlersTheLimiterAdmitsAndDeniesExactlyAsWithPlainOnes() {
        for (boolean primitiveOnly : new boolean[] {true, false}) {
            ManualClock clock = new ManualClock();
            try (Infrastructure infra = Infrastructure.builder().clock(clock).build()) {
                Telemetry t = infra.telemetry();
                Recording primitive = new Recording();
                List<EventName> names = List.of(t.name(Events.RATE_LIMITER_REQUEST_ALLOWED), t.name(Events.RATE_LIMITER_REQUEST_DENIED));
                t.attach("primitive", names, primitive);
                if (!primitiveOnly) {
                    t.attach("plain", names, (e, m, md) -> { });
                }
                RateLimit limit = RateLimit.of("l", 3, Duration.ofSeconds(1));
                int admitted = 0;
                for (int i = 0; i < 10; i++) {
                    admitted += infra.rateLimiter().tryAcquire("e", "op", limit) ? 1 : 0;
                }
                assertThat(admitted).as("primitive only: " + primitiveOnly).isEqualTo(3);
                List<Object> values = primitive.primitive.stream().<Object>map(x -> ((List<?>) x).get(1)).toList();
                assertThat(values.subList(0, 3)).containsOnly(1L);
                // 3 taken: the next fits when 3 x (previous window's weight) + 1 <= 3, a third of a second into the next window
                assertThat(values.subList(3, 10)).hasSize(7).containsOnly(1_333L);
                assertThat(primitive.mapped).isEmpty();
            }
        }
    }

    /** In a protection, a denial reaches a primitive handler once, though the stage decides it again for its error. */
    @Test
    void aProtectedCallIsDecidedOnceInEventsWhileOnlyPrimitiveHandlersListen() {
        ManualClock clock = new ManualClock();
        try (Infrastructure infra = Infrastructure.builder().clock(clock).build()) {
            Telemetry t = infra.telemetry();
            Recording primitive = new Recording();
            t.attach("primitive", List.of(t.name(Events.RATE_LIMITER_REQUEST_ALLOWED), t.name(Events.RATE_LIMITER_REQUEST_DENIED)),
                    primitive);
            infra.configureProtection("p", Protection.builder()
                    .rateLimitPerCaller("search", RateLimit.of("search", 1, Duration.ofSeconds(10))).build()).getOrThrow();

            assertThat(infra.executeProtected("p", "user-1", () -> "ok").isOk()).isTrue();
            assertThat(infra.executeProtected("p", "user-1", () -> "denied").errValue().orElseThrow().code())
                    .isEqualTo(6001);

            List<Object> events = primitive.primitive.stream().<Object>map(e -> ((List<?>) e).get(0)).toList();
            assertThat(events).containsExactly(t.name(Events.RATE_LIMITER_REQUEST_ALLOWED).toString(),
                            t.name(Events.RATE_LIMITER_REQUEST_DENIED).toString());
        }
    }
}
