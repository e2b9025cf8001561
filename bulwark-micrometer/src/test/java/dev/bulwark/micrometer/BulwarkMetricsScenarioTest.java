package dev.bulwark.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.bulwark.Infrastructure;
import dev.bulwark.Protection;
import dev.bulwark.Result;
import dev.bulwark.circuit.CircuitBreaker;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.memory.MemoryReading;
import dev.bulwark.pipeline.BulkheadConfig;
import dev.bulwark.pipeline.Criticality;
import dev.bulwark.pipeline.FallbackConfig;
import dev.bulwark.pipeline.RetryBudget;
import dev.bulwark.pipeline.RetryConfig;
import dev.bulwark.telemetry.EventKeys;
import dev.bulwark.telemetry.Events;
import dev.bulwark.time.ManualClock;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A scripted scenario on a manual clock (a breaker opening and closing, rate-limited users, retries,
 * a fallback, a full bulkhead, a timeout, a spent retry budget, a distributed store's backend
 * failing), then each meter's value in a {@link SimpleMeterRegistry}.
 */
class BulwarkMetricsScenarioTest {

    private final ManualClock clock = new ManualClock();
    private final AtomicReference<MemoryReading> heap = new AtomicReference<>(MemoryReading.ofOccupancy(0.30));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private Infrastructure infra;

    @BeforeEach
    void start() {
        infra = Infrastructure.builder().clock(clock).memorySource(heap::get).install(new FakePool("db"))
                .install(BulwarkMetrics.bindTo(registry)).build();
    }

    @AfterEach
    void stop() {
        infra.close();
    }

    /** Runs the whole scenario; each test reads a part of the result. */
    static void scenario(Infrastructure infra, ManualClock clock, AtomicReference<MemoryReading> heap) {
        CircuitBreaker db = infra.circuitBreakers().install("db", CircuitBreakerConfig.builder()
                .consecutiveFailures(3).reset(Duration.ofSeconds(10)).build());
        for (int i = 0; i < 4; i++) {
            db.execute(() -> {
                clock.advance(Duration.ofMillis(5));
                return "ok";
            });
        }
        for (int i = 0; i < 3; i++) {
            db.execute(() -> {
                clock.advance(Duration.ofMillis(20));
                throw new IOException("down");
            });
        }
        db.execute(() -> "rejected");
        db.execute(() -> "rejected");
        clock.advance(Duration.ofSeconds(10));
        db.execute(() -> {
            clock.advance(Duration.ofMillis(5));
            return "ok again";
        });

        for (int i = 0; i < 3; i++) {
            infra.rateLimiter().checkRate("user:1", "api", 2, Duration.ofMinutes(1));
        }
        infra.rateLimiter().checkRate("user:2", "api", 2, Duration.ofMinutes(1));

        CircuitBreakerConfig tolerant = CircuitBreakerConfig.builder().consecutiveFailures(100).build();
        infra.configureProtection("inventory", Protection.builder()
                .fallback(FallbackConfig.ofValue("cached"))
                .retry(RetryConfig.builder().maxAttempts(3).noBackoff().build())
                .circuitBreaker("inventory", tolerant).build());
        infra.executeProtected("inventory", () -> {
            throw new IOException("inventory down");
        });
        infra.executeProtected("inventory", () -> {
            clock.advance(Duration.ofMillis(7));
            return "stock";
        });

        infra.configureProtection("pool", Protection.builder().bulkhead(BulkheadConfig.of(1)).build());
        infra.executeProtectedAsync("pool", CompletableFuture::new);   // holds the only place, forever
        infra.executeProtected("pool", () -> "no place");

        infra.configureProtection("slow", Protection.builder().attemptTimeout(Duration.ofMillis(100)).build());
        infra.executeProtectedAsync("slow", CompletableFuture::new);
        clock.advance(Duration.ofMillis(100));

        infra.configureProtection("broken_fallback", Protection.builder()
                .fallback(FallbackConfig.ofSupplier(() -> {
                    throw new IllegalStateException("no cache either");
                })).build());
        infra.executeProtected("broken_fallback", () -> {
            throw new IOException("down");
        });

        infra.configureProtection("budgeted", Protection.builder()
                .retry(RetryConfig.builder().maxAttempts(3).noBackoff().budget(RetryBudget.of(0.1, 0)).build()).build());
        infra.executeProtected("budgeted", () -> {
            throw new IOException("down");
        });

        // a distributed store's events, as the Redis store emits them
        infra.telemetry().channel(Events.RATE_LIMITER_BACKEND_FAILURE).emit(Map.of(EventKeys.DURATION_US, 1500),
                Map.of(EventKeys.BACKEND, "redis", EventKeys.POLICY, "FAIL_OPEN", EventKeys.REASON, "timeout",
                        EventKeys.ENTITY_ID, "user:1", EventKeys.OPERATION, "api"));
        infra.telemetry().channel(Events.RATE_LIMITER_DENY_CACHE_HIT).emit(Map.of(EventKeys.RETRY_AFTER_MS, 10),
                Map.of(EventKeys.BACKEND, "redis", EventKeys.ENTITY_ID, "user:1", EventKeys.OPERATION, "api"));

        // memory pressure: a sheddable call shed at ELEVATED, then back to NORMAL
        infra.configureProtection("recommendations", Protection.builder().shed().build());
        heap.set(MemoryReading.ofOccupancy(0.85));
        infra.memory().refresh();
        infra.executeProtected("recommendations", "user:1", Criticality.SHEDDABLE, () -> "prefetch");
        heap.set(MemoryReading.ofOccupancy(0.30));
        infra.memory().refresh();
    }

    private double count(String name, String... tags) {
        return registry.get(name).tags(tags).counter().count();
    }

    private FunctionTimer timer(String name, String... tags) {
        return registry.get(name).tags(tags).functionTimer();
    }

    private double gauge(String name, String... tags) {
        return registry.get(name).tags(tags).gauge().value();
    }

    @Test
    void breakerMeters() {
        scenario(infra, clock, heap);
        assertThat(timer("bulwark.circuit_breaker.calls", "name", "db", "status", "success").count()).isEqualTo(5);
        assertThat(timer("bulwark.circuit_breaker.calls", "name", "db", "status", "success").totalTime(TimeUnit.MILLISECONDS))
                .isCloseTo(25.0, within(1e-9));
        assertThat(timer("bulwark.circuit_breaker.calls", "name", "db", "status", "exception").count()).isEqualTo(3);
        assertThat(timer("bulwark.circuit_breaker.calls", "name", "db", "status", "exception").totalTime(TimeUnit.SECONDS))
                .isCloseTo(0.060, within(1e-9));
        assertThat(registry.get("bulwark.circuit_breaker.calls").tags("name", "db", "status", "success").meter()
                .getId().getBaseUnit()).isEqualTo("seconds");
        assertThat(count("bulwark.circuit_breaker.rejections", "name", "db", "reason", "open")).isEqualTo(2);
        assertThat(count("bulwark.circuit_breaker.transitions", "name", "db", "from", "closed", "to", "open")).isEqualTo(1);
        assertThat(count("bulwark.circuit_breaker.transitions", "name", "db", "from", "open", "to", "closed")).isEqualTo(1);
        assertThat(gauge("bulwark.circuit_breaker.state", "name", "db")).isZero();
        infra.circuitBreakers().disable("db");
        assertThat(gauge("bulwark.circuit_breaker.state", "name", "db")).isEqualTo(3);
        assertThat(gauge("bulwark.circuit_breaker.failure_rate", "name", "db"))
                .isEqualTo(infra.circuitBreakers().get("db").orElseThrow().stats().failureRate());
        // the pipeline's own breaker, installed by its protection, is followed too
        assertThat(gauge("bulwark.circuit_breaker.state", "name", "inventory")).isZero();
        assertThat(timer("bulwark.circuit_breaker.calls", "name", "inventory", "status", "exception").count()).isEqualTo(3);
    }

    @Test
    void rateLimitMetersCountByOperationAndOutcome() {
        scenario(infra, clock, heap);
        assertThat(count("bulwark.rate_limiter.decisions", "operation", "api", "outcome", "allowed")).isEqualTo(3);
        assertThat(count("bulwark.rate_limiter.decisions", "operation", "api", "outcome", "denied")).isEqualTo(1);
        assertThat(gauge("bulwark.rate_limiter.keys")).isEqualTo(2);
        assertThat(count("bulwark.rate_limiter.backend_failures", "backend", "redis", "policy", "FAIL_OPEN",
                "reason", "timeout")).isEqualTo(1);
        assertThat(count("bulwark.rate_limiter.deny_cache_hits", "backend", "redis", "operation", "api")).isEqualTo(1);
        assertThat(registry.getMeters()).allSatisfy(m -> assertThat(m.getId().getTags())
                .noneMatch(t -> t.getValue().startsWith("user:")));
    }

    @Test
    void pipelineMeters() {
        scenario(infra, clock, heap);
        assertThat(timer("bulwark.protection.calls", "key", "inventory", "outcome", "fallback").count()).isEqualTo(1);
        assertThat(timer("bulwark.protection.calls", "key", "inventory", "outcome", "success").count()).isEqualTo(1);
        assertThat(timer("bulwark.protection.calls", "key", "inventory", "outcome", "success").totalTime(TimeUnit.MILLISECONDS))
                .isCloseTo(7.0, within(1e-9));
        assertThat(timer("bulwark.protection.calls", "key", "pool", "outcome", "rejected").count()).isEqualTo(1);
        // 7002 is a rejection code (the call was cut short, no stack trace)
        assertThat(timer("bulwark.protection.calls", "key", "slow", "outcome", "rejected").count()).isEqualTo(1);
        assertThat(timer("bulwark.protection.calls", "key", "budgeted", "outcome", "failure").count()).isEqualTo(1);
        assertThat(count("bulwark.retry.retries", "name", "inventory")).isEqualTo(2);
        assertThat(count("bulwark.retry.exhausted", "name", "inventory")).isEqualTo(1);
        assertThat(count("bulwark.retry.budget_rejections", "name", "budgeted")).isEqualTo(1);
        assertThat(count("bulwark.fallback.used", "name", "inventory", "source", "value")).isEqualTo(1);
        assertThat(count("bulwark.fallback.failures", "name", "broken_fallback")).isEqualTo(1);
        assertThat(count("bulwark.bulkhead.rejections", "name", "pool")).isEqualTo(1);
        assertThat(gauge("bulwark.bulkhead.in_flight", "name", "pool")).isEqualTo(1);
        assertThat(gauge("bulwark.bulkhead.waiting", "name", "pool")).isZero();
        assertThat(count("bulwark.timeout.timeouts", "name", "slow.attempt")).isEqualTo(1);
        assertThat(registry.get("bulwark.telemetry.dropped_events").functionCounter().count()).isZero();
        assertThat(registry.get("bulwark.telemetry.handler_failures").functionCounter().count()).isZero();
        assertThat(count("bulwark.overload.shed", "name", "recommendations", "level", "elevated",
                "criticality", "sheddable")).isEqualTo(1);
        assertThat(timer("bulwark.protection.calls", "key", "recommendations", "outcome", "rejected").count()).isEqualTo(1);
    }

    @Test
    void healthAndMemoryMeters() {
        scenario(infra, clock, heap);
        // the scenario ends with the db breaker closed, the inventory breaker closed, memory back to normal
        assertThat(gauge("bulwark.health.status", "group", "readiness")).isZero();
        assertThat(gauge("bulwark.health.check_status", "group", "readiness", "check", "circuit_breaker.db")).isZero();
        assertThat(gauge("bulwark.health.check_status", "group", "readiness", "check", "rate_limiter_keys")).isZero();
        assertThat(gauge("bulwark.memory.pressure")).isZero();
        assertThat(gauge("bulwark.memory.occupancy")).isEqualTo(0.30);
        assertThat(count("bulwark.memory.pressure_changes", "from", "normal", "to", "elevated")).isEqualTo(1);
        assertThat(count("bulwark.memory.pressure_changes", "from", "elevated", "to", "normal")).isEqualTo(1);
        infra.circuitBreakers().disable("db");
        clock.advance(HealthGauges.REPORT_REUSE);
        assertThat(gauge("bulwark.health.check_status", "group", "readiness", "check", "circuit_breaker.db")).isEqualTo(1);
        assertThat(gauge("bulwark.health.status", "group", "readiness")).isEqualTo(1);
    }

    @Test
    void everyRegisteredMeterIsInTheCatalogueWithItsTypeUnitAndTags() {
        scenario(infra, clock, heap);
        Set<String> seen = new HashSet<>();
        for (Meter meter : registry.getMeters()) {
            Meter.Id id = meter.getId();
            MeterDefinition def = MeterCatalogue.find(id.getName()).orElseThrow(
                    () -> new AssertionError("not in the catalogue: " + id));
            assertThat(id.getType()).as(id.toString()).isEqualTo(def.type());
            assertThat(id.getTags().stream().map(Tag::getKey).sorted().toList()).as(id.toString())
                    .isEqualTo(def.tags().stream().sorted().toList());
            if (def.type() == Meter.Type.TIMER) {
                assertThat(id.getBaseUnit()).as(id.toString()).isEqualTo("seconds");
            } else if (!def.baseUnit().isEmpty()) {
                assertThat(id.getBaseUnit()).as(id.toString()).isEqualTo(def.baseUnit());
            }
            seen.add(id.getName());
        }
        // the scenario exercises every meter of the catalogue except the overflow counter's overflow
        assertThat(seen).containsExactlyInAnyOrderElementsOf(
                MeterCatalogue.all().stream().map(MeterDefinition::name).toList());
    }

    @Test
    void theBinderShowsInStatusAndClosingTheInfrastructureRemovesEveryMeter() {
        scenario(infra, clock, heap);
        BulwarkMetrics.Status status = infra.status()
                .component(BulwarkMetrics.COMPONENT_NAME, BulwarkMetrics.Status.class).orElseThrow();
        assertThat(status.series()).isEqualTo(registry.getMeters().size());
        assertThat(status.tagOverflows()).isEmpty();
        infra.close();
        assertThat(registry.getMeters()).isEmpty();
        assertThat(infra.telemetry().handlerIds()).noneMatch(id -> id.startsWith("micrometer:"));
    }

    @Test
    void percentilesAndHistogramMakeTheProtectionTimerAFullTimer() {
        io.micrometer.prometheusmetrics.PrometheusMeterRegistry other = new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
                io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
        try (Infrastructure withPercentiles = Infrastructure.builder().clock(clock)
                .install(BulwarkMetrics.bindTo(other, MetricsConfig.builder().protectionPercentiles(0.5, 0.99)
                        .protectionHistogram(true).build())).build()) {
            withPercentiles.configureProtection("p", Protection.builder().retry(RetryConfig.defaults()).build());
            for (int i = 1; i <= 100; i++) {
                long ms = i;
                Result<String> r = withPercentiles.executeProtected("p", () -> {
                    clock.advance(Duration.ofMillis(ms));
                    return "ok";
                });
                assertThat(r.isOk()).isTrue();
            }
            io.micrometer.core.instrument.Timer timer = other.get("bulwark.protection.calls")
                    .tags("key", "p", "outcome", "success").timer();
            assertThat(timer.count()).isEqualTo(100);
            assertThat(timer.max(TimeUnit.MILLISECONDS)).isEqualTo(100.0);
            List<Double> percentiles = java.util.Arrays.stream(timer.takeSnapshot().percentileValues())
                    .map(v -> v.value(TimeUnit.MILLISECONDS)).toList();
            assertThat(percentiles).hasSize(2);
            assertThat(percentiles.get(0)).isBetween(45.0, 55.0);
            assertThat(percentiles.get(1)).isBetween(95.0, 105.0);
            String scrape = other.scrape();
            assertThat(scrape).contains("bulwark_protection_calls_seconds_bucket{key=\"p\",outcome=\"success\",le=")
                    .contains("bulwark_protection_calls_seconds_count{key=\"p\",outcome=\"success\"} 100")
                    .contains("bulwark_protection_calls_seconds_sum{key=\"p\",outcome=\"success\"} 5.05")
                    .contains("bulwark_protection_calls_seconds_max{key=\"p\",outcome=\"success\"} 0.1");
        }
    }
}
