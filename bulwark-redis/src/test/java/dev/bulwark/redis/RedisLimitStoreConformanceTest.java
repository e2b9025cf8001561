package dev.bulwark.redis;

import dev.bulwark.ratelimit.LimitStore;
import dev.bulwark.redis.support.RedisAvailability;
import dev.bulwark.redis.support.RequiresRedis;
import dev.bulwark.redis.support.TestRedis;
import dev.bulwark.testkit.LimitStoreConformanceTest;
import dev.bulwark.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The shared conformance suite, run against Redis: every scenario that the in-memory store passes,
 * to the nanosecond, with the script reading the test's manual clock (client-time mode) and the
 * deny cache on. The scenarios' magnitudes fit the fast script;
 * {@link RedisExactScriptConformanceTest} runs them all again through the exact script.
 */
@RequiresRedis
class RedisLimitStoreConformanceTest extends LimitStoreConformanceTest {

    private static TestRedis redis;

    @BeforeAll
    static void connect() {
        redis = new TestRedis();
    }

    @AfterAll
    static void deleteOwnKeys() {
        redis.close();
    }

    @Override
    protected LimitStore createStore(Clock clock) {
        return builder(clock).build();
    }

    static RedisLimitStore.Builder builder(Clock clock) {
        return builder(redis, clock);
    }

    static RedisLimitStore.Builder builder(TestRedis redis, Clock clock) {
        return RedisLimitStore.builder()
                .uri(RedisAvailability.URI)
                .keyPrefix(redis.prefix())
                .clock(clock)
                .useClientClockForTesting()
                .commandTimeout(java.time.Duration.ofSeconds(10));   // decisions, not outages: a loaded machine must not fall back
    }
}
