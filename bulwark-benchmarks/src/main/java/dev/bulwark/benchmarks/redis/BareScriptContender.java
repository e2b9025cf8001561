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
 * The ceiling for one round trip: a bare fixed-window counter in Lua ({@code INCR}, and
 * {@code PEXPIRE} on the first hit), one {@code EVALSHA} per decision on one shared connection,
 * the same multiplexing as the store. No server time, no exactness, no failure handling.
 */
final class BareScriptContender implements Contender {

    private static final String SCRIPT = """
            local n = redis.call('INCR', KEYS[1])
            if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
            if n <= tonumber(ARGV[1]) then return 1 end
            return 0
            """;

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisAsyncCommands<String, String> commands;
    private final String sha;
    private final String[] args;
    private final String prefix;

    BareScriptContender(ClientResources resources, String uri, String prefix, long limit, long windowMillis) {
        this.client = RedisClient.create(resources, RedisURI.create(uri));
        this.connection = client.connect(StringCodec.UTF8);
        this.commands = connection.async();
        this.sha = connection.sync().scriptLoad(SCRIPT);
        this.args = new String[] {Long.toString(limit), Long.toString(windowMillis)};
        this.prefix = prefix;
    }

    @Override
    public String name() {
        return "bare Lua script";
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
