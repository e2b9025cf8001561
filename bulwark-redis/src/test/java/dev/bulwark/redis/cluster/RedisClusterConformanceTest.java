package dev.bulwark.redis.cluster;

import dev.bulwark.ratelimit.LimitStore;
import dev.bulwark.redis.RedisLimitStore;
import dev.bulwark.redis.support.RequiresRedisCluster;
import dev.bulwark.redis.support.TestRedisCluster;
import dev.bulwark.testkit.LimitStoreConformanceTest;
import dev.bulwark.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The shared conformance suite on the Redis Cluster: every scenario, every algorithm, to the
 * nanosecond, with the script reading the test's manual clock (client-time mode), the deny cache
 * and batching on (one lane per hash slot), the keys spread over the three masters by their hash tags.
 * Each store is used once its cluster connection is open (the first one in a JVM takes seconds to
 * load Lettuce's cluster classes), so that no decision of the suite falls to the failure policy.
 */
@RequiresRedisCluster
class RedisClusterConformanceTest extends LimitStoreConformanceTest {

    private static TestRedisCluster redis;

    @BeforeAll
    static void connect() {
        redis = new TestRedisCluster();
    }

    @AfterAll
    static void deleteOwnKeys() {
        redis.close();
    }

    @Override
    protected LimitStore createStore(Clock clock) {
        return ClusterStores.connected(builder(redis, clock).build());
    }

    static RedisLimitStore.Builder builder(TestRedisCluster redis, Clock clock) {
        return RedisLimitStore.builder()
                .cluster(redis.seeds())
                .keyPrefix(redis.prefix())
                .clock(clock)
                .useClientClockForTesting();
    }
}
