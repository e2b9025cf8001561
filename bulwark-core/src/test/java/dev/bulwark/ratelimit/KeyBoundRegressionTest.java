package dev.bulwark.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Infrastructure;
import dev.bulwark.Result;
import dev.bulwark.error.InfraError;
import dev.bulwark.time.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * At its key bound the in-memory store never sweeps the whole store on a caller's thread: a caller
 * reclaims a bounded number of slots, the infrastructure's scheduler sweeps the rest, and a
 * refusal says it was the bound.
 */
class KeyBoundRegressionTest {

    private static final Duration WINDOW = Duration.ofSeconds(10);
    private static final RateLimit ONE_PER_WINDOW = RateLimit.of("api", 1, WINDOW, Algorithm.GCRA);

    private final ManualClock clock = new ManualClock();

    private static int segment(String entityId) {
        return KeyTable.hash(entityId, "op") & (KeyTable.SEGMENTS - 1);
    }

    /** {@code n} entity ids none of which falls in segment {@code avoided}. */
    private static List<String> keysOutsideSegment(int n, int avoided) {
        List<String> keys = new ArrayList<>(n);
        for (int i = 0; keys.size() < n; i++) {
            String key = "user-" + i;
            if (segment(key) != avoided) {
                keys.add(key);
            }
        }
        return keys;
    }

    private static String keyInSegment(int wanted) {
        for (int i = 0; ; i++) {
            String key = "newcomer-" + i;
            if (segment(key) == wanted) {
                return key;
            }
        }
    }

    @Test
    void aNewKeyAtTheBoundReclaimsOnlyABoundedNumberOfExpiredStatesOnTheCallersThread() {
        int bound = 20_000;
        List<Runnable> scheduled = new ArrayList<>();
        InMemoryLimitStore store = InMemoryLimitStore.builder().clock(clock).maxKeys(bound)
                .backgroundSweeps(scheduled::add).build();
        for (String key : keysOutsideSegment(bound, 0)) {
            assertThat(store.tryAcquire(key, "op", ONE_PER_WINDOW, 1)).isZero();
        }
        clock.advance(WINDOW); // every state has drained: all expired, none in segment 0

        assertThat(store.tryAcquire(keyInSegment(0), "op", ONE_PER_WINDOW, 1)).as("admitted").isZero();

        long reclaimedByTheCaller = bound + 1 - store.keyCount();
        assertThat(reclaimedByTheCaller).isPositive().isLessThanOrEqualTo(KeyBudget.RECLAIM_STEP_SLOTS);
        assertThat(scheduled).as("the rest is left to a background sweep").isNotEmpty();
        scheduled.forEach(Runnable::run);
        assertThat(store.keyCount()).isEqualTo(1);
    }

    @Test
    void aRefusalAtTheBoundSaysItWasTheBound() {
        try (Infrastructure infra = Infrastructure.builder().clock(clock).rateLimitMaxKeys(2).build()) {
            RateLimiter limiter = infra.rateLimiter();
            assertThat(limiter.checkRate("a", "op", ONE_PER_WINDOW).isOk()).isTrue();
            assertThat(limiter.checkRate("b", "op", ONE_PER_WINDOW).isOk()).isTrue();

            Result<Decision> refused = limiter.checkRate("c", "op", ONE_PER_WINDOW);
            InfraError error = refused.errValue().orElseThrow();
            assertThat(error.code()).isEqualTo(6001);
            assertThat(error.context()).containsEntry("reason", "key_bound");
            assertThat(error.retryAfter()).isEqualTo(WINDOW);

            // a real limit has no such reason
            InfraError limited = limiter.checkRate("a", "op", ONE_PER_WINDOW).errValue().orElseThrow();
            assertThat(limited.code()).isEqualTo(6001);
            assertThat(limited.context()).doesNotContainKey("reason");
        }
    }

    @Test
    void theInfrastructureSweepsOnItsSchedulerWhenTheBoundIsReached() {
        try (Infrastructure infra = Infrastructure.builder().clock(clock).rateLimitMaxKeys(1_000).build()) {
            RateLimiter limiter = infra.rateLimiter();
            for (String key : keysOutsideSegment(1_000, 0)) {
                assertThat(limiter.tryAcquire(key, "op", ONE_PER_WINDOW)).isTrue();
            }
            clock.advance(WINDOW);
            assertThat(limiter.tryAcquire(keyInSegment(0), "op", ONE_PER_WINDOW)).isTrue();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> limiter.keyCount() == 1);
        }
    }
}
