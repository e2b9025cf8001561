package dev.bulwark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bulwark.circuit.CircuitBreaker;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.circuit.CircuitBreakers;
import dev.bulwark.circuit.State;
import dev.bulwark.error.InfraError;
import dev.bulwark.error.InfraException;
import dev.bulwark.error.RetryStrategy;
import dev.bulwark.pipeline.Bulkhead;
import dev.bulwark.pipeline.BulkheadConfig;
import dev.bulwark.pipeline.Fallback;
import dev.bulwark.pipeline.FallbackConfig;
import dev.bulwark.pipeline.PolicyContext;
import dev.bulwark.pipeline.Retry;
import dev.bulwark.pipeline.RetryConfig;
import dev.bulwark.pipeline.Timeout;
import dev.bulwark.pipeline.TimeoutConfig;
import dev.bulwark.ratelimit.Decision;
import dev.bulwark.ratelimit.InMemoryLimitStore;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.time.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * One rule after {@code close()}: everything that would run a call, admit one or change a
 * component answers 2102 SERVICE_UNAVAILABLE ("... is closed", not retried) in the form the
 * operation reports errors, never a stray exception; queries keep answering.
 */
class UseAfterCloseTest {

    private static void assertClosed(InfraError error) {
        assertThat(error.code()).isEqualTo(2102);
        assertThat(error.message()).contains("is closed");
        assertThat(error.retryStrategy()).isEqualTo(RetryStrategy.NO_RETRY);
    }

    private static void assertClosed(Result<?> result) {
        assertThat(result.isErr()).as("%s is an Err", result).isTrue();
        assertClosed(result.errValue().orElseThrow());
    }

    private static void assertClosed(CompletionStage<? extends Result<?>> stage) throws Exception {
        CompletableFuture<? extends Result<?>> future = stage.toCompletableFuture();
        assertThat(future.get(10, TimeUnit.SECONDS)).satisfies(UseAfterCloseTest::assertClosed);
        assertThat(future.isCompletedExceptionally()).isFalse();
    }

    private static void assertThrowsClosed(Runnable action) {
        assertThatThrownBy(action::run).isInstanceOfSatisfying(InfraException.class, e -> assertClosed(e.error()));
    }

    private static <T> Supplier<CompletionStage<T>> never() {
        return () -> {
            throw new AssertionError("must not run after close");
        };
    }

    private static <T> T mustNotRun() {
        throw new AssertionError("must not run after close");
    }

    @Nested
    class TheInfrastructure {

        @Test
        void everyPipelineEntryAnswers2102AndQueriesStillAnswer() throws Exception {
            Infrastructure infra = Infrastructure.builder().build(); // real time: a real timer thread
            Protection timed = Protection.builder().totalTimeout(Duration.ofSeconds(5))
                    .retry(RetryConfig.builder().maxAttempts(3).build()).build();
            assertThat(infra.configureProtection("timed", timed).isOk()).isTrue();
            infra.close();

            assertClosed(infra.executeProtected(timed, UseAfterCloseTest::mustNotRun));
            assertClosed(infra.executeProtected(timed, "user", UseAfterCloseTest::mustNotRun));
            assertClosed(infra.executeProtected("timed", UseAfterCloseTest::mustNotRun));
            assertClosed(infra.executeProtected("timed", "user", UseAfterCloseTest::mustNotRun));
            assertClosed(infra.executeProtectedAsync(timed, never()));
            assertClosed(infra.executeProtectedAsync(timed, "user", never()));
            assertClosed(infra.executeProtectedAsync("timed", never()));
            assertClosed(infra.executeProtectedAsync("timed", "user", never()));
            assertThrowsClosed(() -> infra.callProtected("timed", UseAfterCloseTest::mustNotRun));
            assertThrowsClosed(() -> infra.callProtected(timed, UseAfterCloseTest::mustNotRun));
            assertClosed(infra.configureProtection("other", timed));

            assertThat(infra.protectionKeys()).containsExactly("timed");
            assertThat(infra.protectionConfig("timed").isOk()).isTrue();
            assertThat(infra.protectionStatus("timed").isOk()).isTrue();
            assertThat(infra.status().running()).isFalse();
            assertThat(infra.removeProtection("timed")).isTrue();
        }

        @Test
        void anAsyncRetryWaitingForItsNextAttemptWhenTheInfrastructureClosesAnswers2102() throws Exception {
            Infrastructure infra = Infrastructure.builder().build();
            AtomicInteger attempts = new AtomicInteger();
            Protection retried = Protection.builder()
                    .retry(RetryConfig.builder().maxAttempts(5).fixedBackoff(Duration.ofSeconds(30)).build()).build();
            CompletionStage<Result<String>> pending = infra.executeProtectedAsync(retried, () -> {
                attempts.incrementAndGet();
                return CompletableFuture.failedFuture(new IOException("down"));
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> attempts.get() == 1);

            infra.close();

            assertClosed(pending);
            assertThat(attempts).hasValue(1);
        }
    }

    @Nested
    class Breakers {

        @Test
        void theRegistryAnswers2102ToWhatRunsOrChangesAndStillReports() {
            Infrastructure infra = Infrastructure.builder().clock(new ManualClock()).build();
            CircuitBreakers breakers = infra.circuitBreakers();
            breakers.install("db");
            infra.close();

            assertThrowsClosed(() -> breakers.install("other"));
            assertThrowsClosed(() -> breakers.install("db", CircuitBreakerConfig.defaults()));
            assertClosed(breakers.execute("db", UseAfterCloseTest::mustNotRun));
            assertClosed(breakers.execute("unknown", UseAfterCloseTest::mustNotRun));
            assertThrowsClosed(() -> breakers.call("db", UseAfterCloseTest::mustNotRun));
            assertClosed(breakers.reset("db"));
            assertClosed(breakers.disable("db"));
            assertClosed(breakers.enable("db"));

            assertThat(breakers.status("db").isOk()).isTrue();
            assertThat(breakers.list()).containsExactly("db");
            assertThat(breakers.snapshot().breakers()).containsKey("db");
        }

        @Test
        void aBreakerOfAClosedInfrastructureAnswers2102OnEveryCallForm() throws Exception {
            ManualClock clock = new ManualClock();
            Infrastructure infra = Infrastructure.builder().clock(clock).build();
            CircuitBreaker cb = infra.circuitBreakers().install("db");
            assertThat(cb.tryAcquire()).isTrue(); // a permit still out when it closes
            infra.close();

            assertClosed(cb.execute(UseAfterCloseTest::mustNotRun));
            assertThrowsClosed(() -> cb.call(UseAfterCloseTest::mustNotRun));
            assertClosed(cb.executeAsync(never()));
            assertThat(cb.tryAcquire()).isFalse();
            assertClosed(cb.tryAcquireOrRejection());
            assertClosed(cb.rejectionError());
            assertThrowsClosed(cb::reset);
            assertThrowsClosed(cb::disable);
            assertThrowsClosed(cb::enable);

            cb.onSuccess(5);                               // the late report of the permit: ignored
            cb.onFailure(5, new IOException("down"));
            cb.onIgnored();
            clock.advance(Duration.ofHours(1));
            assertThat(cb.state()).isEqualTo(State.CLOSED); // as it was at close
            assertThat(cb.stats().okCount()).isZero();
            assertThat(cb.stats().meltCount()).isZero();
        }
    }

    @Nested
    class TheRateLimiter {

        @Test
        void everyCheckAnswers2102AndTheActionDoesNotRun() throws Exception {
            Infrastructure infra = Infrastructure.builder().clock(new ManualClock()).build();
            RateLimiter limiter = infra.rateLimiter();
            RateLimit rule = RateLimit.perSecond(5);
            assertThat(limiter.tryAcquire("user", "op", rule)).isTrue();
            infra.close();

            assertClosed(limiter.checkRate("user", "op", rule));
            assertClosed(limiter.checkRate("user", "op", rule, 2));
            assertClosed(limiter.checkRate("user", "op", 5, Duration.ofSeconds(1)));
            assertClosed(limiter.checkRate("user", "op", List.of(rule), 1));
            assertClosed(limiter.checkRateAsync("user", "op", List.of(rule), 1));
            assertThrowsClosed(() -> limiter.tryAcquire("user", "op", rule));
            assertThrowsClosed(() -> limiter.tryAcquire("user", "op", rule, 2));
            assertClosed(limiter.executeWithLimit("user", "op", rule, UseAfterCloseTest::mustNotRun));
            assertClosed(limiter.executeWithLimit("user", "op", 5, Duration.ofSeconds(1), UseAfterCloseTest::mustNotRun));
            assertThrowsClosed(() -> limiter.callWithLimit("user", "op", rule, UseAfterCloseTest::mustNotRun));
            assertClosed(limiter.status("user", "op"));
            assertClosed(limiter.status("user", "op", List.of(rule)));
            assertClosed(limiter.reset("user", "op"));

            assertThat(limiter.status()).isNotNull();
            assertThat(limiter.keyCount()).isZero();
        }

        @Test
        void aClosedInMemoryStoreAnswers2102() {
            ManualClock clock = new ManualClock();
            InMemoryLimitStore store = InMemoryLimitStore.create(clock);
            RateLimit rule = RateLimit.perSecond(5);
            store.tryAcquire("a", "op", rule, 1);
            store.close();

            assertThrowsClosed(() -> store.tryAcquire("a", "op", rule, 1));
            assertThrowsClosed(() -> store.acquire("a", "op", List.of(rule), 1));
            assertThrowsClosed(() -> store.peek("a", "op", List.of(rule)));
            assertThrowsClosed(() -> store.inspect("a", "op"));
            assertThrowsClosed(() -> store.reset("a", "op"));
            assertThat(store.keyCount()).isZero();
            assertThat(store.sweepExpired()).isZero();
        }
    }

    @Nested
    class ThePolicies {

        @Test
        void policiesOnTheContextOfAClosedInfrastructureAnswer2102WithoutRunningTheCall() throws Exception {
            Infrastructure infra = Infrastructure.builder().build();
            PolicyContext context = infra.policyContext();
            Retry retry = Retry.of("r", RetryConfig.defaults(), context);
            Timeout timeout = Timeout.of("t", TimeoutConfig.of(Duration.ofSeconds(5)), context);
            Bulkhead bulkhead = Bulkhead.of("b", BulkheadConfig.of(1).withMaxWait(Duration.ofSeconds(5)), context);
            Fallback<String> fallback = Fallback.of("f", FallbackConfig.ofValue("fallback"), context);
            infra.close();
            assertThat(context.isClosed()).isTrue();

            assertClosed(retry.execute(UseAfterCloseTest::mustNotRun));
            assertClosed(retry.executeAsync(never()));
            assertThrowsClosed(() -> retry.call(UseAfterCloseTest::mustNotRun));
            assertClosed(timeout.execute(UseAfterCloseTest::mustNotRun));
            assertClosed(timeout.executeAsync(never()));
            assertClosed(bulkhead.execute(UseAfterCloseTest::mustNotRun));
            assertClosed(bulkhead.executeAsync(never()));
            assertClosed(fallback.execute(UseAfterCloseTest::mustNotRun));
            assertClosed(fallback.executeAsync(never()));
            assertThrowsClosed(() -> fallback.call(UseAfterCloseTest::mustNotRun));

            assertThat(retry.stats()).isNotNull();
            assertThat(bulkhead.tryAcquirePermit()).isFalse();
        }

        @Test
        void aCallerWaitingForABulkheadPlaceWhenTheInfrastructureClosesAnswers2102() throws Exception {
            Infrastructure infra = Infrastructure.builder().build();
            Bulkhead bulkhead = Bulkhead.of("b", BulkheadConfig.of(1).withMaxWait(Duration.ofSeconds(60)),
                    infra.policyContext());
            assertThat(bulkhead.tryAcquirePermit()).isTrue();
            CompletionStage<Result<String>> waiting = bulkhead.executeAsync(() -> CompletableFuture.completedFuture("x"));
            await().atMost(Duration.ofSeconds(10)).until(() -> bulkhead.stats().waiting() == 1);

            infra.close();

            assertClosed(waiting);
        }

        @Test
        void aTimeoutPendingWhenTheInfrastructureClosesAnswers2102() throws Exception {
            Infrastructure infra = Infrastructure.builder().build();
            Timeout timeout = Timeout.of("t", TimeoutConfig.of(Duration.ofSeconds(60)), infra.policyContext());
            CompletionStage<Result<String>> pending = timeout.executeAsync(CompletableFuture::new); // never completes

            infra.close();

            assertClosed(pending);
        }
    }

    @Test
    void decisionsThatWereAllowedBeforeCloseAreUnaffected() {
        // a sanity check of the fixture: the rule of this class is about calls after close
        Infrastructure infra = Infrastructure.builder().clock(new ManualClock()).build();
        Result<Decision> allowed = infra.rateLimiter().checkRate("u", "op", RateLimit.perSecond(1));
        infra.close();
        assertThat(allowed.isOk()).isTrue();
    }
}
