package dev.bulwark.redis;

import dev.bulwark.ratelimit.LimitStore;
import dev.bulwark.redis.support.RequiresRedis;
import dev.bulwark.redis.support.TestRedis;
import dev.bulwark.testkit.LimitStoreConformanceTest;
import dev.bulwark.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The shared conformance suite with every decision on the exact (multi-limb) script. */
@RequiresRedis
class RedisExactScriptConformanceTest extends LimitStoreConformanceTest {

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
        return RedisLimitStoreConformanceTest.builder(redis, clock).exactScriptOnly().build();
    }
}
