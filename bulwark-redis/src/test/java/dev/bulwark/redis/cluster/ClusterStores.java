package dev.bulwark.redis.cluster;

import static org.awaitility.Awaitility.await;

import dev.bulwark.redis.RedisLimitStore;
import java.time.Duration;

/** Helpers for stores on the test cluster. */
final class ClusterStores {

    private ClusterStores() {
    }

    /**
     * {@code store}, once its cluster connection is open: building a store never waits for Redis,
     * and the first cluster connection of a JVM loads and compiles a good deal of Lettuce (seconds on
     * a loaded two-core machine), longer than a decision waits before its failure policy answers.
     */
    static RedisLimitStore connected(RedisLimitStore store) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10)).until(() -> store.status().connected());
        return store;
    }
}
