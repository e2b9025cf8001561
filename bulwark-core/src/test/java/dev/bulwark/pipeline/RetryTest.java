package dev.bulwark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.Result;
import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.error.InfraError;
import dev.bulwark.error.InfraException;
import dev.bulwark.error.RetryStrategy;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.testkit.TelemetryCapture;
import dev.bulwark.time.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryTest {

    private final ManualClock clock = new ManualClock();
    private final Telemetry telemetry = Telemetry.create();
    private final PolicyContext context = TestContexts.direct(clock, telemetry);

    /** A call that fails {@code failures} times with an I/O error, then answers "ok". */
    private static final class Flaky {
        final AtomicInteger calls = new AtomicInteger();
        final int failures;
        final List<Long> callTimes = new ArrayList<>();
        final ManualClock clock;

        Flaky(int failures, ManualClock clock) {
            this.failures = failures;
            this.clock = clock;
        }

        String get() throws IOException {
            callTimes.add(clock.elapsed().toMillis());
            if (calls.incrementAndGet() <= failures) {
                throw new IOException("boom " + calls.get());
            }
            return "ok";
        }

        CompletionStage<String> async() {
            try {
                return CompletableFuture.completedFuture(get());
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
    }

    private Retry retry(RetryConfig config) {
        return Retry.of("test", config, context);
    }

    @Test
    void aSuccessIsReturnedAtOnceWithoutWaiting() {
        Flaky flaky = new Flaky(0, clock);
        Result<String> r = retry(RetryConfig.defaults()).execute(flaky::get);
        assertThat(r).isEqualTo(Result.ok("ok"));
        assertThat(flaky.calls).hasValue(1);
        assertThat(clock.elapsed()).isZero();
    }

    @Test
    void retriesUntilSuccessWaitingAnExponentialBackoffBetweenAttempts() {
        Flaky flaky = new Flaky(3, clock);
        Retry retry = retry(RetryConfig.builder().maxAttempts(5)
                .exponentialBackoff(Duration.ofMillis(100), Duration.ofSeconds(10)).build());

        assertThat(retry.execute(flaky::get)).isEqualTo(Result.ok("ok"));
        assertThat(flaky.callTimes).containsExactly(0L, 100L, 300L, 700L);
        assertThat(retry.stats().retries()).isEqualTo(3);
    }

    @Test
    void theExponentialBackoffIsCappedAtMaxDelay() {
        Flaky flaky = new Flaky(4, clock);
        retry(RetryConfig.builder().maxAttempts(5)
                .exponentialBackoff(Duration.ofMillis(100), Duration.ofMillis(250)).build()).execute(flaky::get);
        assertThat(flaky.callTimes).containsExactly(0L, 100L, 300L, 550L, 800L);
    }

    @Test
    void aFixedBackoffWaitsTheSameBeforeEveryRetry() {
        Flaky flaky = new Flaky(2, clock);
        retry(RetryConfig.builder().fixedBackoff(Duration.ofMillis(40)).build()).execute(flaky::get);
        assertThat(flaky.callTimes).containsExactly(0L, 40L, 80L);
    }

    @Test
    void whenEveryAttemptFailsTheResultIsRetriesExhaustedCarryingTheLastError() {
        Flaky flaky = new Flaky(100, clock);
        Retry retry = retry(RetryConfig.builder().maxAttempts(3).noBackoff().build());

        Result<String> r = retry.execute(flaky::get);

        InfraError error = r.errValue().orElseThrow();
        assertThat(error.errorCode()).isEqualTo(CoreErrorCode.RETRIES_EXHAUSTED);
        assertThat(error.context()).containsEntry("attempts", 3).containsEntry("last_error_code", 5003);
        assertThat(((InfraException) error.cause()).error().cause()).hasMessage("boom 3");
        assertThat(error.isRetryable()).isFalse();
        assertThat(flaky.calls).hasValue(3);
        assertThat(retry.stats()).isEqualTo(new RetryStats(2, 1, 0, Double.NaN));
    }

    @Test
    void callThrowsTheExhaustedError() {
        Flaky flaky = new Flaky(100, clock);
        assertThatThrownBy(() -> retry(RetryConfig.builder().maxAttempts(2).noBackoff().build()).call(flaky::get))
                .isInstanceOfSatisfying(InfraException.class, e -> assertThat(e.code()).isEqualTo(7003));
    }

    @Test
    void anErrorThatMayNotBeRetriedIsReturnedAsItIsAfterOneAttempt() {
        AtomicInteger calls = new AtomicInteger();
        Result<String> r = retry(RetryConfig.defaults()).execute(() -> {
            calls.incrementAndGet();
            throw new IllegalArgumentException("bad input");
        });
        assertThat(calls).hasValue(1);
        assertThat(r.errValue().orElseThrow().code()).isEqualTo(5003);
        assertThat(r.errValue().orElseThrow().retryStrategy()).isEqualTo(RetryStrategy.NO_RETRY);
        assertThat(clock.elapsed()).isZero();
    }

    @Test
    void aPredicateCanNarrowTheRetriedErrorsButNeverWidenThem() {
        AtomicInteger calls = new AtomicInteger();
        Retry onlyTimeouts = retry(RetryConfig.builder().noBackoff()
                .retryIf(e -> e.code() == CoreErrorCode.OPERATION_TIMED_OUT.code()).build());
        onlyTimeouts.execute(() -> {
            calls.incrementAndGet();
            throw new IOException("not a timeout");
        });
        assertThat(calls).hasValue(1);

        calls.set(0);
        Retry everything = retry(RetryConfig.builder().noBackoff().retryIf(e -> true).build());
        everything.execute(() -> {
            calls.incrementAndGet();
            throw new InfraException(InfraError.of(CoreErrorCode.INVALID_INPUT, "never retried"));
        });
        assertThat(calls).hasValue(1);
    }

    @Test
    void anErrorsRetryAfterIsWaitedForWhenLongerThanTheBackoff() {
        AtomicInteger calls = new AtomicInteger();
        List<Long> times = new ArrayList<>();
        Retry retry = retry(RetryConfig.builder().fixedBackoff(Duration.ofMillis(10)).build());
        Result<String> r = retry.execute(() -> {
            times.add(clock.elapsed().toMillis());
            if (calls.incrementAndGet() == 1) {
                throw new InfraException(InfraError.builder(CoreErrorCode.RATE_LIMIT_EXCEEDED)
                        .retryAfter(Duration.ofMillis(750)).build());
            }
            return "admitted";
        });
        assertThat(r).isEqualTo(Result.ok("admitted"));
        assertThat(times).containsExactly(0L, 750L);
    }

    @Test
    void aRetryAfterLongerThanMaxRetryAfterEndsTheRetriesWithThatError() {
        AtomicInteger calls = new AtomicInteger();
        Retry retry = retry(RetryConfig.builder().maxRetryAfter(Duration.ofSeconds(1)).build());
        InfraError open = InfraError.builder(CoreErrorCode.CIRCUIT_BREAKER_BLOWN).retryAfter(Duration.ofSeconds(30)).build();
        Result<String> r = retry.execute(() -> {
            calls.incrementAndGet();
            throw new InfraException(open);
        });
        assertThat(r.errValue()).contains(open);
        assertThat(calls).hasValue(1);
        assertThat(clock.elapsed()).isZero();
    }

    @Test
    void anImmediateErrorIsRetriedWithoutWaiting() {
        AtomicInteger calls = new AtomicInteger();
        Retry retry = retry(RetryConfig.builder().fixedBackoff(Duration.ofSeconds(5)).build());
        retry.execute(() -> {
            if (calls.incrementAndGet() < 3) {
                throw new InfraException(InfraError.builder(CoreErrorCode.NETWORK_ERROR)
                        .retryStrategy(RetryStrategy.IMMEDIATE).build());
            }
            return "ok";
        });
        assertThat(calls).hasValue(3);
        assertThat(clock.elapsed()).isZero();
    }

    @Test
    void jitterShortensEachWaitByAtMostItsShareReproduciblyWithASeededRandom() {
        RetryConfig config = RetryConfig.builder().maxAttempts(6)
                .exponentialBackoff(Duration.ofMillis(100), Duration.ofMillis(1000)).jitter(0.5)
                .random(new Random(42)).build();
        Flaky first = new Flaky(5, clock);
        retry(config).execute(first::get);
        List<Long> waits = gaps(first.callTimes);

        long[] backoff = {100, 200, 400, 800, 1000};
        for (int i = 0; i < waits.size(); i++) {
            assertThat(waits.get(i)).isBetween(backoff[i] / 2, backoff[i]);
        }

        ManualClock otherClock = new ManualClock();
        Flaky second = new Flaky(5, otherClock);
        Retry.of("again", config.toBuilder().random(new Random(42)).build(), TestContexts.direct(otherClock, telemetry))
                .execute(second::get);
        assertThat(gaps(second.callTimes)).isEqualTo(waits);
    }

    @Test
    void theBudgetCapsRetriesAtItsBurstPlusItsRatioOfCalls() {
        Retry retry = retry(RetryConfig.builder().maxAttempts(3).noBackoff().budget(RetryBudget.of(0.1, 5)).build());
        AtomicInteger attempts = new AtomicInteger();
        int budgetRefusals = 0;
        for (int i = 0; i < 100; i++) {
            Result<String> r = retry.execute(() -> {
                attempts.incrementAndGet();
                throw new IOException("down");
            });
            if (r.errValue().orElseThrow().code() == 7004) {
                budgetRefusals++;
            }
        }
        // The budget starts full at 5 tokens and deposits 0.1 per call: at most 5 + 0.1 * 100 = 15 retries.
        // The first call's deposit finds the budget full and is lost, so exactly 5 + 0.1 * 99 = 14.9 -> 14.
        RetryStats stats = retry.stats();
        assertThat(stats.retries()).isLessThanOrEqualTo(15).isEqualTo(14);
        assertThat(attempts).hasValue(100 + 14);
        assertThat(stats.budgetRejections()).isEqualTo(budgetRefusals);
        assertThat(stats.budgetTokens()).isLessThan(1.0);
    }

    @Test
    void theBudgetRefusalIsError7004WithTheLastError() {
        Retry retry = retry(RetryConfig.builder().maxAttempts(3).noBackoff().budget(RetryBudget.of(0.5, 0)).build());
        Result<String> r = retry.execute(() -> {
            throw new IOException("down");
        });
        // 0.5 token deposited, one needed: the first retry is refused.
        InfraError error = r.errValue().orElseThrow();
        assertThat(error.errorCode()).isEqualTo(CoreErrorCode.RETRY_BUDGET_EXHAUSTED);
        assertThat(error.context()).containsEntry("attempts", 1).containsEntry("last_error_code", 5003);
    }

    @Test
    void successesRefillTheBudgetUpToItsBurst() {
        Retry retry = retry(RetryConfig.builder().noBackoff().budget(RetryBudget.of(0.25, 2)).build());
        for (int i = 0; i < 100; i++) {
            retry.execute(() -> "fine");
        }
        assertThat(retry.stats().budgetTokens()).isEqualTo(2.0);
    }

    @Test
    void anInterruptWhileWaitingEndsTheRetriesAndKeepsTheInterruptStatus() {
        AtomicInteger calls = new AtomicInteger();
        Retry retry = retry(RetryConfig.builder().fixedBackoff(Duration.ofMillis(10)).maxAttempts(5).build());
        Result<String> r = retry.execute(() -> {
            calls.incrementAndGet();
            Thread.currentThread().interrupt();
            throw new IOException("down");
        });
        assertThat(Thread.interrupted()).isTrue();
        assertThat(calls).hasValue(1);
        assertThat(r.errValue().orElseThrow().code()).isEqualTo(5003);
    }

    @Test
    void asyncRetriesWaitOnTheTimerWithoutBlocking() {
        Flaky flaky = new Flaky(2, clock);
        Retry retry = retry(RetryConfig.builder().fixedBackoff(Duration.ofMillis(100)).build());

        CompletableFuture<Result<String>> result = retry.executeAsync(flaky::async).toCompletableFuture();
        assertThat(result).isNotDone();
        assertThat(flaky.calls).hasValue(1);

        clock.advance(Duration.ofMillis(100));
        assertThat(flaky.calls).hasValue(2);
        assertThat(result).isNotDone();

        clock.advance(Duration.ofMillis(100));
        assertThat(result).isCompletedWithValue(Result.ok("ok"));
        assertThat(flaky.callTimes).containsExactly(0L, 100L, 200L);
    }

    @Test
    void asyncExhaustionAndCallAsyncFailWithTheSameError() {
        Retry retry = retry(RetryConfig.builder().maxAttempts(2).noBackoff().build());
        Flaky flaky = new Flaky(10, clock);
        assertThat(retry.executeAsync(flaky::async).toCompletableFuture().join().errValue().orElseThrow().code())
                .isEqualTo(7003);
        CompletableFuture<String> thrown = retry.callAsync(flaky::async).toCompletableFuture();
        assertThat(thrown).isCompletedExceptionally();
        assertThatThrownBy(thrown::join).hasCauseInstanceOf(InfraException.class);
    }

    @Test
    void cancellingTheAsyncResultStopsFurtherAttempts() {
        Flaky flaky = new Flaky(10, clock);
        Retry retry = retry(RetryConfig.builder().fixedBackoff(Duration.ofMillis(100)).maxAttempts(5).build());
        CompletableFuture<Result<String>> result = retry.executeAsync(flaky::async).toCompletableFuture();
        result.cancel(false);
        clock.advance(Duration.ofSeconds(10));
        assertThat(flaky.calls).hasValue(1);
        assertThat(clock.pendingTasks()).isZero();
    }

    @Test
    void eachRetryAndTheExhaustionAreReported() {
        try (TelemetryCapture events = TelemetryCapture.all(telemetry)) {
            retry(RetryConfig.builder().maxAttempts(3).fixedBackoff(Duration.ofMillis(20)).build())
                    .execute(new Flaky(5, clock)::get);
            assertThat(events.named(Events.RETRY_SCHEDULED)).extracting(e -> e.measurements().get("attempt"))
                    .containsExactly(2, 3);
            assertThat(events.named(Events.RETRY_SCHEDULED).get(0).measurements()).containsEntry("delay_ms", 20.0);
            assertThat(events.named(Events.RETRY_SCHEDULED).get(0).metadata())
                    .containsEntry("name", "test").containsEntry("error_code", 5003);
            assertThat(events.named(Events.RETRY_EXHAUSTED)).singleElement()
                    .satisfies(e -> assertThat(e.measurements()).containsEntry("attempts", 3));
        }
    }

    @Test
    void theBuilderRejectsBadValuesNamingThem() {
        assertThatThrownBy(() -> RetryConfig.builder().maxAttempts(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxAttempts must be >= 1, was 0");
        assertThatThrownBy(() -> RetryConfig.builder().jitter(1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("jitter must be in [0, 1], was 1.5");
        assertThatThrownBy(() -> RetryConfig.builder().fixedBackoff(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("delay must be >= 0, was PT-0.001S");
        assertThatThrownBy(() -> RetryConfig.builder().exponentialBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDelay must be >= initialDelay");
        assertThatThrownBy(() -> RetryConfig.builder().exponentialBackoff(Duration.ZERO, Duration.ZERO, 0.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("multiplier must be in [1, 100], was 0.5");
        assertThatThrownBy(() -> RetryBudget.of(0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("retryRatio must be in (0, 10], was 0.0");
        assertThatThrownBy(() -> RetryBudget.of(0.1, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("burst must be >= 0, was -1");
        assertThatThrownBy(() -> Retry.of(" ", RetryConfig.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("name must be non-blank, was ' '");
    }

    @Test
    void aBuiltConfigDoesNotChangeWhenItsBuilderDoes() {
        RetryConfig.Builder builder = RetryConfig.builder().maxAttempts(4);
        RetryConfig built = builder.build();
        builder.maxAttempts(9);
        assertThat(built.maxAttempts()).isEqualTo(4);
    }

    private static List<Long> gaps(List<Long> times) {
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < times.size(); i++) {
            gaps.add(times.get(i) - times.get(i - 1));
        }
        return gaps;
    }
}
