package dev.bulwark.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.bulwark.ratelimit.Algorithm;
import dev.bulwark.ratelimit.Decision;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.redis.support.RedisAvailability;
import dev.bulwark.redis.support.RequiresRedis;
import dev.bulwark.redis.support.TestRedis;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.testkit.TelemetryCapture;
import io.lettuce.core.cluster.SlotHash;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What is particular to Redis, in production mode (server time): key layout and hash tags, TTLs,
 * alignment on the server's clock, the key's time origin, and the deny cache's saved round trips.
 * The algorithms' decisions are the conformance suite's business.
 */
@RequiresRedis
class RedisLimitStoreTest {

    private static final RateLimit PER_HOUR = RateLimit.of("hourly", 3, Duration.ofHours(1), Algorithm.FIXED_WINDOW);

    private final Telemetry telemetry = Telemetry.create();
    private TestRedis redis;
    private RedisLimitStore store;

    @BeforeEach
    void setUp() {
        redis = new TestRedis();
        store = RedisLimitStore.builder().uri(RedisAvailability.URI).keyPrefix(redis.prefix()).telemetry(telemetry).build();
    }

    @AfterEach
    void tearDown() {
        store.close();
        redis.close();
    }

    private long serverNanos() {
        List<String> time = redis.commands().time();
        return Long.parseLong(time.get(0)) * 1_000_000_000L + Long.parseLong(time.get(1)) * 1_000L;
    }

    @Test
    void keysAreNamespacedByThePrefixAndHashTaggedByTheEntity() {
        store.acquire("user:42", "search", List.of(PER_HOUR), 1);
        store.acquire("user:42", "upload", List.of(PER_HOUR), 1);

        String search = redis.prefix() + "{user\\:42}:search";
        String upload = redis.prefix() + "{user\\:42}:upload";
        assertThat(redis.keys()).containsExactlyInAnyOrder(search, upload);
        assertThat(SlotHash.getSlot(search)).isEqualTo(SlotHash.getSlot(upload)).isEqualTo(SlotHash.getSlot("user\\:42"));
    }

    @Test
    void rulesWithTheSameLimitWindowAndAlgorithmShareOneStateWhateverTheirNames() {
        store.acquire("user:1", "api", List.of(PER_HOUR), 2);
        Decision renamed = store.acquire("user:1", "api", List.of(PER_HOUR.named("other-label")), 1);
        assertThat(renamed.remaining()).isZero();
        assertThat(redis.commands().hkeys(redis.prefix() + "{user\\:1}:api"))
                .containsExactlyInAnyOrder("o", "e", "F3:3600000000000:a", "F3:3600000000000:b");
    }

    @Test
    void fixedWindowsAlignOnTheServerClock() {
        store.acquire("user:1", "api", List.of(PER_HOUR), 3);
        long before = serverNanos();
        Decision denied = store.acquire("user:1", "api", List.of(PER_HOUR), 1);
        long after = serverNanos();

        long hour = Duration.ofHours(1).toNanos();
        long untilNextHourBefore = hour - Math.floorMod(before, hour);
        long untilNextHourAfter = hour - Math.floorMod(after, hour);
        assertThat(denied.allowed()).isFalse();
        assertThat(denied.retryAfterNanos()).isBetween(untilNextHourAfter, untilNextHourBefore);
    }

    @Test
    void aKeyLivesAsLongAsItsStateMattersAndNoLonger() {
        RateLimit bucket = RateLimit.of(4, Duration.ofSeconds(8), Algorithm.TOKEN_BUCKET);
        Decision d = store.acquire("user:1", "api", List.of(bucket), 1);

        long ttl = redis.commands().pttl(redis.prefix() + "{user\\:1}:api");
        assertThat(d.resetAfter()).isEqualTo(Duration.ofSeconds(2));
        assertThat(ttl).isBetween(1_500L, 2_001L);
    }

    @Test
    void theExpiryOnlyGrowsSoAShortRuleNeverCutsALongOnesState() {
        store.acquire("user:1", "api", List.of(PER_HOUR), 1);
        long hourTtl = redis.commands().pttl(redis.prefix() + "{user\\:1}:api");

        store.acquire("user:1", "api", List.of(RateLimit.of(10, Duration.ofSeconds(1), Algorithm.GCRA)), 1);

        assertThat(redis.commands().pttl(redis.prefix() + "{user\\:1}:api")).isCloseTo(hourTtl, within(1_000L));
    }

    @Test
    void peekCreatesNoKeyAndResetDeletesIt() {
        store.peek("user:1", "api", List.of(PER_HOUR));
        assertThat(redis.keys()).isEmpty();

        store.acquire("user:1", "api", List.of(PER_HOUR), 1);
        assertThat(store.reset("user:1", "api")).isTrue();
        assertThat(redis.keys()).isEmpty();
        assertThat(store.reset("user:1", "api")).isFalse();
    }

    @Test
    void inspectRebuildsTheRulesFromTheKeyWithTheirDefaultLabels() {
        store.acquire("user:1", "api", List.of(PER_HOUR, RateLimit.of("fast", 5, Duration.ofSeconds(1), Algorithm.GCRA)), 2);

        assertThat(store.inspect("user:1", "api"))
                .extracting(d -> d.rule().toString(), Decision::remaining)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(RateLimit.of(3, Duration.ofHours(1), Algorithm.FIXED_WINDOW).toString(), 1L),
                        org.assertj.core.groups.Tuple.tuple(RateLimit.of(5, Duration.ofSeconds(1), Algorithm.GCRA).toString(), 3L));
    }

    @Test
    void anOldKeyIsRebasedOnItsNextAcquireWithoutChangingTheDecision() {
        String key = redis.prefix() + "{user\\:1}:api";
        RateLimit gcra = RateLimit.of(1, Duration.ofSeconds(10), Algorithm.GCRA);
        long nowMicros = serverNanos() / 1_000;
        long fourDaysMicros = Duration.ofDays(4).toNanos() / 1_000;
        // a theoretical arrival time 5 s from now, written relative to an origin four days ago
        long tatRelative = (fourDaysMicros * 1_000) + Duration.ofSeconds(5).toNanos();
        redis.commands().hset(key, Map.of("o", Long.toString(nowMicros - fourDaysMicros),
                "G1:10000000000:a", Long.toString(tatRelative)));

        Decision denied = store.acquire("user:1", "api", List.of(gcra), 1);

        assertThat(denied.allowed()).isFalse();
        assertThat(denied.retryAfter()).isBetween(Duration.ofMillis(4_900), Duration.ofSeconds(5));
        long origin = Long.parseLong(redis.commands().hget(key, "o"));
        assertThat(origin).isCloseTo(nowMicros, within(1_000_000L));
        long tat = Long.parseLong(redis.commands().hget(key, "G1:10000000000:a"));
        assertThat(tat).isCloseTo(Duration.ofSeconds(5).toNanos(), within(Duration.ofSeconds(1).toNanos()));
    }

    @Test
    void aHotDeniedKeyIsAnsweredLocallyWithTheWaitShrinkingAndNoRoundTrip() {
        RateLimit one = RateLimit.of(1, Duration.ofMinutes(1), Algorithm.TOKEN_BUCKET);
        try (TelemetryCapture events = TelemetryCapture.all(telemetry)) {
            store.acquire("abuser", "login", List.of(one), 1);
            Decision first = store.acquire("abuser", "login", List.of(one), 1);
            long asked = store.status().redisDecisions();

            Decision again = null;
            for (int i = 0; i < 100; i++) {
                again = store.acquire("abuser", "login", List.of(one), 1);
            }

            assertThat(store.status().redisDecisions()).isEqualTo(asked);
            assertThat(store.status().denyCacheHits()).isEqualTo(100);
            assertThat(events.count(Events.RATE_LIMITER_DENY_CACHE_HIT)).isEqualTo(100);
            assertThat(again.allowed()).isFalse();
            assertThat(again.retryAfterNanos()).isPositive().isLessThanOrEqualTo(first.retryAfterNanos());
            assertThat(again.rule()).isEqualTo(first.rule());
        }
    }

    @Test
    void aResetThroughTheStoreForgetsTheRememberedDenial() {
        RateLimit one = RateLimit.of(1, Duration.ofMinutes(1), Algorithm.FIXED_WINDOW);
        store.acquire("abuser", "login", List.of(one), 1);
        assertThat(store.acquire("abuser", "login", List.of(one), 1).allowed()).isFalse();

        store.reset("abuser", "login");

        assertThat(store.acquire("abuser", "login", List.of(one), 1).allowed()).isTrue();
    }

    @Test
    void onlyDenialsOfOneUnitAreRemembered() {
        RateLimit five = RateLimit.of(5, Duration.ofMinutes(1), Algorithm.FIXED_WINDOW);
        store.acquire("user:1", "export", List.of(five), 4);
        store.acquire("user:1", "export", List.of(five), 3);
        long asked = store.status().redisDecisions();

        store.acquire("user:1", "export", List.of(five), 3);

        assertThat(store.status().redisDecisions()).isEqualTo(asked + 1);
        assertThat(store.status().denyCacheHits()).isZero();
    }
}
