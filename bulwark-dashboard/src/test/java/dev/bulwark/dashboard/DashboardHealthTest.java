package dev.bulwark.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.MAP;

import dev.bulwark.Infrastructure;
import dev.bulwark.Protection;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.health.Health;
import dev.bulwark.health.HealthCheckConfig;
import dev.bulwark.health.HealthGroup;
import dev.bulwark.memory.MemoryReading;
import dev.bulwark.pipeline.Criticality;
import dev.bulwark.time.ManualClock;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The probes answer core's health reports and the status shows the memory monitor, over real HTTP.
 * Time is a manual clock; checks run on the probing thread unless a test needs one to hang; memory
 * readings are injected ({@code memorySource}), as in core's tests.
 */
class DashboardHealthTest {

    private final ManualClock clock = new ManualClock();
    private final AtomicReference<MemoryReading> heap = new AtomicReference<>(MemoryReading.ofOccupancy(0.30));
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private Infrastructure infra;

    @AfterEach
    void stop() {
        if (infra != null) {
            infra.close();
        }
        pool.shutdownNow();
    }

    private InetSocketAddress start(Infrastructure.Builder builder) {
        infra = builder.clock(clock).memorySource(heap::get)
                .install(BulwarkDashboard.builder().port(0).tick(Duration.ofMillis(50)).asModule()).build();
        return infra.component(BulwarkDashboard.class).orElseThrow().address();
    }

    private static Map<String, Object> check(Http.Response r, String name) {
        Object checks = MiniJson.object(r.body()).get("checks");
        assertThat(checks).asInstanceOf(MAP).containsKey(name);
        @SuppressWarnings("unchecked")
        Map<String, Object> check = (Map<String, Object>) ((Map<String, Object>) checks).get(name);
        return check;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> details(Http.Response r, String name) {
        return (Map<String, Object>) check(r, name).get("details");
    }

    private void fail(String breaker) {
        infra.circuitBreakers().execute(breaker, () -> {
            throw new IOException("down");
        });
    }

    @Test
    void readinessIsCoresReportDegradedForAnOpenBreakerAndDownForACriticalOne() throws IOException {
        InetSocketAddress address = start(Infrastructure.builder().executor(Runnable::run));
        Http.Response live = Http.get(address, "/bulwark/health/live");
        assertThat(live.status()).isEqualTo(200);
        assertThat(MiniJson.object(live.body())).containsEntry("status", "UP").extractingByKey("checks").asInstanceOf(MAP)
                .containsOnlyKeys("deadlocks", "scheduler", "memory");
        Http.Response ready = Http.get(address, "/bulwark/health/ready");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(MiniJson.object(ready.body())).containsEntry("status", "UP");
        assertThat(check(ready, "memory_pressure")).containsEntry("status", "UP").containsKeys("duration_ms", "cached_at");

        CircuitBreakerConfig oneFailure = CircuitBreakerConfig.builder().consecutiveFailures(1).build();
        infra.circuitBreakers().install("cache", oneFailure);
        infra.circuitBreakers().install("ledger", oneFailure);
        infra.health().markCritical("ledger");          // core's registry decides what is critical

        fail("cache");                                    // open, not critical: DEGRADED, still 200
        ready = Http.get(address, "/bulwark/health/ready");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(MiniJson.object(ready.body())).containsEntry("status", "DEGRADED");
        assertThat(check(ready, "circuit_breaker.cache")).containsEntry("status", "DEGRADED");
        assertThat(details(ready, "circuit_breaker.cache")).containsEntry("state", "open").containsEntry("critical", false);

        fail("ledger");                                   // open and critical: DOWN, 503
        ready = Http.get(address, "/bulwark/health/ready");
        assertThat(ready.status()).isEqualTo(503);
        assertThat(MiniJson.object(ready.body())).containsEntry("status", "DOWN");
        assertThat(check(ready, "circuit_breaker.ledger")).containsEntry("status", "DOWN");
        assertThat(details(ready, "circuit_breaker.ledger")).containsEntry("critical", true)
                .hasEntrySatisfying("reason", reason -> assertThat((String) reason).contains("marked critical"));
        // liveness never depends on a dependency
        assertThat(Http.get(address, "/bulwark/health/live").status()).isEqualTo(200);

        // the status shows both reports
        Map<String, Object> status = MiniJson.object(Http.get(address, "/bulwark/status").body());
        assertThat(status.get("health")).asInstanceOf(MAP).containsEntry("live", "UP").containsEntry("ready", "DOWN")
                .containsKeys("checks", "live_checks");

        infra.circuitBreakers().reset("ledger");
        infra.circuitBreakers().reset("cache");
        assertThat(Http.get(address, "/bulwark/health/ready").status()).isEqualTo(200);
    }

    @Test
    void aHangingCheckIsReportedDownOnceItsTimeoutHasPassed() throws Exception {
        InetSocketAddress address = start(Infrastructure.builder().executor(pool));
        CountDownLatch entered = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        infra.health().register("orders_db", () -> {
            entered.countDown();
            try {
                new CountDownLatch(1).await();      // a dependency that never answers
            } catch (InterruptedException e) {
                interrupted.set(true);
                throw e;
            }
            return Health.up();
        }, HealthCheckConfig.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), HealthGroup.READINESS);
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();

        Http.Response during = Http.get(address, "/bulwark/health/ready");
        assertThat(during.status()).as("never finished yet: UNKNOWN").isEqualTo(503);
        assertThat(check(during, "orders_db")).containsEntry("status", "UNKNOWN");

        clock.advance(Duration.ofSeconds(1));           // its timeout
        Http.Response after = Http.get(address, "/bulwark/health/ready");
        assertThat(after.status()).isEqualTo(503);
        assertThat(MiniJson.object(after.body())).containsEntry("status", "DOWN");
        assertThat(check(after, "orders_db")).containsEntry("status", "DOWN").containsEntry("duration_ms", 1000.0);
        assertThat(details(after, "orders_db")).containsEntry("error", "timed out after 1000 ms");
        Awaitility.await().atMost(5, TimeUnit.SECONDS).untilTrue(interrupted);
    }

    @Test
    @SuppressWarnings("unchecked")
    void statusShowsTheMemoryMonitorsLevelAndShedCallsInTheTicks() throws IOException {
        InetSocketAddress address = start(Infrastructure.builder().executor(Runnable::run));
        Map<String, Object> memory = (Map<String, Object>) MiniJson.object(Http.get(address, "/bulwark/status").body())
                .get("memory");
        assertThat(memory).containsEntry("level", "normal").containsEntry("occupancy_after_gc", 0.30)
                .containsKeys("heap_used", "heap_max", "heap_committed", "used_after_gc", "time_in_level_ms");

        heap.set(MemoryReading.ofOccupancy(0.85));
        infra.memory().refresh();
        clock.advance(Duration.ofSeconds(3));
        memory = (Map<String, Object>) MiniJson.object(Http.get(address, "/bulwark/status").body()).get("memory");
        assertThat(memory).containsEntry("level", "elevated").containsEntry("occupancy_after_gc", 0.85)
                .containsEntry("time_in_level_ms", 3000.0);
        Http.Response ready = Http.get(address, "/bulwark/health/ready");
        assertThat(ready.status()).as("pressure is DEGRADED, never DOWN").isEqualTo(200);
        assertThat(check(ready, "memory_pressure")).containsEntry("status", "DEGRADED");
        assertThat(details(ready, "memory_pressure")).containsEntry("level", "elevated");

        heap.set(MemoryReading.ofOccupancy(0.95));
        infra.memory().refresh();
        memory = (Map<String, Object>) MiniJson.object(Http.get(address, "/bulwark/status").body()).get("memory");
        assertThat(memory).containsEntry("level", "critical");

        // shed calls: rejected outcomes of their protection, and counted per tick
        infra.configureProtection("recommendations", Protection.builder().shed().build());
        for (int i = 0; i < 3; i++) {
            assertThat(infra.executeProtected("recommendations", "u", Criticality.SHEDDABLE, () -> "x").isErr()).isTrue();
        }
        assertThat(infra.executeProtected("recommendations", "u", Criticality.CRITICAL, () -> "x").isOk()).isTrue();
        Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> {
            Map<String, Object> live = (Map<String, Object>) MiniJson.object(Http.get(address, "/bulwark/status").body())
                    .get("live");
            List<Map<String, Object>> history = (List<Map<String, Object>>) live.get("history");
            double shed = history.stream().mapToDouble(t -> ((Number) t.get("shed")).doubleValue()).sum();
            double rejected = history.stream().map(t -> (Map<String, Object>) t.get("protections"))
                    .map(p -> (Map<String, Object>) p.get("recommendations")).filter(java.util.Objects::nonNull)
                    .mapToDouble(p -> ((Number) p.get("rejected")).doubleValue()).sum();
            return shed == 3 && rejected == 3;
        });
    }
}
