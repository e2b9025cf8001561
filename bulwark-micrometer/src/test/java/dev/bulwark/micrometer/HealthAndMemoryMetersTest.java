package dev.bulwark.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Infrastructure;
import dev.bulwark.Protection;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.health.Health;
import dev.bulwark.health.HealthCheckConfig;
import dev.bulwark.health.HealthGroup;
import dev.bulwark.memory.MemoryReading;
import dev.bulwark.pipeline.Criticality;
import dev.bulwark.spi.Subscription;
import dev.bulwark.time.ManualClock;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The health and memory meters after scripted scenarios: breakers opening (one critical), a check
 * of the application's in a group of its own, injected memory readings and calls shed by criticality.
 * Checks run on a direct executor, time is a manual clock.
 */
class HealthAndMemoryMetersTest {

    private final ManualClock clock = new ManualClock();
    private final AtomicReference<MemoryReading> heap = new AtomicReference<>(MemoryReading.ofOccupancy(0.30));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Infrastructure infra = Infrastructure.builder().clock(clock).executor(Runnable::run)
            .memorySource(heap::get).install(BulwarkMetrics.bindTo(registry)).build();

    @AfterEach
    void stop() {
        infra.close();
    }

    private double status(String group) {
        return registry.get("bulwark.health.status").tags("group", group).gauge().value();
    }

    private double check(String group, String check) {
        return registry.get("bulwark.health.check_status").tags("group", group, "check", check).gauge().value();
    }

    private Search checks(String check) {
        return registry.find("bulwark.health.check_status").tag("check", check);
    }

    /** The gauges of a group share one report for {@link HealthGauges#REPORT_REUSE}: the next scrape. */
    private void nextScrape() {
        clock.advance(HealthGauges.REPORT_REUSE);
    }

    private void fail(String breaker) {
        infra.circuitBreakers().execute(breaker, () -> {
            throw new IOException("down");
        });
    }

    @Test
    void healthGaugesFollowTheReportsOfEachGroupAndCheck() {
        CircuitBreakerConfig oneFailure = CircuitBreakerConfig.builder().consecutiveFailures(1).build();
        infra.circuitBreakers().install("db", oneFailure);
        infra.circuitBreakers().install("ledger", oneFailure);
        infra.health().markCritical("ledger");

        assertThat(status("readiness")).isZero();
        assertThat(status("liveness")).isZero();
        assertThat(check("readiness", "circuit_breaker.db")).isZero();
        assertThat(check("readiness", "memory_pressure")).isZero();
        assertThat(check("liveness", "deadlocks")).isZero();
        assertThat(check("liveness", "scheduler")).isZero();

        fail("db");                                                   // open, not critical: DEGRADED
        assertThat(check("readiness", "circuit_breaker.db")).as("the same scrape's report").isZero();
        nextScrape();
        assertThat(check("readiness", "circuit_breaker.db")).isEqualTo(1);
        assertThat(status("readiness")).isEqualTo(1);

        fail("ledger");                                               // open and critical: DOWN
        nextScrape();
        assertThat(check("readiness", "circuit_breaker.ledger")).isEqualTo(3);
        assertThat(status("readiness")).isEqualTo(3);
        assertThat(status("liveness")).as("liveness never depends on a dependency").isZero();

        // a check of the application's in readiness and a group of its own
        Subscription cache = infra.health().register("cache", () -> Health.down("refused"),
                HealthGroup.of("startup"), HealthGroup.READINESS);
        nextScrape();
        assertThat(status("startup")).isEqualTo(3);
        assertThat(check("startup", "cache")).isEqualTo(3);
        assertThat(check("readiness", "cache")).isEqualTo(3);

        // checks go with their breaker or their registration, a group with its last check
        infra.circuitBreakers().remove("db");
        assertThat(checks("circuit_breaker.db").gauges()).isEmpty();
        cache.close();
        assertThat(checks("cache").gauges()).isEmpty();
        assertThat(registry.find("bulwark.health.status").tag("group", "startup").gauges()).isEmpty();
        assertThat(registry.find("bulwark.health.status").gauges()).hasSize(2);

        infra.circuitBreakers().reset("ledger");
        nextScrape();
        assertThat(status("readiness")).isZero();
    }

    @Test
    void aCheckBeyondTheCheckBoundHasNoGaugeButStillCountsInItsGroup() {
        SimpleMeterRegistry bounded = new SimpleMeterRegistry();
        try (Infrastructure small = Infrastructure.builder().clock(clock).executor(Runnable::run).memorySource(heap::get)
                .install(BulwarkMetrics.bindTo(bounded, MetricsConfig.builder().maxTagValues("check", 5).build())).build()) {
            int before = bounded.find("bulwark.health.check_status").gauges().size();
            assertThat(before).isEqualTo(5);   // deadlocks, scheduler, memory, memory_pressure, rate_limiter_keys
            small.health().register("orders_db", () -> Health.down("refused"));
            assertThat(bounded.find("bulwark.health.check_status").gauges()).hasSize(5);
            assertThat(bounded.get("bulwark.health.status").tags("group", "readiness").gauge().value()).isEqualTo(3);
            assertThat(bounded.get("bulwark.micrometer.tag_overflows").tags("component", "health", "tag", "check")
                    .functionCounter().count()).isEqualTo(1);
        }
    }

    @Test
    void memoryGaugesReadTheMonitorAndShedRejectionsCountByCriticality() {
        assertThat(registry.get("bulwark.memory.pressure").gauge().value()).isZero();
        assertThat(registry.get("bulwark.memory.occupancy").gauge().value()).isEqualTo(0.30);
        assertThat(registry.get("bulwark.memory.occupancy").gauge().getId().getBaseUnit()).isEqualTo("ratio");

        infra.configureProtection("recommendations", Protection.builder().shed().build());
        heap.set(MemoryReading.ofOccupancy(0.85));
        infra.memory().refresh();
        assertThat(registry.get("bulwark.memory.pressure").gauge().value()).isEqualTo(1);
        assertThat(registry.get("bulwark.memory.occupancy").gauge().value()).isEqualTo(0.85);
        infra.executeProtected("recommendations", "u1", Criticality.SHEDDABLE, () -> "shed");
        infra.executeProtected("recommendations", "u1", Criticality.DEFAULT, () -> "runs");

        heap.set(MemoryReading.ofOccupancy(0.95));
        infra.memory().refresh();
        assertThat(registry.get("bulwark.memory.pressure").gauge().value()).isEqualTo(2);
        infra.executeProtected("recommendations", "u1", Criticality.SHEDDABLE, () -> "shed");
        infra.executeProtected("recommendations", "u1", Criticality.SHEDDABLE, () -> "shed");
        infra.executeProtected("recommendations", "u1", Criticality.DEFAULT, () -> "shed");
        infra.executeProtected("recommendations", "u1", Criticality.CRITICAL, () -> "runs");

        assertThat(shed("elevated", "sheddable")).isEqualTo(1);
        assertThat(shed("critical", "sheddable")).isEqualTo(2);
        assertThat(shed("critical", "default")).isEqualTo(1);
        assertThat(registry.find("bulwark.overload.shed").counters()).hasSize(3);
        // a shed call is a rejection of its protection (7201)
        assertThat(registry.get("bulwark.protection.calls").tags("key", "recommendations", "outcome", "rejected")
                .functionTimer().count()).isEqualTo(4);
        assertThat(registry.get("bulwark.protection.calls").tags("key", "recommendations", "outcome", "success")
                .functionTimer().count()).isEqualTo(2);

        heap.set(MemoryReading.ofOccupancy(0.10));
        infra.memory().refresh();
        assertThat(registry.get("bulwark.memory.pressure").gauge().value()).isZero();
        assertThat(changes("normal", "elevated")).isEqualTo(1);
        assertThat(changes("elevated", "critical")).isEqualTo(1);
        assertThat(changes("critical", "normal")).isEqualTo(1);

        nextScrape();
        assertThat(check("readiness", "memory_pressure")).isZero();

        // the protection's shed series go with it
        infra.removeProtection("recommendations");
        assertThat(registry.find("bulwark.overload.shed").meters()).isEmpty();
    }

    @Test
    void closingRemovesTheHealthAndMemoryMeters() {
        assertThat(registry.getMeters().stream().map(m -> m.getId().getName()))
                .contains("bulwark.health.status", "bulwark.health.check_status", "bulwark.memory.pressure",
                        "bulwark.memory.occupancy");
        BulwarkMetrics.Status status = infra.status()
                .component(BulwarkMetrics.COMPONENT_NAME, BulwarkMetrics.Status.class).orElseThrow();
        assertThat(status.series()).isEqualTo(registry.getMeters().size());
        infra.close();
        assertThat(registry.getMeters()).extracting(Meter::getId).isEmpty();
    }

    @Test
    void aHangingCheckReadsDownOnceItsTimeoutHasPassedAndNeverHoldsTheScrape() throws Exception {
        ExecutorService pool = Executors.newCachedThreadPool();
        SimpleMeterRegistry threadedRegistry = new SimpleMeterRegistry();
        try (Infrastructure threaded = Infrastructure.builder().clock(clock).executor(pool).memorySource(heap::get)
                .install(BulwarkMetrics.bindTo(threadedRegistry)).build()) {
            CountDownLatch entered = new CountDownLatch(1);
            threaded.health().register("orders_db", () -> {
                entered.countDown();
                new CountDownLatch(1).await();   // never answers
                return Health.up();
            }, HealthCheckConfig.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), HealthGroup.READINESS);
            assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
            Gauge gauge = threadedRegistry.get("bulwark.health.check_status")
                    .tags("group", "readiness", "check", "orders_db").gauge();
            assertThat(gauge.value()).as("still running its first run: UNKNOWN").isEqualTo(2);
            clock.advance(Duration.ofSeconds(1));            // its timeout, and the next scrape
            assertThat(gauge.value()).isEqualTo(3);
            assertThat(threadedRegistry.get("bulwark.health.status").tags("group", "readiness").gauge().value()).isEqualTo(3);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void checksComingAndGoingWhileScrapesRunLeaveExactlyOneGaugePerCheck() throws Exception {
        int writers = 4;
        int perWriter = 400;
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Infrastructure infra = Infrastructure.builder().clock(clock).executor(Runnable::run).memorySource(heap::get)
                .install(BulwarkMetrics.bindTo(registry, MetricsConfig.builder().maxTagValues("check", 10_000).build()))
                .build();
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int id = w;
            threads.add(new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < perWriter; i++) {
                        Subscription s = infra.health().register("w" + id + "_" + i, Health::up, HealthGroup.of("g" + id));
                        if (i % 2 == 0) {
                            s.close();
                        }
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        for (int r = 0; r < 2; r++) {
            threads.add(new Thread(() -> {
                try {
                    start.await();
                    while (!done.get()) {
                        registry.getMeters().forEach(m -> m.measure().forEach(x -> x.getValue()));
                        clock.advance(Duration.ofMillis(100));
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        threads.forEach(Thread::start);
        start.countDown();
        for (Thread t : threads.subList(0, writers)) {
            t.join(TimeUnit.MINUTES.toMillis(1));
        }
        done.set(true);
        for (Thread t : threads) {
            t.join(TimeUnit.MINUTES.toMillis(1));
        }
        assertThat(failure.get()).isNull();
        for (int w = 0; w < writers; w++) {
            assertThat(registry.find("bulwark.health.check_status").tag("group", "g" + w).gauges())
                    .hasSize(perWriter / 2);
            assertThat(registry.find("bulwark.health.status").tag("group", "g" + w).gauges()).hasSize(1);
        }
        long registered = infra.health().names().size();
        assertThat(registry.find("bulwark.health.check_status").gauges())
                .as("one gauge per check and group; every check here is in one group")
                .hasSize((int) registered);
        infra.close();
        assertThat(registry.getMeters()).isEmpty();
    }

    private double shed(String level, String criticality) {
        return registry.get("bulwark.overload.shed")
                .tags("name", "recommendations", "level", level, "criticality", criticality).counter().count();
    }

    private double changes(String from, String to) {
        return registry.get("bulwark.memory.pressure_changes").tags("from", from, "to", to).counter().count();
    }
}
