package dev.bulwark.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.ratelimit.Algorithm;
import dev.bulwark.ratelimit.Decision;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.redis.support.RedisAvailability;
import dev.bulwark.redis.support.RequiresRedis;
import dev.bulwark.redis.support.TestRedis;
import dev.bulwark.testkit.ReferenceModel;
import dev.bulwark.time.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Decisions stay exact where Lua's doubles are not: limits up to 2^31 - 1, windows up to 366 days
 * (products up to 2^86) and times near 2^61 ns. These rules and times go through the exact script
 * (some directly, some after the fast script hands over); every decision must equal the reference
 * model's, which computes with {@link java.math.BigInteger}.
 */
@RequiresRedis
class LargeMagnitudesTest {

    private static final long DAY = Duration.ofDays(1).toNanos();

    private final ManualClock clock = new ManualClock();
    private TestRedis redis;
    private RedisLimitStore store;

    @BeforeEach
    void setUp() {
        redis = new TestRedis();
        store = RedisLimitStore.builder().uri(RedisAvailability.URI).keyPrefix(redis.prefix()).clock(clock)
                .useClientClockForTesting()
                .commandTimeout(java.time.Duration.ofSeconds(10))   // decisions, not outages: a loaded machine must not fall back
                .build();
        clock.advanceNanos(1L << 61);
    }

    @AfterEach
    void tearDown() {
        store.close();
        redis.close();
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void decisionsMatchTheReferenceModelWithHugeLimitsWindowsAndTimes(Algorithm algorithm) {
        List<RateLimit> rules = List.of(
                RateLimit.of(RateLimit.MAX_LIMIT, RateLimit.MAX_WINDOW, algorithm),
                RateLimit.of(1_000_003, Duration.ofDays(200), algorithm),
                RateLimit.of(7, RateLimit.MAX_WINDOW, algorithm),
                RateLimit.of(2_000_000_000, Duration.ofHours(1), algorithm),
                RateLimit.of(3, Duration.ofNanos(1_000_003), algorithm));
        compareWithModel(new Random(17 + algorithm.ordinal()), rules, 150);
    }

    private void compareWithModel(Random random, List<RateLimit> rules, int steps) {
        ReferenceModel model = new ReferenceModel();
        String entity = "huge";
        int allowed = 0;
        int denied = 0;
        for (int step = 0; step < steps; step++) {
            List<RateLimit> chosen = new ArrayList<>();
            chosen.add(rules.get(random.nextInt(rules.size())));
            if (random.nextInt(3) == 0) {
                RateLimit second = rules.get(random.nextInt(rules.size()));
                if (!second.sameState(chosen.get(0))) {
                    chosen.add(second);
                }
            }
            RateLimit first = chosen.get(0);
            long cost = random.nextInt(3) == 0 ? 1 + (long) (random.nextDouble() * first.limit()) : 1 + random.nextInt(3);
            long now = clock.nanoTime();
            String what = "step " + step + " at " + now + ": cost " + cost + " " + chosen;
            if (random.nextInt(15) == 0) {
                assertThat(store.peek(entity, "op", chosen)).as(what).isEqualTo(model.peek(entity, "op", chosen, now));
            } else {
                Decision expected = model.acquire(entity, "op", chosen, cost, now);
                assertThat(store.acquire(entity, "op", chosen, cost)).as(what).isEqualTo(expected);
                if (expected.allowed()) {
                    allowed++;
                } else {
                    denied++;
                }
            }
            clock.advanceNanos(advance(random, first));
        }
        assertThat(allowed).as("admissions compared").isGreaterThan(steps / 10);
        assertThat(denied).as("denials compared").isGreaterThan(steps / 10);
    }

    private static long advance(Random random, RateLimit rule) {
        long window = rule.windowNanos();
        return switch (random.nextInt(6)) {
            case 0 -> 0;
            case 1 -> 1 + random.nextInt(5);
            case 2 -> rule.emissionIntervalNanos();
            case 3 -> (long) (random.nextDouble() * Math.min(window, 30 * DAY));
            case 4 -> window - 1 + random.nextInt(3);
            default -> (long) (random.nextDouble() * DAY);
        };
    }
}
