package dev.bulwark.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Infrastructure;
import dev.bulwark.circuit.CircuitBreaker;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.memory.MemoryConfig;
import dev.bulwark.memory.MemoryReading;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.time.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What core contributes to health: breakers, memory, the key bound, and the process's liveness. */
class CoreHealthChecksTest {

    private final ManualClock clock = new ManualClock();
    private final AtomicReference<MemoryReading> heap = new AtomicReference<>(MemoryReading.ofOccupancy(0.30));
    private final Infrastructure infra = Infrastructure.builder().clock(clock).executor(Runnable::run)
            .memorySource(heap::get)
            .memory(MemoryConfig.builder().criticalGracePeriod(Duration.ofSeconds(60)).build())
            .rateLimitMaxKeys(10)
            .build();
    private final HealthRegistry health = infra.health();

    @AfterEach
    void tearDown() {
        infra.close();
    }

    /** Opens on the second failure, half-opens after 10 s, closes after one trial success. */
    private CircuitBreaker breaker(String name) {
        return infra.circuitBreakers().install(name, CircuitBreakerConfig.builder().failureCount(1, Duration.ofMinutes(1))
                .halfOpen(Duration.ofSeconds(10), 1, 1).build());
    }

    private static void fail(CircuitBreaker breaker, int times) {
        for (int i = 0; i < times; i++) {
            breaker.execute(() -> {
                throw new IOException("refused");
            });
        }
    }

    private HealthStatus readinessOf(String check) {
        return health.readiness().checks().get(check).status();
    }

    // ------------------------------------------------------------------ breakers

    @Test
    void everyBreakerHasAReadinessCheckThatFollowsItsState() {
        CircuitBreaker inventory = breaker("inventory");
        assertThat(readinessOf("circuit_breaker.inventory")).isEqualTo(HealthStatus.UP);

        fail(inventory, 2);
        HealthReport open = health.readiness();
        assertThat(open.checks().get("circuit_breaker.inventory").status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(open.checks().get("circuit_breaker.inventory").details()).containsEntry("state", "open")
                .containsEntry("critical", false);
        assertThat(open.status()).as("an open breaker is not DOWN").isEqualTo(HealthStatus.DEGRADED);
        assertThat(open.httpStatus()).isEqualTo(200);

        clock.advance(Duration.ofSeconds(10));
        inventory.state();   // the breaker half-opens when next asked
        assertThat(readinessOf("circuit_breaker.inventory")).isEqualTo(HealthStatus.DEGRADED);
        inventory.execute(() -> "ok");
        assertThat(readinessOf("circuit_breaker.inventory")).isEqualTo(HealthStatus.UP);

        inventory.disable();
        assertThat(readinessOf("circuit_breaker.inventory")).isEqualTo(HealthStatus.DEGRADED);
    }

    @Test
    void onlyACriticalBreakerMakesReadinessDownAndOnlyWhileOpen() {
        CircuitBreaker payments = breaker("payments");
        assertThat(health.markCritical("payments")).isTrue();
        assertThat(health.markCritical("payments")).isFalse();
        fail(payments, 2);
        HealthReport report = health.readiness();
        assertThat(report.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(report.httpStatus()).isEqualTo(503);
        assertThat(report.checks().get("circuit_breaker.payments").details()).containsEntry("critical", true);

        clock.advance(Duration.ofSeconds(10));
        payments.state();
        assertThat(readinessOf("circuit_breaker.payments")).as("half-open admits the trial calls that can close it")
                .isEqualTo(HealthStatus.DEGRADED);

        fail(payments, 1);   // the trial fails: open again
        assertThat(health.readiness().status()).isEqualTo(HealthStatus.DOWN);
        assertThat(health.unmarkCritical("payments")).isTrue();
        assertThat(health.readiness().status()).isEqualTo(HealthStatus.DEGRADED);
    }

    @Test
    void criticalBreakersCanBeConfiguredBeforeTheyExist() {
        try (Infrastructure configured = Infrastructure.builder().clock(clock).executor(Runnable::run)
                .health(HealthConfig.builder().criticalBreakers("ledger").build()).build()) {
            assertThat(configured.health().criticalBreakers()).containsExactly("ledger");
            CircuitBreaker ledger = configured.circuitBreakers().install("ledger", CircuitBreakerConfig.builder()
                    .failureCount(1, Duration.ofMinutes(1)).build());
            fail(ledger, 2);
            assertThat(configured.health().readiness().status()).isEqualTo(HealthStatus.DOWN);
        }
    }

    @Test
    void aRemovedBreakerTakesItsCheckAlong() {
        breaker("temporary");
        assertThat(health.names()).contains("circuit_breaker.temporary");
        infra.circuitBreakers().remove("temporary");
        assertThat(health.names()).doesNotContain("circuit_breaker.temporary");
    }

    // ------------------------------------------------------------------ liveness

    @Test
    void livenessIsUnaffectedByAnyBreakerOrDependency() {
        CircuitBreaker payments = breaker("payments");
        CircuitBreaker inventory = breaker("inventory");
        health.markCritical("payments");
        fail(payments, 2);
        fail(inventory, 2);
        infra.circuitBreakers().install("forced").disable();
        health.register("orders_db", () -> {
            throw new IOException("connection refused");
        });
        health.register("search", () -> Health.down("index missing"));
        heap.set(MemoryReading.ofOccupancy(0.85));
        infra.memory().refresh();
        for (int i = 0; i < 20; i++) {   // far beyond readiness, breakers half-opening and failing again
            fail(payments, 2);
            HealthReport readiness = health.readiness();
            assertThat(readiness.status()).isEqualTo(HealthStatus.DOWN);
            HealthReport liveness = health.liveness();
            assertThat(liveness.status()).as("liveness at %s s: %s", i * 10, liveness).isEqualTo(HealthStatus.UP);
            assertThat(liveness.checks()).containsOnlyKeys("deadlocks", "scheduler", "memory");
            clock.advance(Duration.ofSeconds(10));
        }
        assertThat(health.liveness().httpStatus()).isEqualTo(200);
    }

    // ------------------------------------------------------------------ memory

    @Test
    void memoryPressureIsDegradedReadinessAndUnrecoveredCriticalMemoryIsDownLiveness() {
        assertThat(readinessOf("memory_pressure")).isEqualTo(HealthStatus.UP);
        heap.set(MemoryReading.ofOccupancy(0.85));
        infra.memory().refresh();
        assertThat(readinessOf("memory_pressure")).isEqualTo(HealthStatus.DEGRADED);
        heap.set(MemoryReading.ofOccupancy(0.95));
        infra.memory().refresh();
        assertThat(readinessOf("memory_pressure")).as("critical memory sheds; it does not take the instance out")
                .isEqualTo(HealthStatus.DEGRADED);
        assertThat(health.liveness().status()).as("within the grace period").isEqualTo(HealthStatus.UP);

        clock.advance(Duration.ofSeconds(59));
        infra.memory().refresh();
        assertThat(health.liveness().status()).isEqualTo(HealthStatus.UP);
        clock.advance(Duration.ofSeconds(1));
        HealthReport liveness = health.liveness();
        assertThat(liveness.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(liveness.checks().get("memory").details().get(Health.REASON).toString())
                .contains("memory critical for 60 s");

        heap.set(MemoryReading.ofOccupancy(0.80));   // recovers to ELEVATED
        infra.memory().refresh();
        assertThat(health.liveness().status()).isEqualTo(HealthStatus.UP);
    }

    @Test
    void criticalMemoryThatRecoversInTimeNeverTouchesLiveness() {
        for (int i = 0; i < 10; i++) {
            heap.set(MemoryReading.ofOccupancy(0.95));
            infra.memory().refresh();
            clock.advance(Duration.ofSeconds(50));
            assertThat(health.liveness().status()).isEqualTo(HealthStatus.UP);
            heap.set(MemoryReading.ofOccupancy(0.50));
            infra.memory().refresh();
            clock.advance(Duration.ofSeconds(50));
        }
    }

    // ------------------------------------------------------------------ rate limiter

    @Test
    void theKeyBoundIsDegradedNearAndAtIt() {
        RateLimit rule = RateLimit.of("r", 100, Duration.ofMinutes(1));
        for (int i = 0; i < 8; i++) {
            infra.rateLimiter().tryAcquire("user-" + i, "op", rule);
        }
        assertThat(readinessOf("rate_limiter_keys")).isEqualTo(HealthStatus.UP);
        infra.rateLimiter().tryAcquire("user-8", "op", rule);
        HealthReport.Check near = health.readiness().checks().get("rate_limiter_keys");
        assertThat(near.status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(near.details().get(Health.REASON).toString()).contains("near the key bound");
        infra.rateLimiter().tryAcquire("user-9", "op", rule);
        infra.rateLimiter().tryAcquire("user-10", "op", rule);   // refused at the bound
        HealthReport.Check at = health.readiness().checks().get("rate_limiter_keys");
        assertThat(at.details().get(Health.REASON).toString()).contains("at the key bound");
        assertThat(at.details()).containsEntry("keys", 10L).containsEntry("max_keys", 10L)
                .containsEntry("key_bound_refusals", 1L);
    }

    // ------------------------------------------------------------------ the process itself

    @Test
    void deadlockedThreadsMakeLivenessDown() throws Exception {
        ReentrantLock first = new ReentrantLock();
        ReentrantLock second = new ReentrantLock();
        CountDownLatch bothHeld = new CountDownLatch(2);
        Thread a = new Thread(() -> lockBoth(first, second, bothHeld), "deadlock-test-a");
        Thread b = new Thread(() -> lockBoth(second, first, bothHeld), "deadlock-test-b");
        a.setDaemon(true);
        b.setDaemon(true);
        a.start();
        b.start();
        try {
            assertThat(bothHeld.await(5, TimeUnit.SECONDS)).isTrue();
            Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> {
                clock.advance(Duration.ofSeconds(3));   // past the deadlock check's TTL
                health.liveness();
                return health.liveness().status() == HealthStatus.DOWN;
            });
            HealthReport.Check deadlocks = health.liveness().checks().get("deadlocks");
            assertThat(deadlocks.details().get("threads").toString()).contains("deadlock-test-a", "deadlock-test-b");
            assertThat(health.readiness().checks()).doesNotContainKey("deadlocks");
        } finally {
            a.interrupt();
            b.interrupt();
            a.join(5_000);
            b.join(5_000);
        }
        clock.advance(Duration.ofSeconds(3));
        health.liveness();
        assertThat(health.liveness().checks().get("deadlocks").status()).isEqualTo(HealthStatus.UP);
    }

    private static void lockBoth(ReentrantLock mine, ReentrantLock theirs, CountDownLatch bothHeld) {
        try {
            mine.lockInterruptibly();
            try {
                bothHeld.countDown();
                bothHeld.await();
                theirs.lockInterruptibly();
                theirs.unlock();
            } finally {
                mine.unlock();
            }
        } catch (InterruptedException e) {
            // the test ends the deadlock
        }
    }

    @Test
    void aStalledSchedulerMakesLivenessDownWithoutBlockingTheProbe() throws Exception {
        ExecutorService pool = Executors.newCachedThreadPool();
        try (Infrastructure threaded = Infrastructure.builder().clock(clock).executor(pool).build()) {
            HealthRegistry registry = threaded.health();
            Awaitility.await().atMost(5, TimeUnit.SECONDS)
                    .until(() -> registry.liveness().status() == HealthStatus.UP);
            CountDownLatch stalled = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            threaded.scheduler().schedule("stall", Duration.ZERO, () -> {
                stalled.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(stalled.await(5, TimeUnit.SECONDS)).isTrue();
            clock.advance(Duration.ofSeconds(2));   // the scheduler check's result is stale
            registry.liveness();                    // starts its run, which waits for the scheduler
            clock.advance(Duration.ofSeconds(1));   // past its timeout
            long begin = System.nanoTime();
            HealthReport liveness = registry.liveness();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin)).isLessThan(500);
            assertThat(liveness.status()).isEqualTo(HealthStatus.DOWN);
            assertThat(liveness.checks().get("scheduler").details()).containsEntry(Health.ERROR, "timed out after 1000 ms");
            release.countDown();
            Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> {
                clock.advance(Duration.ofSeconds(2));
                return registry.liveness().status() == HealthStatus.UP;
            });
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theRegistryShowsInTheInfrastructureStatus() {
        health.register("cache", Health::up);
        health.readiness();
        HealthRegistry.Status status = (HealthRegistry.Status) infra.status().components().get("health");
        assertThat(status.checks()).extracting(RegisteredCheck::name).contains("cache", "deadlocks", "memory_pressure");
        assertThat(status.latestReport()).containsEntry("readiness", HealthStatus.UP);
    }
}
