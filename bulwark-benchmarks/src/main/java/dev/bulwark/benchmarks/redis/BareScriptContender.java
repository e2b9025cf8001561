package dev.bulwark.benchmarks.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import java.util.concurrent.TimeUnit;

/**
 * A hand-written one-round-trip Lua limiter, one {@code EVALSHA} per decision on one shared
 * connection, the same multiplexing as the store; no exactness, no failure handling.
 * <ul>
 *   <li>{@link #counter}: the ceiling for one round trip, a bare fixed-window counter
 *       ({@code INCR}, and {@code PEXPIRE} on the first hit); no server time, one command inside.</li>
 *   <li>{@link #gcra}: the minimal script with the store's guarantees of time, a GCRA on the
 *       server clock as found in tutorials ({@code TIME}, {@code HGET}, {@code HSET}, {@code PEXPIRE}).</li>
 * </ul>
 */
final class BareScriptContender implements Contender {

    static final String COUNTER = """
            local n = redis.call('INCR', KEYS[1])
            if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
            if n <= tonumber(ARGV[1]) then return 1 end
            return 0
            """;

    /** ARGV: emission interval in µs, burst tolerance in µs. */
    private static final String GCRA = """
            local time = redis.call('TIME')
            local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
            local interval, tolerance = tonumber(ARGV[1]), tonumber(ARGV[2])
            local tat = tonumber(redis.call('HGET', KEYS[1], 'tat')) or now
            if tat < now then tat = now end
            if tat + interval - now > tolerance + interval then return 0 end
            redis.call('HSET', KEYS[1], 'tat', tat + interval)
            redis.call('PEXPIRE', KEYS[1], math.ceil((tat + interval - now) / 1000))
            return 1
            """;

    private final String label;

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisAsyncCommands<String, String> commands;
    private final String sha;
    private final String[] args;
    private final String prefix;

    private BareScriptContender(ClientResources resources, String uri, String prefix, String label, String script,
                                String[] args) {
        this.client = RedisClient.create(resources, RedisURI.create(uri));
        this.connection = client.connect(StringCodec.UTF8);
        this.commands = connection.async();
        this.sha = connection.sync().scriptLoad(script);
        this.args = args;
        this.prefix = prefix;
        this.label = label;
    }

    static BareScriptContender counter(ClientResources resources, String uri, String prefix, long limit, long windowMillis) {
        return new BareScriptContender(resources, uri, prefix, "bare Lua script (INCR)", COUNTER,
                new String[] {Long.toString(limit), Long.toString(windowMillis)});
    }

    static BareScriptContender gcra(ClientResources resources, String uri, String prefix, long limit, long windowMillis) {
        long intervalMicros = Math.max(1, windowMillis * 1_000 / limit);
        return new BareScriptContender(resources, uri, prefix, "bare GCRA script (server time)", GCRA,
                new String[] {Long.toString(intervalMicros), Long.toString((limit - 1) * intervalMicros)});
    }

    @Override
    public String name() {
        return label;
    }

    @Override
    public boolean decide(String key) throws Exception {
        Long allowed = commands.<Long>evalsha(sha, ScriptOutputType.INTEGER, new String[] {prefix + key}, args)
                .get(5, TimeUnit.SECONDS);
        return allowed == 1L;
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
