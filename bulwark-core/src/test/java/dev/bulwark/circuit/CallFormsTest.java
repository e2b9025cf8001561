package dev.bulwark.circuit;

import static dev.bulwark.circuit.BreakerFixture.config;
import static dev.bulwark.circuit.BreakerFixture.fail;
import static dev.bulwark.circuit.BreakerFixture.succeed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.Result;
import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.error.InfraError;
import dev.bulwark.error.InfraException;
import dev.bulwark.error.RetryStrategy;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** execute, call, executeAsync and the standalone permit API; what counts as a failure; error codes. */
class CallFormsTest {

    private final BreakerFixture fx = new BreakerFixture();

    @AfterEach
    void close() {
        fx.close();
    }

    private CircuitBreaker fuse() {
        return fx.breakers.install("fuse");
    }

    @Nested
    class ExecuteAndCall {

        @Test
        void executeReturnsOkWithTheValueIncludingNull() {
            CircuitBreaker b = fuse();
            assertThat(b.execute(() -> 42)).isEqualTo(Result.ok(42));
            assertThat(b.execute(() -> null)).isEqualTo(Result.ok(null));
            assertThat(b.stats().okCount()).isEqualTo(2);
        }

        @Test
        void aThrownExceptionIs5003WithTheCauseAndItsRetryStrategy() {
            CircuitBreaker b = fuse();
            IOException down = new IOException("down");
            InfraError error = b.execute(() -> {
                throw down;
            }).errValue().orElseThrow();
            assertThat(error.code()).isEqualTo(5003);
            assertThat(error.cause()).isSameAs(down);
            assertThat(error.retryStrategy()).isEqualTo(RetryStrategy.EXPONENTIAL_BACKOFF);
            assertThat(error.context()).containsEntry("circuit_breaker", "fuse").containsEntry("counted_as", "failure");
            assertThat(b.stats().meltCount()).isEqualTo(1);
        }

        @Test
        void aProgrammingErrorIsNotRetryable() {
            InfraError error = fuse().execute(() -> {
                throw new IllegalArgumentException("bad id");
            }).errValue().orElseThrow();
            assertThat(error.code()).isEqualTo(5003);
            assertThat(error.isRetryable()).isFalse();
        }

        @Test
        void anErrorIs5012() {
            InfraError error = fuse().execute(() -> {
                throw new AssertionError("boom");
            }).errValue().orElseThrow();
            assertThat(error.code()).isEqualTo(5012);
            assertThat(error.errorCode()).isEqualTo(CoreErrorCode.PROTECTED_OPERATION_ERROR);
        }

        @Test
        void callReturnsTheValueOrThrowsTheErrorAsInfraException() {
            CircuitBreaker b = fuse();
            assertThat(b.call(() -> "value")).isEqualTo("value");
            IOException down = new IOException("down");
            assertThatThrownBy(() -> b.call(() -> {
                throw down;
            })).isInstanceOfSatisfying(InfraException.class, e -> {
                assertThat(e.code()).isEqualTo(5003);
                assertThat(e.getCause()).isSameAs(down);
                assertThat(e.getStackTrace()).as("a failure, not a rejection: it keeps its trace").isNotEmpty();
            });
        }

        @Test
        void aNullOperationIs5009AndCountsNothing() {
            CircuitBreaker b = fuse();
            assertThat(b.execute(null).errValue().orElseThrow().code()).isEqualTo(5009);
            assertThatThrownBy(() -> b.call(null))
                    .isInstanceOfSatisfying(InfraException.class, e -> assertThat(e.code()).isEqualTo(5009));
            assertThat(b.executeAsync(null).toCompletableFuture().join().errValue().orElseThrow().code()).isEqualTo(5009);
            Stats stats = b.stats();
            assertThat(stats.okCount() + stats.meltCount() + stats.rejectedCount() + stats.ignoredCount()).isZero();
        }

        @Test
        void aRejectionIsTheSameCheapObjectWithinAMillisecond() {
            CircuitBreaker b = fuse();
            fail(b, 6);
            Result<String> first = succeed(b);
            Result<String> second = succeed(b);
            assertThat(second).isSameAs(first);
            fx.advance(Duration.ofMillis(2));
            Result<String> later = succeed(b);
            assertThat(later).isNotSameAs(first);
            assertThat(later.errValue().orElseThrow().retryAfter())
                    .isEqualTo(first.errValue().orElseThrow().retryAfter().minusMillis(2));
            assertThat(b.stats().rejectedCount()).isEqualTo(3);
        }

        @Test
        void retryAfterIsRoundedUpToTheMillisecond() {
            CircuitBreaker b = fuse();
            fail(b, 6);
            fx.advance(Duration.ofNanos(59_998_500_000L)); // 1.5 ms before the reset
            assertThat(succeed(b).errValue().orElseThrow().retryAfter()).isEqualTo(Duration.ofMillis(2));
        }
    }

    @Nested
    class WhatCounts {

        @Test
        void exceptionsNotRecordedCountAsSuccesses() {
            CircuitBreaker b = fx.install("b", config().consecutiveFailures(2).recordExceptions(IOException.class).build());
            fail(b);
            InfraError notFound = b.execute(() -> {
                throw new IllegalArgumentException("no such user");
            }).errValue().orElseThrow();
            assertThat(notFound.code()).as("the caller still sees the failure").isEqualTo(5003);
            assertThat(notFound.context()).containsEntry("counted_as", "success");
            fail(b);
            assertThat(b.state()).as("the consecutive count was reset by the 'success'").isEqualTo(State.CLOSED);
            assertThat(b.stats().okCount()).isEqualTo(1);
        }

        @Test
        void ignoredExceptionsAreNotCountedAndDoNotBreakARun() {
            CircuitBreaker b = fx.install("b", config().consecutiveFailures(3)
                    .ignoreExceptions(TimeoutException.class).build());
            fail(b, 2);
            InfraError ignored = b.execute(() -> {
                throw new TimeoutException("client-side deadline");
            }).errValue().orElseThrow();
            assertThat(ignored.context()).containsEntry("counted_as", "ignored");
            assertThat(b.state()).isEqualTo(State.CLOSED);
            fail(b);
            assertThat(b.state()).isEqualTo(State.OPEN);
            assertThat(b.stats().ignoredCount()).isEqualTo(1);
            assertThat(b.stats().meltCount()).isEqualTo(3);
        }

        @Test
        void ignoringTakesPrecedenceOverRecording() {
            CircuitBreaker b = fx.install("b", config().consecutiveFailures(1)
                    .recordExceptions(IOException.class).ignoreExceptions(e -> e.getMessage().contains("expected")).build());
            b.execute(() -> {
                throw new IOException("expected hiccup");
            });
            assertThat(b.state()).isEqualTo(State.CLOSED);
        }

        @Test
        void resultsMatchingThePredicateAreFailuresButStillReturned() {
            CircuitBreaker b = fx.install("b", config().consecutiveFailures(2)
                    .recordResults(r -> r instanceof Integer status && status >= 500).build());
            assertThat(b.execute(() -> 503)).isEqualTo(Result.ok(503));
            assertThat(b.call(() -> 502)).isEqualTo(502);
            assertThat(b.state()).isEqualTo(State.OPEN);
            assertThat(b.stats().meltCount()).isEqualTo(2);
        }

        @Test
        void interruptsAndCancellationsAreNeverCounted() {
            CircuitBreaker b = fx.install("b", config().consecutiveFailures(1).build());
            b.execute(() -> {
                throw new InterruptedException();
            });
            Thread.interrupted();
            InfraError cancelled = b.execute(() -> {
                throw new java.util.concurrent.CancellationException();
            }).errValue().orElseThrow();
            assertThat(cancelled.code()).isEqualTo(5012);
            assertThat(b.state()).isEqualTo(State.CLOSED);
            assertThat(b.stats().ignoredCount()).isEqualTo(2);
        }

        @Test
        void aThrowingExceptionPredicateYields5006() {
            CircuitBreaker b = fx.install("b", config().consecutiveFailures(1).recordExceptions(e -> {
                throw new IllegalStateException("predicate bug");
            }).build());
            InfraError error = fail(b).errValue().orElseThrow();
            assertThat(error.code()).isEqualTo(5006);
            assertThat(error.cause()).hasMessage("predicate bug");
            assertThat(b.state()).isEqualTo(State.CLOSED);
        }
    }

    @Nested
    class Async {

        @Test
        void aCompletedStageIsOk() {
            CircuitBreaker b = fuse();
            assertThat(b.executeAsync(() -> CompletableFuture.completedFuture("async")).toCompletableFuture().join())
                    .isEqualTo(Result.ok("async"));
            assertThat(b.stats().okCount()).isEqualTo(1);
        }

        @Test
        void aFailedStageIs5003WithTheUnwrappedCauseAndCounts() {
            CircuitBreaker b = fuse();
            IOException down = new IOException("down");
            CompletableFuture<String> operation = new CompletableFuture<>();
            CompletionStage<Result<String>> result = b.executeAsync(() -> operation.thenApply(s -> s));
            operation.completeExceptionally(down);
            InfraError error = result.toCompletableFuture().join().errValue().orElseThrow();
            assertThat(error.code()).isEqualTo(5003);
            assertThat(error.cause()).isSameAs(down);
            assertThat(b.stats().meltCount()).isEqualTo(1);
        }

        @Test
        void aSupplierThatThrowsOrReturnsNullIsAFailure() {
            CircuitBreaker b = fuse();
            assertThat(b.<String>executeAsync(() -> {
                throw new IllegalStateException("could not start");
            }).toCompletableFuture().join().errValue().orElseThrow().code()).isEqualTo(5003);
            InfraError nullStage = b.<String>executeAsync(() -> null).toCompletableFuture().join().errValue().orElseThrow();
            assertThat(nullStage.cause()).isInstanceOf(NullPointerException.class);
            assertThat(b.stats().meltCount()).isEqualTo(2);
        }

        @Test
        void anOpenBreakerCompletesAtOnceWithoutStartingTheOperation() {
            CircuitBreaker b = fuse();
            fail(b, 6);
            boolean[] started = {false};
            CompletionStage<Result<String>> rejected = b.executeAsync(() -> {
                started[0] = true;
                return CompletableFuture.completedFuture("x");
            });
            assertThat(rejected.toCompletableFuture()).isCompleted();
            assertThat(rejected.toCompletableFuture().join().errValue().orElseThrow().code()).isEqualTo(5004);
            assertThat(started[0]).isFalse();
        }

        @Test
        void theDurationRunsUntilTheStageCompletes() {
            CircuitBreaker b = fx.install("b", config()
                    .slowCallRate(Duration.ofSeconds(1), 100, SlidingWindow.ofCalls(1), 1).build());
            CompletableFuture<String> operation = new CompletableFuture<>();
            CompletionStage<Result<String>> result = b.executeAsync(() -> operation);
            fx.advanceSeconds(3);
            operation.complete("late");
            assertThat(result.toCompletableFuture().join()).isEqualTo(Result.ok("late"));
            assertThat(b.state()).isEqualTo(State.OPEN);
        }

        @Test
        void cancellingAfterCompletionChangesNothing() {
            CircuitBreaker b = fuse();
            CompletableFuture<Result<String>> done =
                    b.executeAsync(() -> CompletableFuture.completedFuture("x")).toCompletableFuture();
            assertThat(done.cancel(true)).isFalse();
            assertThat(b.stats().ignoredCount()).isZero();
            assertThat(b.stats().okCount()).isEqualTo(1);
        }

        @Test
        void aStageCompletedWithAnInfraExceptionIsUnwrapped() {
            CircuitBreaker b = fuse();
            InfraException nested = InfraError.of(CoreErrorCode.RATE_LIMIT_EXCEEDED, "slow down").toException();
            InfraError error = b.<String>executeAsync(() -> CompletableFuture.failedFuture(new CompletionException(nested)))
                    .toCompletableFuture().join().errValue().orElseThrow();
            assertThat(error.cause()).isSameAs(nested);
            assertThat(error.retryStrategy()).as("taken from the cause").isEqualTo(RetryStrategy.FIXED_DELAY);
        }
    }

    @Nested
    class Standalone {

        @Test
        void permitsAndReportsCountLikeExecute() {
            CircuitBreaker b = fx.install("b", config().consecutiveFailures(3)
                    .slowCallRate(Duration.ofMillis(100), 100, SlidingWindow.ofCalls(10), 10)
                    .recordResults("error"::equals).build());
            assertThat(b.tryAcquire()).isTrue();
            b.onSuccess(Duration.ofMillis(200).toNanos());
            assertThat(b.tryAcquire()).isTrue();
            b.onResult(1_000, "fine");
            assertThat(b.tryAcquire()).isTrue();
            b.onResult(1_000, "error");
            assertThat(b.tryAcquire()).isTrue();
            b.onFailure(1_000, new IOException("down"));
            assertThat(b.tryAcquire()).isTrue();
            b.onFailure(1_000, null);
            Stats stats = b.stats();
            assertThat(stats.okCount()).isEqualTo(2);
            assertThat(stats.meltCount()).isEqualTo(3);
            assertThat(stats.slowCallCount()).isEqualTo(1);
            assertThat(b.state()).as("result failure, exception, bare failure: three in a row").isEqualTo(State.OPEN);
        }

        @Test
        void aRejectedPermitIsCountedAndTheRejectionCarriesNoStackTrace() {
            CircuitBreaker b = fuse();
            assertThat(b.rejectionError()).isNull();
            fail(b, 6);
            assertThat(b.tryAcquire()).isFalse();
            InfraException rejected = b.tryAcquireOrRejection().toException();
            assertThat(rejected.code()).isEqualTo(5004);
            assertThat(rejected.getStackTrace()).isEmpty();
            assertThat(b.rejectionError().retryAfter()).isEqualTo(Duration.ofSeconds(60));
            assertThat(b.stats().rejectedCount()).as("rejectionError() only looks").isEqualTo(2);
        }

        @Test
        void tryAcquireOrRejectionReturnsNullOrTheVeryRejection() {
            CircuitBreaker b = fx.install("b", config().consecutiveFailures(1).faultInjection(1.0)
                    .random(new java.util.Random(1)).build());
            assertThat(b.tryAcquireOrRejection().context()).containsEntry("reason", "fault_injected");
            assertThat(b.rejectionError()).as("fault injection cannot be foreseen").isNull();
            CircuitBreaker plain = fuse();
            assertThat(plain.tryAcquireOrRejection()).isNull();
            plain.onSuccess(0);
            fail(plain, 6);
            InfraError rejection = plain.tryAcquireOrRejection();
            assertThat(rejection.code()).isEqualTo(5004);
            assertThat(rejection.retryAfter()).isEqualTo(Duration.ofSeconds(60));
            assertThat(plain.stats().rejectedCount()).isEqualTo(1);
        }

        @Test
        void negativeDurationsAreRejectedWithTheValue() {
            CircuitBreaker b = fuse();
            assertThatThrownBy(() -> b.onSuccess(-5)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("durationNanos").hasMessageContaining("-5");
            assertThatThrownBy(() -> b.onFailure(-1, null)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> b.onResult(-1, null)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
