package dev.bulwark.redis.support;

import dev.bulwark.redis.internal.KeyLayout;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import java.util.UUID;

/**
 * A direct Redis connection for tests, with a key prefix of their own (random per instance) so
 * that they never see or touch anyone else's keys. {@link #close()} deletes exactly the keys under
 * that prefix (SCAN by prefix, then UNLINK); it never flushes a database.
 */
public final class TestRedis implements AutoCloseable {

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final String prefix;

    public TestRedis() {
        this.prefix = "bulwark-test:" + UUID.randomUUID().toString().substring(0, 8) + ":";
        this.client = RedisClient.create(RedisAvailability.URI);
        this.connection = client.connect();
    }

    /** The prefix that every key of this test run starts with. */
    public String prefix() {
        return prefix;
    }

    /** Synchronous commands, for inspecting keys. */
    public RedisCommands<String, String> commands() {
        return connection.sync();
    }

    /** The keys under this run's prefix. */
    public List<String> keys() {
        List<String> found = new java.util.ArrayList<>();
        ScanArgs match = ScanArgs.Builder.matches(KeyLayout.scanPattern(prefix)).limit(500);
        KeyScanCursor<String> cursor = commands().scan(match);
        found.addAll(cursor.getKeys());
        while (!cursor.isFinished()) {
            cursor = commands().scan(ScanCursor.of(cursor.getCursor()), match);
            found.addAll(cursor.getKeys());
        }
        return found;
    }

    /** Deletes this run's keys. */
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
