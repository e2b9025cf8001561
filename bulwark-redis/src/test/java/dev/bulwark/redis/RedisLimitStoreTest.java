package dev.bulwark.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.ratelimit.Algorithm;
import dev.bulwark.ratelimit.Decision;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.redis.support.RequiresRedis;
import dev.bulwark.redis.support.TestRedis;
import dev.bulwark.time.ManualClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@RequiresRedis
class RedisLimitStoreTest {

    private final ManualClock clock = new ManualClock();
    private TestRedis redis;
    private RedisLimitStore store;

    @BeforeEach
    void setUp() {
        redis = new TestRedis();
        store = RedisLimitStore.builder().keyPrefix(redis.prefix()).clock(clock).useClientClockForTesting().build();
    }

    @AfterEach
    void tearDown() {
        store.close();
        redis.close();
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void admits_the_limit_then_denies_with_a_wait(Algorithm algorithm) {
        List<RateLimit> five = List.of(RateLimit.of("five", 5, Duration.ofSeconds(10), algorithm));
        for (int i = 0; i < 5; i++) {
            assertThat(store.acquire("user:1", "search", five, 1).allowed()).as("request %d", i + 1).isTrue();
        }
        Decision denied = store.acquire("user:1", "search", five, 1);
        assertThat(denied.allowed()).isFalse();
        assertThat(denied.remaining()).isZero();
        assertThat(denied.retryAfterNanos()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(20).toNanos());
    }

    @Test
    void several_limits_record_all_or_nothing() {
        RateLimit perSecond = RateLimit.of("per_second", 2, Duration.ofSeconds(1), Algorithm.FIXED_WINDOW);
        RateLimit perMinute = RateLimit.of("per_minute", 3, Duration.ofMinutes(1), Algorithm.FIXED_WINDOW);
        List<RateLimit> both = List.of(perSecond, perMinute);

        assertThat(store.acquire("user:1", "api", both, 2).allowed()).isTrue();
        Decision denied = store.acquire("user:1", "api", both, 2);
        assertThat(denied.allowed()).isFalse();
        assertThat(denied.rule()).isEqualTo(perMinute);

        clock.advance(Duration.ofSeconds(1));
        // the denied request recorded nothing: one unit is still left per minute
        Decision one = store.acquire("user:1", "api", both, 1);
        assertThat(one.allowed()).isTrue();
        assertThat(one.remaining()).isZero();
        assertThat(one.rule()).isEqualTo(perMinute);
    }

    @Test
    void peek_records_nothing() {
        List<RateLimit> two = List.of(RateLimit.of("two", 2, Duration.ofSeconds(10), Algorithm.TOKEN_BUCKET));
        store.acquire("user:1", "search", two, 1);
        assertThat(store.peek("user:1", "search", two).remaining()).isEqualTo(1);
        assertThat(store.peek("user:1", "search", two).remaining()).isEqualTo(1);
    }

    @Test
    void reset_deletes_the_key_in_redis() {
        List<RateLimit> one = List.of(RateLimit.of("one", 1, Duration.ofMinutes(1)));
        store.acquire("user:1", "search", one, 1);
        assertThat(redis.keys()).hasSize(1);

        assertThat(store.reset("user:1", "search")).isTrue();

        assertThat(redis.keys()).isEmpty();
        assertThat(store.acquire("user:1", "search", one, 1).allowed()).isTrue();
        assertThat(store.reset("user:2", "search")).isFalse();
    }

    @Test
    void keys_are_namespaced_and_hash_tagged_by_entity() {
        store.acquire("user:1", "search", List.of(RateLimit.of(1, Duration.ofMinutes(1))), 1);
        assertThat(redis.keys()).containsExactly(redis.prefix() + "{user\\:1}:search");
    }

    @Test
    void rejects_bad_arguments_with_their_value() {
        List<RateLimit> one = List.of(RateLimit.of(1, Duration.ofMinutes(1)));
        assertThatThrownBy(() -> store.acquire("", "op", one, 1)).hasMessageContaining("entityId");
        assertThatThrownBy(() -> store.acquire("e", "op", List.of(), 1)).hasMessageContaining("limits");
        assertThatThrownBy(() -> store.acquire("e", "op", one, -1)).hasMessageContaining("-1");
    }
}
