package dev.bulwark.benchmarks.redis;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Bucket4j's Lettuce proxy manager (compare-and-swap: read the bucket, then a CAS script, retried
 * on conflict) with the same token bucket: capacity {@code limit}, refilled greedily at
 * {@code limit} per window. Synchronous {@code tryConsume(1)} on one shared connection.
 */
final class Bucket4jContender implements Contender {

    private final RedisClient client;
    private final StatefulRedisConnection<String, byte[]> connection;
    private final ProxyManager<String> buckets;
    private final Supplier<BucketConfiguration> configuration;
    private final String prefix;

    Bucket4jContender(ClientResources resources, String uri, String prefix, long limit, Duration window) {
        this.client = RedisClient.create(resources, RedisURI.create(uri));
        this.connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
        this.buckets = Bucket4jLettuce.casBasedBuilder(connection)
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(window))
                .build();
        BucketConfiguration config = BucketConfiguration.builder()
                .addLimit(l -> l.capacity(limit).refillGreedy(limit, window))
                .build();
        this.configuration = () -> config;
        this.prefix = prefix;
    }

    @Override
    public String name() {
        return "Bucket4j Lettuce (CAS)";
    }

    @Override
    public boolean decide(String key) {
        return buckets.getProxy(prefix + key, configuration).tryConsume(1);
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
