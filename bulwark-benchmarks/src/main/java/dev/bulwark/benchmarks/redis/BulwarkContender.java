package dev.bulwark.benchmarks.redis;

import dev.bulwark.ratelimit.Algorithm;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.redis.FailurePolicy;
import dev.bulwark.redis.RedisLimitStore;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.List;

/**
 * Bulwark's {@link RedisLimitStore}, production settings (server time, deny cache, breaker, batching
 * unless turned off for the "unbatched" rows), synchronous acquire.
 */
final class BulwarkContender implements Contender {

    private final RedisLimitStore store;
    private final List<RateLimit> rule;
    private final String label;

    /** Batches in flight for the batched rows ({@code inflight=} option of the benchmark). */
    static volatile int batchesInFlight = RedisLimitStore.Builder.DEFAULT_BATCHES_IN_FLIGHT;

    BulwarkContender(ClientResources resources, String uri, String prefix, long limit, Duration window,
                     Algorithm algorithm, boolean denyCache) {
        this(resources, uri, prefix, limit, window, algorithm, denyCache, true);
    }

    BulwarkContender(ClientResources resources, String uri, String prefix, long limit, Duration window,
                     Algorithm algorithm, boolean denyCache, boolean batching) {
        this.store = RedisLimitStore.builder()
                .uri(uri)
                .clientResources(resources)
                .keyPrefix(prefix)
                .commandTimeout(Duration.ofSeconds(5))
                .failurePolicy(FailurePolicy.FAIL_CLOSED)
                .denyCacheCapacity(denyCache ? 4096 : 0)
                .batching(batching)
                .maxBatchesInFlight(batchesInFlight)
                .build();
        this.rule = List.of(RateLimit.of("bench", limit, window, algorithm));
        this.label = "Bulwark " + algorithm.name().toLowerCase(java.util.Locale.ROOT) + (denyCache ? "" : " (no deny cache)")
                + (batching ? "" : " (unbatched)");
    }

    @Override
    public String name() {
        return label;
    }

    @Override
    public boolean decide(String key) {
        return store.acquire(key, "bench", rule, 1).allowed();
    }

    @Override
    public void close() {
        store.close();
    }
}
