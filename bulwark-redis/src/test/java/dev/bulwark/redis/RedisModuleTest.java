package dev.bulwark.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.Infrastructure;
import dev.bulwark.circuit.State;
import dev.bulwark.ratelimit.InMemoryLimitStore;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.redis.support.RedisAvailability;
import dev.bulwark.redis.support.RequiresRedis;
import dev.bulwark.redis.support.TestRedis;
import dev.bulwark.time.ManualClock;
import java.time.Duration;
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
}
