package dev.bulwark.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.Infrastructure;
import dev.bulwark.Result;
import dev.bulwark.error.InfraError;
import dev.bulwark.error.InfraException;
import dev.bulwark.ratelimit.Decision;
import dev.bulwark.ratelimit.LimitStore;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.redis.support.RedisAvailability;
import dev.bulwark.redis.support.RequiresRedis;
import dev.bulwark.redis.support.TestRedis;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A closed Redis store says so: 2102 "... is closed", not a failure policy's "(circuit_open)". */
@RequiresRedis
class ClosedStoreTest {

    private static final RateLimit RULE = RateLimit.perMinute(10);

    private static void assertClosed(InfraError error) {
        assertThat(error.code()).isEqualTo(2102);
        assertThat(error.message()).contains("RedisLimitStore").contains("is closed");
    }

    private static void assertThrowsClosed(Runnable action) {
        assertThatThrownBy(action::run).isInstanceOfSatisfying(InfraException.class, e -> assertClosed(e.error()));
    }

    @Test
    void everyOperationOfAClosedStoreAnswers2102() throws Exception {
        try (TestRedis redis = new TestRedis()) {
            RedisLimitStore store = RedisLimitStore.builder().uri(RedisAvailability.URI).keyPrefix(redis.prefix()).build();
            assertThat(store.acquire("user", "op", List.of(RULE), 1).allowed()).isTrue();
            LimitStore failOpenView = store.withFailurePolicy(FailurePolicy.FAIL_OPEN);
            store.close();

            for (int i = 0; i < 5; i++) { // not a failure the breaker counts, whatever the number of calls
                assertThrowsClosed(() -> store.acquire("user", "op", List.of(RULE), 1));
            }
            assertThrowsClosed(() -> store.tryAcquire("user", "op", RULE, 1));
            assertThrowsClosed(() -> store.peek("user", "op", List.of(RULE)));
            assertThrowsClosed(() -> store.inspect("user", "op"));
            assertThrowsClosed(() -> store.reset("user", "op"));
            assertThrowsClosed(() -> failOpenView.acquire("user", "op", List.of(RULE), 1));
            assertThatThrownBy(() -> store.acquireAsync("user", "op", List.of(RULE), 1).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(InfraException.class);
        }
    }

    @Test
    void theLimiterOfAnInfrastructureWhoseRedisStoreClosedAnswers2102() {
        try (TestRedis redis = new TestRedis()) {
            RedisLimitStore store = RedisLimitStore.builder().uri(RedisAvailability.URI).keyPrefix(redis.prefix()).build();
            try (Infrastructure infra = Infrastructure.builder().rateLimitStore(store).build()) {
                store.close();
                Result<Decision> refused = infra.rateLimiter().checkRate("user", "op", RULE);
                assertClosed(refused.errValue().orElseThrow());
            }
        }
    }
}
