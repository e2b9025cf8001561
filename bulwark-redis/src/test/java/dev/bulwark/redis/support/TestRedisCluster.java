package dev.bulwark.redis.support;

import dev.bulwark.redis.internal.KeyLayout;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A direct connection to a test Redis Cluster, with a key prefix of its own (random per instance).
 * {@link #close()} deletes exactly the keys under that prefix (SCAN on every master, then UNLINK);
 * it never flushes anything.
 */
public final class TestRedisCluster implements AutoCloseable {

    private final RedisClusterClient client;
    private final StatefulRedisClusterConnection<String, String> connection;
    private final String prefix;
    private final List<String> seeds;

    /** A connection to the shared test cluster (7301-7306). */
    public TestRedisCluster() {
        this(RedisClusterAvailability.SEEDS);
    }

    public TestRedisCluster(List<String> seeds) {
        this.seeds = List.copyOf(seeds);
        this.prefix = "bulwark-test:" + UUID.randomUUID().toString().substring(0, 8) + ":";
        this.client = RedisClusterClient.create(seeds.stream().map(RedisURI::create).toList());
        this.connection = client.connect();
    }

    public String prefix() {
        return prefix;
    }

    public List<String> seeds() {
        return seeds;
    }

    public RedisAdvancedClusterCommands<String, String> commands() {
        return connection.sync();
    }

    public StatefulRedisClusterConnection<String, String> connection() {
        return connection;
    }

    /** Reloads the topology this connection routes by. */
    public void refresh() {
        client.refreshPartitions();
    }

    /** The keys under this run's prefix, on every master. */
    public List<String> keys() {
        List<String> found = new ArrayList<>();
        ScanArgs match = ScanArgs.Builder.matches(KeyLayout.scanPattern(prefix)).limit(500);
        KeyScanCursor<String> cursor = commands().scan(match);
        found.addAll(cursor.getKeys());
        while (!cursor.isFinished()) {
            cursor = commands().scan(cursor, match);   // on a cluster, the cursor carries the node it is at
            found.addAll(cursor.getKeys());
        }
        return found;
    }

    public void deleteOwnKeys() {
        List<String> keys = keys();
        if (!keys.isEmpty()) {
            commands().unlink(keys.toArray(new String[0]));
        }
    }

    @Override
    public void close() {
        try {
            deleteOwnKeys();
        } finally {
            connection.close();
            client.shutdown();
        }
    }
}
