package dev.bulwark.benchmarks.redis;

import dev.bulwark.ratelimit.Algorithm;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.redis.FailurePolicy;
import dev.bulwark.redis.RedisLimitStore;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** The contenders of {@link RedisClusterBenchmark} that run on a Redis Cluster. */
final class ClusterContenders {

    private ClusterContenders() {
    }

    private static List<RedisURI> uris(List<String> seeds) {
        return seeds.stream().map(RedisURI::create).toList();
    }

    /** Bulwark's store on the cluster (production settings, as {@link BulwarkContender}). */
    static Contender bulwark(ClientResources resources, List<String> seeds, String prefix, long limit, Duration window,
                             Algorithm algorithm, boolean batching) {
        RedisLimitStore store = RedisLimitStore.builder()
                .cluster(seeds)
                .clientResources(resources)
                .keyPrefix(prefix)
                .commandTimeout(Duration.ofSeconds(5))
                .failurePolicy(FailurePolicy.FAIL_CLOSED)
                .batching(batching)
                .build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!store.status().connected() && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
        }
        List<RateLimit> rule = List.of(RateLimit.of("bench", limit, window, algorithm));
        String label = "Bulwark cluster " + algorithm.name().toLowerCase(Locale.ROOT) + (batching ? "" : " (unbatched)");
        return new Contender() {
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
        };
    }

    /** Bucket4j's Lettuce proxy manager on the cluster connection (its cluster support), the same token bucket. */
    static Contender bucket4j(ClientResources resources, List<String> seeds, String prefix, long limit, Duration window) {
        RedisClusterClient client = RedisClusterClient.create(resources, uris(seeds));
        StatefulRedisClusterConnection<String, byte[]> connection =
                client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
        ProxyManager<String> buckets = Bucket4jLettuce.casBasedBuilder(connection)
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(window))
                .build();
        BucketConfiguration config = BucketConfiguration.builder()
                .addLimit(l -> l.capacity(limit).refillGreedy(limit, window))
                .build();
        return new Contender() {
            @Override
            public String name() {
                return "Bucket4j Lettuce cluster (CAS)";
            }

            @Override
            public boolean decide(String key) {
                return buckets.getProxy(prefix + key, () -> config).tryConsume(1);
            }

            @Override
            public void close() {
                connection.close();
                client.shutdown();
            }
        };
    }

    /** The bare INCR script on the cluster: one EVALSHA per decision, routed by its key. */
    static Contender bareCounter(ClientResources resources, List<String> seeds, String prefix, long limit, long windowMillis) {
        RedisClusterClient client = RedisClusterClient.create(resources, uris(seeds));
        StatefulRedisClusterConnection<String, String> connection = client.connect(StringCodec.UTF8);
        String sha = connection.sync().scriptLoad(BareScriptContender.COUNTER);   // on every node
        String[] args = {Long.toString(limit), Long.toString(windowMillis)};
        return new Contender() {
            @Override
            public String name() {
                return "bare Lua script (INCR) cluster";
            }

            @Override
            public boolean decide(String key) throws Exception {
                Long allowed = connection.async().<Long>evalsha(sha, ScriptOutputType.INTEGER, new String[] {prefix + key},
                        args).get(5, TimeUnit.SECONDS);
                return allowed == 1L;
            }

            @Override
            public void close() {
                connection.close();
                client.shutdown();
            }
        };
    }
}
