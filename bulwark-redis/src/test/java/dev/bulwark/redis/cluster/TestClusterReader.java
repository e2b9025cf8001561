package dev.bulwark.redis.cluster;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.util.List;

/** Reads keys of a test cluster directly (the topology as it is now). */
final class TestClusterReader implements AutoCloseable {

    private final RedisClusterClient client;
    private final StatefulRedisClusterConnection<String, String> connection;

    TestClusterReader(List<String> seeds) {
        this.client = RedisClusterClient.create(seeds.stream().map(RedisURI::create).toList());
        this.connection = client.connect();
    }

    String hget(String key, String field) {
        return connection.sync().hget(key, field);
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
