package dev.bulwark.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.ratelimit.Algorithm;
import dev.bulwark.ratelimit.Decision;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.redis.support.RedisAvailability;
import dev.bulwark.redis.support.RequiresRedis;
import dev.bulwark.redis.support.TestRedis;
import dev.bulwark.time.Clock;
import dev.bulwark.time.ManualClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Clients whose clocks disagree by minutes share one limit exactly, because decisions use the Redis
 * server's time. The second test shows what the first protects against: with client time (the test
 * mode) the same skew lets a client see a full bucket that is empty.
 */
@RequiresRedis
class ClockSkewTest {

    private static final RateLimit FIVE = RateLimit.of("five", 5, Duration.ofMinutes(5), Algorithm.TOKEN_BUCKET);
    private static final Duration SKEW = Duration.ofMinutes(10);

    private TestRedis redis;
    private RedisLimitStore ahead;
    private RedisLimitStore behind;

    @BeforeEach
    void setUp() {
        redis = new TestRedis();
    }

    @AfterEach
    void tearDown() {
        ahead.close();
        behind.close();
        redis.close();
    }

    private RedisLimitStore.Builder builder(Clock clock) {
        return RedisLimitStore.builder().uri(RedisAvailability.URI).keyPrefix(redis.prefix()).clock(clock);
    }

    @Test
    void clientsSkewedByMinutesShareTheLimitExactlyOnServerTime() {
        ahead = builder(skewed(SKEW)).build();
        behind = builder(skewed(SKEW.negated())).build();

        int admitted = 0;
        Decision lastAhead = null;
        Decision lastBehind = null;
        for (int i = 0; i < 10; i++) {
            lastAhead = ahead.acquire("user:1", "api", List.of(FIVE), 1);
            lastBehind = behind.acquire("user:1", "api", List.of(FIVE), 1);
            admitted += (lastAhead.allowed() ? 1 : 0) + (lastBehind.allowed() ? 1 : 0);
        }

        assertThat(admitted).isEqualTo(5);
        assertThat(lastAhead.allowed()).isFalse();
        assertThat(lastBehind.allowed()).isFalse();
        // both are told the same wait (one token per minute), whatever their clocks say
        assertThat(Duration.ofNanos(Math.abs(lastAhead.retryAfterNanos() - lastBehind.retryAfterNanos())))
                .isLessThan(Duration.ofSeconds(2));
        assertThat(lastAhead.retryAfter()).isLessThanOrEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void withClientTimeTheSameSkewWouldBreakTheLimit() {
        ManualClock early = new ManualClock();
        ManualClock late = new ManualClock();
        late.advance(SKEW);
        ahead = builder(late).useClientClockForTesting().build();
        behind = builder(early).useClientClockForTesting().build();

        int admitted = 0;
        for (int i = 0; i < 10; i++) {
            admitted += behind.acquire("user:1", "api", List.of(FIVE), 1).allowed() ? 1 : 0;
        }
        for (int i = 0; i < 10; i++) {
            admitted += ahead.acquire("user:1", "api", List.of(FIVE), 1).allowed() ? 1 : 0;
        }

        assertThat(admitted).isEqualTo(10);
    }

    /** The system clock moved by {@code offset}, in both its monotonic and its wall time. */
    private static Clock skewed(Duration offset) {
        long nanos = offset.toNanos();
        return new Clock() {
            @Override
            public long nanoTime() {
                return System.nanoTime() + nanos;
            }

            @Override
            public long currentTimeMillis() {
                return System.currentTimeMillis() + nanos / 1_000_000L;
            }
        };
    }
}
