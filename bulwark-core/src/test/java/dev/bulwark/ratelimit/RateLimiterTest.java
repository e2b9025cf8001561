package dev.bulwark.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.Infrastructure;
import dev.bulwark.Result;
import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.error.InfraError;
import dev.bulwark.error.InfraException;
import dev.bulwark.error.RetryStrategy;
import dev.bulwark.telemetry.Events;
import dev.bulwark.testkit.TelemetryCapture;
import dev.bulwark.time.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The limiter as a user sees it through {@code infra.rateLimiter()}: the seed's scenarios and the error model. */
class RateLimiterTest {

    private static final Duration MINUTE = Duration.ofMinutes(1);

    private final ManualClock clock = new ManualClock();
    private Infrastructure infra;
    private RateLimiter limiter;

    @BeforeEach
    void startInfrastructure() {
        infra = Infrastructure.builder().clock(clock).build();
        limiter = infra.rateLimiter();
        // start each test at the beginning of an aligned minute, so window arithmetic reads simply
        clock.advanceNanos(MINUTE.toNanos() - Math.floorMod(clock.nanoTime(), MINUTE.toNanos()));
    }

    @AfterEach
    void stopInfrastructure() {
        infra.close();
    }

    private static InfraError errorOf(Result<?> result) {
        assertThat(result.isErr()).as("expected an Err, was %s", result).isTrue();
        return ((Result.Err<?>) result).error();
    }

    // ------------------------------------------------------------------ the seed's scenarios

    @Test
    void fiveRequestsAreAllowedThenTheSixthIsDeniedWithTheExactWait() {
        for (int i = 1; i <= 5; i++) {
            Result<Decision> ok = limiter.checkRate("user:123", "api_call", 5, MINUTE);
            assertThat(ok.isOk()).isTrue();
            assertThat(ok.getOrThrow().remaining()).isEqualTo(5 - i);
        }
        InfraError denied = errorOf(limiter.checkRate("user:123", "api_call", 5, MINUTE));

        assertThat(denied.code()).isEqualTo(6001);
        assertThat(denied.httpStatus()).isEqualTo(429);
        assertThat(denied.retryStrategy()).isEqualTo(RetryStrategy.FIXED_DELAY);
        // sliding window: the 5 of this minute weigh 4 or less from 12 s into the next one
        assertThat(denied.retryAfter()).isEqualTo(Duration.ofSeconds(72));
        assertThat(denied.context()).containsEntry("entity_id", "user:123").containsEntry("operation", "api_call")
                .containsEntry("limit", 5L).containsEntry("window_ms", 60_000L).containsEntry("algorithm", "sliding_window");

        clock.advance(Duration.ofSeconds(72).minusNanos(1));
        assertThat(limiter.checkRate("user:123", "api_call", 5, MINUTE).isErr()).isTrue();
        clock.advanceNanos(1);
        assertThat(limiter.checkRate("user:123", "api_call", 5, MINUTE).isOk()).isTrue();
    }

    @Test
    void entitiesAndOperationsAreLimitedIndependently() {
        RateLimit once = RateLimit.of("once", 1, MINUTE);
        assertThat(limiter.checkRate("alice", "read", once).isOk()).isTrue();
        assertThat(limiter.checkRate("alice", "read", once).isErr()).isTrue();
        assertThat(limiter.checkRate("bob", "read", once).isOk()).isTrue();
        assertThat(limiter.checkRate("alice", "write", once).isOk()).isTrue();
    }

    @Test
    void aLimitOfZeroDeniesEveryRequestAndSaysRetryingCannotHelp() {
        InfraError denied = errorOf(limiter.checkRate("user", "op", 0, MINUTE));
        assertThat(denied.code()).isEqualTo(6001);
        assertThat(denied.retryAfter()).isNull();
        assertThat(denied.retryStrategy()).isEqualTo(RetryStrategy.NO_RETRY);
        assertThat(denied.context()).containsEntry("reason", "limit_zero");
    }

    @Test
    void aZeroWindowIsInvalidInput() {
        InfraError invalid = errorOf(limiter.checkRate("user", "op", 5, Duration.ZERO));
        assertThat(invalid.code()).isEqualTo(6009);
        assertThat(invalid.message()).contains("window").contains("PT0S");
    }

    @Test
    void negativeValuesAreInvalidInput() {
        assertThat(errorOf(limiter.checkRate("user", "op", -1, MINUTE)).message()).contains("limit").contains("-1");
        assertThat(errorOf(limiter.checkRate("user", "op", 5, Duration.ofSeconds(-1))).message()).contains("window");
        assertThat(errorOf(limiter.checkRate("user", "op", RateLimit.perMinute(5), -2)).message()).contains("cost").contains("-2");
        assertThat(errorOf(limiter.checkRate("user", "op", RateLimit.perMinute(5), 0)).code()).isEqualTo(6009);
    }

    @Test
    void fiftyConcurrentCallersWithALimitOfTenAdmitExactlyTen() throws Exception {
        int callers = 50;
        CountDownLatch ready = new CountDownLatch(callers);
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<Boolean>> outcomes = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                outcomes.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return limiter.checkRate("shared", "api_call", 10, MINUTE).isOk();
                }));
            }
            assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
            go.countDown();
            int admitted = 0;
            for (Future<Boolean> outcome : outcomes) {
                admitted += outcome.get(10, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(admitted).isEqualTo(10);
        } finally {
            pool.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ bad input

    @Test
    void blankOrMissingKeysAreInvalidInput() {
        RateLimit rule = RateLimit.perMinute(5);
        assertThat(errorOf(limiter.checkRate(null, "op", rule)).message()).contains("entityId").contains("null");
        assertThat(errorOf(limiter.checkRate("  ", "op", rule)).message()).contains("entityId");
        assertThat(errorOf(limiter.checkRate("user", null, rule)).message()).contains("operation");
        assertThat(errorOf(limiter.checkRate("user", "", rule)).code()).isEqualTo(6009);
        assertThat(errorOf(limiter.status(null, "op")).code()).isEqualTo(6009);
        assertThat(errorOf(limiter.reset("user", " ")).code()).isEqualTo(6009);
    }

    @Test
    void badRuleListsAreInvalidInput() {
        RateLimit rule = RateLimit.perMinute(5);
        assertThat(errorOf(limiter.checkRate("user", "op", (RateLimit) null)).code()).isEqualTo(6009);
        assertThat(errorOf(limiter.checkRate("user", "op", List.of(), 1)).code()).isEqualTo(6009);
        assertThat(errorOf(limiter.checkRate("user", "op", List.of(rule, rule.named("twin")), 1)).message())
                .contains("same limit, window and algorithm");
        assertThat(errorOf(limiter.checkRate("user", "op", RateLimit.MAX_LIMIT + 1, MINUTE)).code()).isEqualTo(6009);
        assertThat(errorOf(limiter.checkRate("user", "op", 5, Duration.ofDays(367))).code()).isEqualTo(6009);
        assertThat(errorOf(limiter.checkRate("user", "op", 5, null)).code()).isEqualTo(6009);
        assertThat(errorOf(limiter.executeWithLimit("user", "op", rule, null)).code()).isEqualTo(6009);
    }

    @Test
    void invalidInputRecordsNothing() {
        RateLimit once = RateLimit.of("once", 1, MINUTE);
        limiter.checkRate("user", "op", once, -1);
        assertThat(limiter.checkRate("user", "op", once).isOk()).isTrue();
    }

    // ------------------------------------------------------------------ costs and several rules

    @Test
    void aCostlyRequestTakesItsCostFromTheLimit() {
        RateLimit bytes = RateLimit.of("bytes", 1_000, MINUTE, Algorithm.FIXED_WINDOW);
        assertThat(limiter.checkRate("tenant", "upload", bytes, 700).getOrThrow().remaining()).isEqualTo(300);
        InfraError denied = errorOf(limiter.checkRate("tenant", "upload", bytes, 301));
        assertThat(denied.context()).containsEntry("remaining", 300L).containsEntry("cost", 301L);
        assertThat(limiter.checkRate("tenant", "upload", bytes, 300).isOk()).isTrue();
    }

    @Test
    void aCostAboveTheLimitCanNeverPass() {
        InfraError denied = errorOf(limiter.checkRate("tenant", "upload", RateLimit.perMinute(10), 11));
        assertThat(denied.retryStrategy()).isEqualTo(RetryStrategy.NO_RETRY);
        assertThat(denied.context()).containsEntry("reason", "cost_exceeds_limit");
    }

    @Test
    void severalRulesAreCheckedAtomically() {
        RateLimit perSecond = RateLimit.of("per_second", 10, Duration.ofSeconds(1), Algorithm.FIXED_WINDOW);
        RateLimit perHour = RateLimit.of("per_hour", 15, Duration.ofHours(1), Algorithm.FIXED_WINDOW);
        List<RateLimit> both = List.of(perSecond, perHour);
        clock.advanceNanos(Duration.ofHours(1).toNanos() - Math.floorMod(clock.nanoTime(), Duration.ofHours(1).toNanos()));

        assertThat(limiter.checkRate("user", "op", both, 10).isOk()).isTrue();
        assertThat(errorOf(limiter.checkRate("user", "op", both, 1)).context()).containsEntry("rule", "per_second");
        clock.advance(Duration.ofSeconds(1));
        InfraError hourly = errorOf(limiter.checkRate("user", "op", both, 6));
        assertThat(hourly.context()).containsEntry("rule", "per_hour");
        // the denied request took nothing from the per-second rule
        assertThat(limiter.checkRate("user", "op", perSecond, 10).isOk()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void namedRulesOfEveryAlgorithmDenyAfterTheirLimit(Algorithm algorithm) {
        RateLimit rule = RateLimit.of("rule", 3, MINUTE, algorithm);
        int admitted = 0;
        for (int i = 0; i < 10; i++) {
            admitted += limiter.tryAcquire("user", "op", rule) ? 1 : 0;
        }
        assertThat(admitted).isEqualTo(algorithm == Algorithm.LEAKY_BUCKET ? 1 : 3);
    }

    // ------------------------------------------------------------------ executeWithLimit

    @Test
    void executeWithLimitRunsTheActionWhenAdmitted() {
        Result<String> result = limiter.executeWithLimit("user", "export", 1, MINUTE, () -> "report");
        assertThat(result).isEqualTo(Result.ok("report"));
    }

    @Test
    void executeWithLimitDoesNotRunTheActionWhenDenied() {
        AtomicInteger runs = new AtomicInteger();
        limiter.executeWithLimit("user", "export", 1, MINUTE, runs::incrementAndGet);
        Result<Integer> denied = limiter.executeWithLimit("user", "export", 1, MINUTE, runs::incrementAndGet);
        assertThat(errorOf(denied).code()).isEqualTo(6001);
        assertThat(runs).hasValue(1);
    }

    @Test
    void anAdmittedActionThatThrowsIsReportedAs6008WithItsCause() {
        IOException failure = new IOException("disk full");
        InfraError error = errorOf(limiter.executeWithLimit("user", "export", 5, MINUTE, () -> {
            throw failure;
        }));
        assertThat(error.code()).isEqualTo(6008);
        assertThat(error.cause()).isSameAs(failure);
        assertThat(error.retryStrategy()).isEqualTo(RetryStrategy.EXPONENTIAL_BACKOFF);
        assertThat(limiter.status("user", "export").getOrThrow().used()).isEqualTo(1);
    }

    @Test
    void anInterruptedActionKeepsTheInterruptFlag() {
        InfraError error = errorOf(limiter.executeWithLimit("user", "export", 5, MINUTE, () -> {
            throw new InterruptedException("stop");
        }));
        assertThat(error.code()).isEqualTo(6008);
        assertThat(Thread.interrupted()).isTrue();
    }

    @Test
    void callWithLimitThrowsTheErrorAsAnException() {
        RateLimit once = RateLimit.of("once", 1, MINUTE);
        assertThat(limiter.callWithLimit("user", "op", once, () -> 42)).isEqualTo(42);
        assertThatThrownBy(() -> limiter.callWithLimit("user", "op", once, () -> 42))
                .isInstanceOfSatisfying(InfraException.class, e -> {
                    assertThat(e.code()).isEqualTo(6001);
                    assertThat(e.getStackTrace()).isEmpty();
                });
    }

    // ------------------------------------------------------------------ status and reset

    @Test
    void statusReportsRealCountsRemainingAndResetTime() {
        RateLimit rule = RateLimit.of("api", 5, MINUTE, Algorithm.FIXED_WINDOW);
        limiter.checkRate("user", "op", rule, 3);
        clock.advance(Duration.ofSeconds(20));

        RateLimitStatus status = limiter.status("user", "op").getOrThrow();
        assertThat(status.rules()).hasSize(1);
        assertThat(status.used()).isEqualTo(3);
        assertThat(status.remaining()).isEqualTo(2);
        assertThat(status.resetAfter()).isEqualTo(Duration.ofSeconds(40));
        assertThat(status.limited()).isFalse();
        assertThat(status.rule("api")).isPresent();
    }

    @Test
    void statusOfAnUnknownKeyHasNoRules() {
        RateLimitStatus status = limiter.status("nobody", "op").getOrThrow();
        assertThat(status.rules()).isEmpty();
        assertThat(status.limited()).isFalse();
    }

    @Test
    void statusForGivenRulesShowsTheFullLimitOfRulesWithoutState() {
        RateLimit used = RateLimit.of("used", 2, MINUTE);
        RateLimit fresh = RateLimit.of("fresh", 7, Duration.ofHours(1));
        limiter.checkRate("user", "op", used, 2);
        RateLimitStatus status = limiter.status("user", "op", List.of(used, fresh)).getOrThrow();
        assertThat(status.rule("used").orElseThrow().allowed()).isFalse();
        assertThat(status.rule("fresh").orElseThrow().remaining()).isEqualTo(7);
        assertThat(status.limited()).isTrue();
    }

    @Test
    void resetReallyClearsTheKeyAndEmitsBucketReset() {
        RateLimit once = RateLimit.of("once", 1, MINUTE);
        limiter.checkRate("user", "op", once);
        try (TelemetryCapture events = TelemetryCapture.all(infra.telemetry())) {
            assertThat(limiter.reset("user", "op")).isEqualTo(Result.ok(true));
            assertThat(limiter.reset("user", "op")).isEqualTo(Result.ok(false));
            assertThat(events.named(Events.RATE_LIMITER_BUCKET_RESET)).first()
                    .satisfies(e -> assertThat(e.metadata()).containsEntry("entity_id", "user").containsEntry("operation", "op"));
        }
        assertThat(limiter.checkRate("user", "op", once).isOk()).isTrue();
    }

    // ------------------------------------------------------------------ telemetry

    @Test
    void allowedAndDeniedRequestsAreEmitted() {
        RateLimit rule = RateLimit.of("api", 2, MINUTE, Algorithm.GCRA);
        try (TelemetryCapture events = TelemetryCapture.all(infra.telemetry())) {
            limiter.checkRate("user", "op", rule);
            limiter.tryAcquire("user", "op", rule);
            limiter.checkRate("user", "op", rule);

            assertThat(events.named(Events.RATE_LIMITER_REQUEST_ALLOWED)).hasSize(2).last()
                    .satisfies(e -> {
                        assertThat(e.measurements()).containsEntry("count", 1L).containsEntry("remaining", 0L);
                        assertThat(e.metadata()).containsEntry("entity_id", "user").containsEntry("operation", "op")
                                .containsEntry("limit", 2L).containsEntry("window_ms", 60_000L)
                                .containsEntry("algorithm", "gcra").containsEntry("rule", "api");
                    });
            assertThat(events.named(Events.RATE_LIMITER_REQUEST_DENIED)).singleElement()
                    .satisfies(e -> assertThat(e.measurements()).containsEntry("retry_after_ms", 30_000L));
        }
    }

    // ------------------------------------------------------------------ store failures

    @Test
    void anUnreachableStoreIsReportedAs6010AndOtherFailuresAs6003() {
        RateLimit rule = RateLimit.perMinute(5);
        RateLimiter down = RateLimiter.builder(new FailingStore(new LimitStoreUnavailableException("no route", null))).build();
        RateLimiter broken = RateLimiter.builder(new FailingStore(new IllegalStateException("bug"))).build();

        InfraError unavailable = errorOf(down.checkRate("user", "op", rule));
        assertThat(unavailable.code()).isEqualTo(6010);
        assertThat(unavailable.retryStrategy()).isEqualTo(RetryStrategy.EXPONENTIAL_BACKOFF);
        assertThat(errorOf(broken.checkRate("user", "op", rule)).code()).isEqualTo(6003);
        assertThat(errorOf(broken.reset("user", "op")).code()).isEqualTo(6007);
        assertThat(errorOf(broken.status("user", "op")).code()).isEqualTo(6003);
        assertThatThrownBy(() -> down.tryAcquire("user", "op", rule))
                .isInstanceOfSatisfying(InfraException.class, e -> assertThat(e.code()).isEqualTo(6010));
    }

    @Test
    void checkRateAsyncReportsDecisionsAndStoreFailuresAsResults() throws Exception {
        RateLimit once = RateLimit.of("once", 1, MINUTE);
        assertThat(limiter.checkRateAsync("user", "op", List.of(once), 1).toCompletableFuture().get(5, TimeUnit.SECONDS).isOk()).isTrue();
        assertThat(errorOf(limiter.checkRateAsync("user", "op", List.of(once), 1).toCompletableFuture().get(5, TimeUnit.SECONDS)).code())
                .isEqualTo(6001);
        RateLimiter down = RateLimiter.builder(new FailingStore(new LimitStoreUnavailableException("no route", null))).build();
        assertThat(errorOf(down.checkRateAsync("user", "op", List.of(once), 1).toCompletableFuture().get(5, TimeUnit.SECONDS)).code())
                .isEqualTo(6010);
    }

    // ------------------------------------------------------------------ lifecycle

    @Test
    void theInfrastructureReportsTheLimiterAndClosesItsStore() {
        limiter.tryAcquire("user", "op", RateLimit.perMinute(5));
        RateLimiter.Status status = infra.status().component("rate_limiter", RateLimiter.Status.class).orElseThrow();
        assertThat(status.keys()).isEqualTo(1L);
        assertThat(status.storeStatus()).isEqualTo(new InMemoryLimitStore.Status(1, InMemoryLimitStore.DEFAULT_MAX_KEYS, 0, 0));
    }

    @Test
    void aStoreGivenToTheInfrastructureStaysOpenAfterClose() {
        AtomicBoolean closed = new AtomicBoolean();
        LimitStore store = new FailingStore(new IllegalStateException()) {
            @Override
            public void close() {
                closed.set(true);
            }
        };
        try (Infrastructure other = Infrastructure.builder().rateLimitStore(store).build()) {
            assertThat(other.rateLimiter().store()).isSameAs(store);
        }
        assertThat(closed).isFalse();
    }

    @Test
    void theLifecycleSchedulerSweepsExpiredState() {
        try (Infrastructure swept = Infrastructure.builder().clock(clock).rateLimitSweepInterval(Duration.ofMillis(20)).build()) {
            RateLimiter rl = swept.rateLimiter();
            for (int i = 0; i < 100; i++) {
                rl.tryAcquire("user-" + i, "op", RateLimit.perSecond(5));
            }
            assertThat(rl.keyCount()).isEqualTo(100);
            clock.advance(Duration.ofSeconds(2)); // two windows: every sliding-window state has expired
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> rl.keyCount() == 0);
        }
    }

    @Test
    void theKeyBoundOfTheInfrastructureLimitsLiveKeys() {
        try (Infrastructure bounded = Infrastructure.builder().clock(clock).rateLimitMaxKeys(2).build()) {
            RateLimiter rl = bounded.rateLimiter();
            RateLimit rule = RateLimit.of("api", 5, MINUTE);
            assertThat(rl.checkRate("a", "op", rule).isOk()).isTrue();
            assertThat(rl.checkRate("b", "op", rule).isOk()).isTrue();
            InfraError refused = errorOf(rl.checkRate("c", "op", rule));
            assertThat(refused.code()).isEqualTo(6001);
            assertThat(refused.retryAfter()).isEqualTo(MINUTE.multipliedBy(2));
            assertThat(((InMemoryLimitStore.Status) rl.status().storeStatus()).keyBoundRefusals()).isEqualTo(1L);
        }
    }

    @Test
    void theBuilderRejectsABadKeyBoundOrSweepInterval() {
        assertThatThrownBy(() -> Infrastructure.builder().rateLimitMaxKeys(0)).hasMessageContaining("0");
        assertThatThrownBy(() -> Infrastructure.builder().rateLimitSweepInterval(Duration.ZERO)).hasMessageContaining("PT0S");
    }

    @Test
    void errorsUseTheInfrastructureClock() {
        InfraError denied = errorOf(limiter.checkRate("user", "op", 0, MINUTE));
        assertThat(denied.timestamp()).isEqualTo(clock.instant());
        assertThat(CoreErrorCode.of(denied.code())).isEqualTo(CoreErrorCode.RATE_LIMIT_EXCEEDED);
    }

    /** A store whose every operation fails with the given exception. */
    private static class FailingStore implements LimitStore {
        private final RuntimeException failure;

        FailingStore(RuntimeException failure) {
            this.failure = failure;
        }

        @Override
        public Decision acquire(String entityId, String operation, List<RateLimit> limits, long cost) {
            throw failure;
        }

        @Override
        public Decision peek(String entityId, String operation, List<RateLimit> limits) {
            throw failure;
        }

        @Override
        public List<Decision> inspect(String entityId, String operation) {
            throw failure;
        }

        @Override
        public boolean reset(String entityId, String operation) {
            throw failure;
        }
    }
}
