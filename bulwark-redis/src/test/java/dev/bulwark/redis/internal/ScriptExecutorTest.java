package dev.bulwark.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.redis.support.RedisAvailability;
import dev.bulwark.redis.support.RequiresRedis;
import dev.bulwark.redis.support.TestRedis;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A script Redis does not know (first use, or after a restart or SCRIPT FLUSH) is sent once with
 * EVAL, which also caches it. Each test uses a script no one has loaded: a fresh comment changes its
 * digest, so the shared server's script cache need not be flushed.
 */
@RequiresRedis
class ScriptExecutorTest {

    private final TestRedis redis = new TestRedis();
    private final ScriptExecutor executor = new ScriptExecutor(RedisURI.create(RedisAvailability.URI), null,
            Duration.ofSeconds(2), Duration.ofSeconds(2));

    @AfterEach
    void close() {
        executor.close();
        redis.close();
    }

    private static LuaScript unknownScript() {
        return LuaScript.of("echo", "return { ARGV[1], KEYS[1] } -- " + UUID.randomUUID());
    }

    @Test
    void anUnknownScriptIsLoadedOnNoscriptAndRunsAsynchronously() {
        LuaScript script = unknownScript();
        assertThat(redis.commands().scriptExists(script.sha1())).containsExactly(false);

        assertThat(executor.run(script, redis.prefix() + "k", new String[] {"hello"}).join())
                .containsExactly("hello", redis.prefix() + "k");
        assertThat(redis.commands().scriptExists(script.sha1())).containsExactly(true);
    }

    @Test
    void anUnknownScriptIsLoadedOnNoscriptAndRunsSynchronously() {
        executor.run(unknownScript(), "warm-up", new String[] {"x"}).join();
        LuaScript script = unknownScript();

        List<Object> reply = executor.runSync(script, redis.prefix() + "k", new String[] {"hi"});

        assertThat(reply).containsExactly("hi", redis.prefix() + "k");
        assertThat(redis.commands().scriptExists(script.sha1())).containsExactly(true);
    }

    @Test
    void theDigestIsTheOneRedisComputes() {
        LuaScript script = unknownScript();
        assertThat(redis.commands().scriptLoad(script.source())).isEqualTo(script.sha1());
    }
}
