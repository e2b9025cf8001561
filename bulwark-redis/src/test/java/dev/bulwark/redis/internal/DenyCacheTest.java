package dev.bulwark.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.ratelimit.Decision;
import dev.bulwark.ratelimit.RateLimit;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DenyCacheTest {

    private static final RateLimit RULE = RateLimit.of(10, Duration.ofSeconds(10));
    private static final List<RateLimit> RULES = List.of(RULE);
    private static final long SECOND = 1_000_000_000L;

    private final DenyCache cache = new DenyCache(64);

    @Test
    void aRememberedDenialIsAnsweredWithTheWaitsShortenedByTheTimeElapsed() {
        cache.remember("k", RULES, 1, 100, Decision.denied(RULE, 0, 3 * SECOND, 7 * SECOND));

        assertThat(cache.lookup("k", RULES, 1, 100 + SECOND)).isEqualTo(Decision.denied(RULE, 0, 2 * SECOND, 6 * SECOND));
        assertThat(cache.lookup("k", RULES, 1, 100 + 3 * SECOND - 1)).isEqualTo(Decision.denied(RULE, 0, 1, 4 * SECOND + 1));
    }

    @Test
    void itForgetsTheDenialWhenTheWaitIsOver() {
        cache.remember("k", RULES, 1, 0, Decision.denied(RULE, 0, SECOND, SECOND));
        assertThat(cache.lookup("k", RULES, 1, SECOND)).isNull();
        assertThat(cache.occupied()).isZero();
    }

    @Test
    void onlyDenialsOfOneUnitWithNothingLeftAreRemembered() {
        cache.remember("a", RULES, 2, 0, Decision.denied(RULE, 0, SECOND, SECOND));
        cache.remember("b", RULES, 1, 0, Decision.denied(RULE, 1, SECOND, SECOND));
        cache.remember("c", RULES, 1, 0, Decision.allowed(RULE, 0, SECOND));
        assertThat(cache.occupied()).isZero();
    }

    @Test
    void aLookupMatchesTheKeyTheRulesAndTheCost() {
        cache.remember("k", RULES, 1, 0, Decision.denied(RULE, 0, SECOND, SECOND));
        assertThat(cache.lookup("other", RULES, 1, 1)).isNull();
        assertThat(cache.lookup("k", List.of(RULE, RateLimit.of(5, Duration.ofHours(1))), 1, 1)).isNull();
        assertThat(cache.lookup("k", RULES, 2, 1)).isNull();
        assertThat(cache.lookup("k", RULES, 1, 1)).isNotNull();
    }

    @Test
    void aNeverDenialStaysNever() {
        RateLimit none = RateLimit.of(0, Duration.ofSeconds(1));
        cache.remember("k", List.of(none), 1, 0, Decision.denied(none, 0, Decision.NEVER, 0));
        assertThat(cache.lookup("k", List.of(none), 1, 1_000 * SECOND)).isEqualTo(Decision.denied(none, 0, Decision.NEVER, 0));
    }

    @Test
    void forgetDropsTheKey() {
        cache.remember("k", RULES, 1, 0, Decision.denied(RULE, 0, SECOND, SECOND));
        cache.forget("k");
        assertThat(cache.lookup("k", RULES, 1, 1)).isNull();
    }

    @Test
    void theCapacityIsAPowerOfTwoAndBounded() {
        assertThat(new DenyCache(1000).capacity()).isEqualTo(1024);
        assertThat(new DenyCache(1).capacity()).isEqualTo(1);
        assertThatThrownBy(() -> new DenyCache(0)).hasMessageContaining("0");
    }
}
