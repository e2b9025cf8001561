package dev.bulwark.circuit;

import static dev.bulwark.circuit.BreakerFixture.config;
import static dev.bulwark.circuit.BreakerFixture.fail;
import static dev.bulwark.circuit.BreakerFixture.succeed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.Result;
import dev.bulwark.error.InfraError;
import dev.bulwark.telemetry.Events;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Recovery: fuse reset, half-open trials, backoff, jitter, trial timeout, permits always given back. */
class RecoveryTest {

    private static final Duration OPEN = Duration.ofSeconds(10);

    private final BreakerFixture fx = new BreakerFixture();

    @AfterEach
    void close() {
        fx.close();
    }

    /** A breaker that opens on its first failure and recovers through half-open trials. */
    private CircuitBreaker halfOpenBreaker(int trialCalls, int successThreshold) {
        return fx.install("b", config().consecutiveFailures(1).halfOpen(OPEN, trialCalls, successThreshold)
                .ignoreExceptions(IllegalStateException.class).build());
    }

    private CircuitBreaker openedHalfOpenBreaker(int trialCalls, int successThreshold) {
        CircuitBreaker b = halfOpenBreaker(trialCalls, successThreshold);
        fail(b);
        fx.advance(OPEN);
        assertThat(b.state()).isEqualTo(State.HALF_OPEN);
        return b;
    }

    /** How long the breaker stays open, read right after it opened. */
    private static Duration openDuration(CircuitBreaker b) {
        assertThat(b.state()).isEqualTo(State.OPEN);
        return b.stats().retryAfter();
    }

    @Nested
    class Reset {

        @Test
        void opensForTheResetDurationThenClosesWithoutTrials() {
            CircuitBreaker b = fx.install("b", config().consecutiveFailures(1).reset(OPEN).build());
            fail(b);
            fx.advance(OPEN.minusNanos(1));
            assertThat(b.state()).isEqualTo(State.OPEN);
            fx.advance(Duration.ofNanos(1));
            assertThat(b.state()).isEqualTo(State.CLOSED);
            assertThat(fx.events.named(Events.CIRCUIT_BREAKER_STATE_CHANGE))
                    .extracting(e -> e.metadata().get("from") + "->" + e.metadata().get("to") + ":" + e.metadata().get("trigger"))
                    .containsExactly("closed->open:consecutive_failures", "open->closed:open_duration_elapsed");
        }

        @Test
        void backsOffWhenItTripsAgainBeforeAnySuccess() {
            CircuitBreaker b = fx.install("b", config().consecutiveFailures(1).reset(OPEN)
                    .backoff(2.0, Duration.ofSeconds(35)).build());
            List<Duration> durations = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                fail(b);
                durations.add(openDuration(b));
                fx.advance(durations.get(i));
            }
            assertThat(durations).containsExactly(OPEN, Duration.ofSeconds(20), Duration.ofSeconds(35), Duration.ofSeconds(35));
            succeed(b);
            fail(b);
            assertThat(openDuration(b)).as("a success in between: back to the base duration").isEqualTo(OPEN);
        }
    }

    @Nested
    class HalfOpen {

        @Test
        void admitsExactlyTheTrialCallsThenRejectsWithoutRetryAfter() {
            CircuitBreaker b = openedHalfOpenBreaker(3, 3);
            assertThat(b.tryAcquire()).isTrue();
            assertThat(b.tryAcquire()).isTrue();
            assertThat(b.rejectionError()).as("a permit is left").isNull();
            assertThat(b.tryAcquire()).isTrue();
            assertThat(b.rejectionError().context()).containsEntry("reason", "half_open_full");
            Result<String> rejected = succeed(b);
            InfraError error = rejected.errValue().orElseThrow();
            assertThat(error.code()).isEqualTo(5004);
            assertThat(error.context()).containsEntry("reason", "half_open_full");
            assertThat(error.retryAfter()).isNull();
        }

        @Test
        void closesOnceTheSuccessThresholdIsReached() {
            CircuitBreaker b = openedHalfOpenBreaker(3, 2);
            succeed(b);
            assertThat(b.state()).isEqualTo(State.HALF_OPEN);
            succeed(b);
            assertThat(b.state()).isEqualTo(State.CLOSED);
        }

        @Test
        void toleratesFailuresWhileTheThresholdCanStillBeReached() {
            CircuitBreaker b = openedHalfOpenBreaker(3, 2);
            fail(b);
            assertThat(b.state()).as("two trials left, two successes needed").isEqualTo(State.HALF_OPEN);
            succeed(b);
            succeed(b);
            assertThat(b.state()).isEqualTo(State.CLOSED);
        }

        @Test
        void reopensAsSoonAsTheThresholdCannotBeReached() {
            CircuitBreaker b = openedHalfOpenBreaker(3, 2);
            succeed(b);
            fail(b);
            assertThat(b.state()).isEqualTo(State.HALF_OPEN);
            fail(b);
            assertThat(b.state()).isEqualTo(State.OPEN);
        }

        @Test
        void anyFailedTrialReopensWhenEveryTrialMustSucceed() {
            CircuitBreaker b = openedHalfOpenBreaker(2, 2);
            fail(b);
            assertThat(b.state()).isEqualTo(State.OPEN);
        }

        @Test
        void closingStartsWithEmptyHistory() {
            CircuitBreaker b = fx.install("b", config().failureCount(1, Duration.ofMinutes(10)).halfOpen(OPEN, 1, 1).build());
            fail(b, 2);
            fx.advance(OPEN);
            succeed(b);
            assertThat(b.state()).isEqualTo(State.CLOSED);
            fail(b);
            assertThat(b.state()).as("the two melts before opening are forgotten").isEqualTo(State.CLOSED);
        }

        @Test
        void openDurationBacksOffExponentiallyUpToTheCapAndResetsOnRecovery() {
            CircuitBreaker b = fx.install("b", config().consecutiveFailures(1).halfOpen(OPEN, 1, 1)
                    .backoff(2.0, Duration.ofSeconds(50)).build());
            fail(b);
            List<Duration> durations = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                durations.add(openDuration(b));
                fx.advance(durations.get(i));
                fail(b); // the trial fails
            }
            assertThat(durations).containsExactly(Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(40),
                    Duration.ofSeconds(50), Duration.ofSeconds(50));
            fx.advance(Duration.ofSeconds(50));
            succeed(b);
            assertThat(b.state()).isEqualTo(State.CLOSED);
            fail(b);
            assertThat(openDuration(b)).isEqualTo(OPEN);
        }

        @Test
        void aSlowTrialIsAFailedTrialWhenSlowCallsAreWatched() {
            CircuitBreaker b = fx.install("b", config().consecutiveFailures(1)
                    .slowCallRate(Duration.ofSeconds(1), 100, SlidingWindow.ofCalls(10), 10)
                    .halfOpen(OPEN, 1, 1).build());
            fail(b);
            fx.advance(OPEN);
            fx.succeedAfter(b, Duration.ofSeconds(2));
            assertThat(b.state()).isEqualTo(State.OPEN);
            assertThat(b.stats().okCount()).as("the call itself succeeded").isEqualTo(1);
        }
    }

    @Nested
    class Jitter {

        private List<Duration> openDurations(long seed, int opens) {
            CircuitBreaker b = fx.install("j" + seed, config().consecutiveFailures(1).reset(Duration.ofSeconds(100))
                    .jitter(0.2).random(new Random(seed)).build());
            List<Duration> durations = new ArrayList<>();
            for (int i = 0; i < opens; i++) {
                succeed(b);
                fail(b);
                durations.add(openDuration(b));
                b.reset();
            }
            return durations;
        }

        @Test
        void staysWithinTheJitterFactorAndVaries() {
            List<Duration> durations = openDurations(42, 200);
            assertThat(durations).allSatisfy(d -> assertThat(d).isBetween(Duration.ofSeconds(80), Duration.ofSeconds(120)));
            assertThat(durations.stream().distinct().count()).isGreaterThan(150);
            assertThat(durations).anySatisfy(d -> assertThat(d).isLessThan(Duration.ofSeconds(90)))
                    .anySatisfy(d -> assertThat(d).isGreaterThan(Duration.ofSeconds(110)));
        }

        @Test
        void isReproducibleWithASeededRandom() {
            assertThat(openDurations(7, 20)).isEqualTo(openDurations(7, 20)).isNotEqualTo(openDurations(8, 20));
        }

        @Test
        void appliesOnTopOfBackoff() {
            CircuitBreaker b = fx.install("b", config().consecutiveFailures(1).halfOpen(OPEN, 1, 1)
                    .backoff(3.0, Duration.ofSeconds(90)).jitter(0.1).random(new Random(1)).build());
            fail(b);
            fx.advance(openDuration(b));
            fail(b);
            assertThat(openDuration(b)).isBetween(Duration.ofSeconds(27), Duration.ofSeconds(33));
        }
    }

    @Nested
    class PermitsAreAlwaysGivenBack {

        @Test
        void aTrialThatThrowsAnIgnoredExceptionGivesItsPermitBack() {
            CircuitBreaker b = openedHalfOpenBreaker(1, 1);
            Result<String> ignored = b.execute(() -> {
                throw new IllegalStateException("not counted");
            });
            assertThat(ignored.errValue().orElseThrow().code()).isEqualTo(5003);
            assertThat(b.state()).isEqualTo(State.HALF_OPEN);
            succeed(b);
            assertThat(b.state()).isEqualTo(State.CLOSED);
        }

        @Test
        void anInterruptedTrialGivesItsPermitBackAndKeepsTheInterrupt() {
            CircuitBreaker b = openedHalfOpenBreaker(1, 1);
            Result<String> interrupted = b.execute(() -> {
                throw new InterruptedException("caller gave up");
            });
            assertThat(Thread.interrupted()).as("interrupt flag restored (and cleared here)").isTrue();
            assertThat(interrupted.errValue().orElseThrow().code()).isEqualTo(5012);
            assertThat(b.stats().ignoredCount()).isEqualTo(1);
            succeed(b);
            assertThat(b.state()).isEqualTo(State.CLOSED);
        }

        @Test
        void aTrialThatThrowsAnErrorConcludesAsAFailure() {
            CircuitBreaker b = openedHalfOpenBreaker(1, 1);
            Result<String> error = b.execute(() -> {
                throw new AssertionError("broken client");
            });
            assertThat(error.errValue().orElseThrow().code()).isEqualTo(5012);
            assertThat(b.state()).as("not stuck half-open").isEqualTo(State.OPEN);
        }

        @Test
        void aTrialThatThrowsAnExceptionConcludesAsAFailure() {
            CircuitBreaker b = openedHalfOpenBreaker(1, 1);
            assertThat(fail(b).errValue().orElseThrow().code()).isEqualTo(5003);
            assertThat(b.state()).isEqualTo(State.OPEN);
        }

        @Test
        void aVirtualMachineErrorPropagatesAndGivesThePermitBack() {
            CircuitBreaker b = openedHalfOpenBreaker(1, 1);
            assertThatThrownBy(() -> b.execute(() -> {
                throw new StackOverflowError("deep");
            })).isInstanceOf(StackOverflowError.class);
            succeed(b);
            assertThat(b.state()).isEqualTo(State.CLOSED);
        }

        @Test
        void aThrowingResultPredicateYields5006AndGivesThePermitBack() {
            CircuitBreaker b = fx.install("b", config().consecutiveFailures(1).halfOpen(OPEN, 1, 1)
                    .recordResults(r -> {
                        if ("bad".equals(r)) {
                            throw new IllegalArgumentException("predicate bug");
                        }
                        return false;
                    }).build());
            fail(b);
            fx.advance(OPEN);
            assertThat(b.execute(() -> "bad").errValue().orElseThrow().code()).isEqualTo(5006);
            assertThat(b.state()).isEqualTo(State.HALF_OPEN);
            succeed(b);
            assertThat(b.state()).isEqualTo(State.CLOSED);
        }

        @Test
        void aCancelledAsyncTrialGivesItsPermitBackAndCancelsTheOperation() {
            CircuitBreaker b = openedHalfOpenBreaker(1, 1);
            CompletableFuture<String> operation = new CompletableFuture<>();
            CompletionStage<Result<String>> trial = b.executeAsync(() -> operation);
            assertThat(succeed(b).errValue().orElseThrow().context()).containsEntry("reason", "half_open_full");

            assertThat(trial.toCompletableFuture().cancel(true)).isTrue();

            assertThat(operation).isCancelled();
            assertThat(b.stats().ignoredCount()).isEqualTo(1);
            succeed(b);
            assertThat(b.state()).isEqualTo(State.CLOSED);
        }

        @Test
        void anAsyncTrialCompletingWithCancellationGivesItsPermitBack() {
            CircuitBreaker b = openedHalfOpenBreaker(1, 1);
            CompletableFuture<String> operation = new CompletableFuture<>();
            CompletionStage<Result<String>> trial = b.executeAsync(() -> operation);
            operation.cancel(false);
            assertThat(trial.toCompletableFuture().join().errValue().orElseThrow().code()).isEqualTo(5012);
            succeed(b);
            assertThat(b.state()).isEqualTo(State.CLOSED);
        }

        @Test
        void aStandaloneTrialReleasedWithOnIgnoredGivesItsPermitBack() {
            CircuitBreaker b = openedHalfOpenBreaker(1, 1);
            assertThat(b.tryAcquire()).isTrue();
            assertThat(b.tryAcquire()).isFalse();
            b.onIgnored();
            assertThat(b.tryAcquire()).isTrue();
            b.onSuccess(1_000);
            assertThat(b.state()).isEqualTo(State.CLOSED);
        }

        @Test
        void aTrialNeverReportedCountsAsFailedAfterTheTrialTimeout() {
            CircuitBreaker b = fx.install("b", config().consecutiveFailures(1).halfOpen(OPEN, 1, 1)
                    .trialTimeout(Duration.ofSeconds(30)).build());
            fail(b);
            fx.advance(OPEN);
            assertThat(b.tryAcquire()).isTrue(); // the caller never reports
            fx.advance(Duration.ofSeconds(29));
            assertThat(b.state()).isEqualTo(State.HALF_OPEN);
            fx.advance(Duration.ofSeconds(1));
            assertThat(b.state()).isEqualTo(State.OPEN);
            assertThat(fx.events.named(Events.CIRCUIT_BREAKER_STATE_CHANGE)).last()
                    .satisfies(e -> assertThat(e.metadata()).containsEntry("trigger", "trial_timeout"));
            fx.advance(OPEN);
            succeed(b);
            assertThat(b.state()).as("the breaker recovers after all").isEqualTo(State.CLOSED);
        }

        @Test
        void aLateOutcomeOfAnExpiredTrialDoesNotMoveTheBreaker() {
            CircuitBreaker b = fx.install("b", config().consecutiveFailures(1).halfOpen(OPEN, 1, 1)
                    .trialTimeout(Duration.ofSeconds(30)).build());
            fail(b);
            fx.advance(OPEN);
            Result<String> late = b.execute(() -> {
                fx.advance(Duration.ofSeconds(31)); // the trial outlives its timeout
                return "finally";
            });
            assertThat(late).isEqualTo(Result.ok("finally"));
            assertThat(b.state()).as("re-opened at the deadline; the late success cannot close it").isEqualTo(State.OPEN);
        }

        @Test
        void aCancellationOfAnOperationThatIsNotAFutureStillReleases() {
            CircuitBreaker b = openedHalfOpenBreaker(1, 1);
            CompletionStage<String> notCancellable = new CompletableFuture<String>().minimalCompletionStage();
            CompletionStage<Result<String>> trial = b.executeAsync(() -> notCancellable);
            trial.toCompletableFuture().cancel(false);
            assertThat(b.tryAcquire()).isTrue();
            assertThatThrownBy(() -> trial.toCompletableFuture().join()).isInstanceOf(CancellationException.class);
        }
    }
}
