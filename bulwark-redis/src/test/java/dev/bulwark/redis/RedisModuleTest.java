package dev.bulwark.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.Infrastructure;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.circuit.State;
import dev.bulwark.health.HealthCheckConfig;
import dev.bulwark.health.HealthConfig;
import dev.bulwark.health.HealthReport;
import dev.bulwark.health.HealthStatus;
import dev.bulwark.ratelimit.InMemoryLimitStore;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.redis.support.RedisAvailability;
import dev.bulwark.redis.support.RequiresRedis;
import dev.bulwark.redis.support.TestRedis;
import dev.bulwark.testkit.TcpProxy;
import dev.bulwark.time.ManualClock;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Redis store installed as a module: built on the infrastructure's clock, telemetry and breaker
 * registry, the store of {@code infra.rateLimiter()}, its typed status in {@code infra.status()},
 * closed with the infrastructure.
 */
@RequiresRedis
class RedisModuleTest {

    private final TestRedis redis = new TestRedis();

    @AfterEach
    void tearDown() {
        redis.close();
    }

    private RedisLimitStore.Builder store() {
        return RedisLimitStore.builder().uri(RedisAvailability.URI).keyPrefix(redis.prefix());
    }

    @Test
    void theInstalledStoreIsTheLimitersStoreAndItsTypedStatusIsPartOfInfraStatus() {
        RedisLimitStore installed;
        try (Infrastructure infra = Infrastructure.builder().install(store().asModule()).build()) {
            installed = infra.component(RedisLimitStore.class).orElseThrow();
            assertThat(infra.rateLimiter().store()).isSameAs(installed);
            assertThat(infra.rateLimiter().checkRate("user:1", "search", RateLimit.perMinute(5)).isOk()).isTrue();

            RedisLimitStore.Status status = infra.status()
                    .component(RedisLimitStore.Builder.COMPONENT_NAME, RedisLimitStore.Status.class).orElseThrow();
            assertThat(status.redisDecisions()).isEqualTo(1);
            assertThat(status.circuitState()).isEqualTo(State.CLOSED);
            RateLimiter.Status limiter = infra.status().component("rate_limiter", RateLimiter.Status.class).orElseThrow();
            assertThat(limiter.store()).isEqualTo("RedisLimitStore");
            assertThat(limiter.storeStatus()).isInstanceOf(RedisLimitStore.Status.class);
            // its breaker lives in the infrastructure's registry, so it shows with every other breaker
            assertThat(infra.circuitBreakers().get("redis-limit-store")).containsSame(installed.circuitBreaker());
        }
        // closed with the infrastructure: the failure policy answers, Redis is not asked
        assertThat(installed.status().connected()).isFalse();
    }

    @Test
    void theStoreRunsOnTheInfrastructuresClock() {
        ManualClock clock = new ManualClock();
        try (Infrastructure infra = Infrastructure.builder().clock(clock)
                .install(store().useClientClockForTesting().asModule()).build()) {
            RateLimit twoPerSecond = RateLimit.of("two", 2, Duration.ofSeconds(1), dev.bulwark.ratelimit.Algorithm.FIXED_WINDOW);
            RateLimiter limiter = infra.rateLimiter();
            assertThat(limiter.tryAcquire("u", "op", twoPerSecond)).isTrue();
            assertThat(limiter.tryAcquire("u", "op", twoPerSecond)).isTrue();
            assertThat(limiter.tryAcquire("u", "op", twoPerSecond)).isFalse();
            clock.advance(Duration.ofSeconds(1));
            assertThat(limiter.tryAcquire("u", "op", twoPerSecond)).isTrue();
        }
    }

    @Test
    void twoStoresCannotBeInstalled() {
        Infrastructure.Builder builder = Infrastructure.builder()
                .rateLimitStore(InMemoryLimitStore.builder().build())
                .install(store().asModule());
        assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("module 'redis_limit_store' sets the rate limit store, but Builder.rateLimitStore set it already");
    }

    @Test
    void fallbackModeMakesReadinessDegradedNotDownAndLivenessStaysUp() throws Exception {
        try (TcpProxy proxy = new TcpProxy(RedisAvailability.HOST, RedisAvailability.PORT);
             Infrastructure infra = Infrastructure.builder()
                     .health(HealthConfig.builder()
                             .checkDefaults(HealthCheckConfig.of(Duration.ofSeconds(1), Duration.ofMillis(50))).build())
                     .install(store().uri(proxy.uri())
                             .commandTimeout(Duration.ofMillis(250)).connectTimeout(Duration.ofMillis(250))
                             .circuitBreaker(CircuitBreakerConfig.builder().consecutiveFailures(3)
                                     .halfOpen(Duration.ofMillis(200), 1, 1).build())
                             .asModule())
                     .build()) {
            RateLimit rule = RateLimit.perMinute(1_000_000);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
                infra.rateLimiter().tryAcquire("u", "op", rule);
                return checkOf(infra) == HealthStatus.UP;
            });

            proxy.cut();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
                infra.rateLimiter().tryAcquire("u", "op", rule);   // decided by the failure policy
                return checkOf(infra) == HealthStatus.DEGRADED;
            });
            HealthReport readiness = infra.health().readiness();
            assertThat(readiness.status()).as("fallback mode is not DOWN: %s", readiness).isEqualTo(HealthStatus.DEGRADED);
            assertThat(readiness.httpStatus()).isEqualTo(200);
            assertThat(readiness.checks().get(RedisLimitStore.Builder.COMPONENT_NAME).details().get("reason").toString())
                    .contains("fallback mode");
            assertThat(infra.health().liveness().status()).isEqualTo(HealthStatus.UP);

            proxy.restore();
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> {
                infra.rateLimiter().tryAcquire("u", "op", rule);
                return checkOf(infra) == HealthStatus.UP;
            });
        }
    }

    private static HealthStatus checkOf(Infrastructure infra) {
        return infra.health().readiness().checks().get(RedisLimitStore.Builder.COMPONENT_NAME).status();
    }
}
