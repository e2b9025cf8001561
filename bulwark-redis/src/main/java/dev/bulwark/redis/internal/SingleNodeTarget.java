package dev.bulwark.redis.internal;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** One Redis server through Lettuce's {@link RedisClient}. */
final class SingleNodeTarget implements RedisTarget {

    private final RedisClient client;
    private final RedisURI uri;

    SingleNodeTarget(RedisURI uri, ClientResources resources, Duration connectTimeout) {
        this.uri = uri;
        this.client = RedisClient.create(resources, uri);
        this.client.setOptions(RedisTarget.commonOptions(ClientOptions.builder(), connectTimeout).build());
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public CompletableFuture<StatefulConnection<String, String>> connect() {
        return (CompletableFuture) client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture();
    }

    @Override
    @SuppressWarnings("unchecked")
    public RedisScriptingAsyncCommands<String, String> opened(StatefulConnection<String, String> connection) {
        return ((StatefulRedisConnection<String, String>) connection).async();
    }

    @Override
    public CompletableFuture<StatefulRedisPubSubConnection<String, String>> connectPubSub() {
        return client.connectPubSubAsync(StringCodec.UTF8, uri).toCompletableFuture();
    }

    @Override
    public AbstractRedisClient client() {
        return client;
    }

    @Override
    public String describe() {
        return uri.getHost() + ":" + uri.getPort();
    }
}
