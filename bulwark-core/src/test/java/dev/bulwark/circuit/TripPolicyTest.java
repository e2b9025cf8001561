package dev.bulwark.circuit;

import static dev.bulwark.circuit.BreakerFixture.config;
import static dev.bulwark.circuit.BreakerFixture.fail;
import static dev.bulwark.circuit.BreakerFixture.succeed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.telemetry.Events;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Each trip policy at its boundaries. */
class TripPolicyTest {

    private final BreakerFixture fx = new BreakerFixture();

    @AfterEach
    void close() {
        fx.close();
    }

    @Nested
    class FailureCount {

        @Test
        void zeroMeltsToleratedMeansTheFirstFailureOpens() {
            CircuitBreaker b = fx.install("b", config().failureCount(0, Duration.ofSeconds(10)).build());
            fail(b);
            assertThat(b.state()).isEqualTo(State.OPEN);
        }

        @Test
        void opensOnMeltMaxMeltsPlusOneJustInsideTheWindow() {
            CircuitBreaker b = fx.install("b", config().failureCount(2, Duration.ofSeconds(10)).build());
            fail(b, 2);
            fx.advance(Duration.ofMillis(9_999));
            fail(b);
            assertThat(b.state()).isEqualTo(State.OPEN);
        }

        @Test
        void aMeltExactlyOneWindowOldNoLongerCounts() {
            CircuitBreaker b = fx.install("b", config().failureCount(2, Duration.ofSeconds(10)).build());
            fail(b);
            fx.advance(Duration.ofMillis(1));
            fail(b);
            fx.advance(Duration.ofMillis(9_999));
            fail(b); // the first melt is exactly 10 s old
            assertThat(b.state()).isEqualTo(State.CLOSED);
            fail(b);
            assertThat(b.state()).isEqualTo(State.OPEN);
        }

        @Test
        void successesDoNotHealMelts() {
            CircuitBreaker b = fx.install("b", config().failureCount(2, Duration.ofSeconds(10)).build());
            fail(b, 2);
            succeed(b, 100);
            fail(b);
            assertThat(b.state()).isEqualTo(State.OPEN);
        }
    }

    @Nested
    class FailureRateOverLastCalls {

        @Test
        void doesNotOpenBelowTheMinimumNumberOfCalls() {
            CircuitBreaker b = fx.install("b", config().failureRate(50, SlidingWindow.ofCalls(10), 4).build());
            fail(b, 3);
            assertThat(b.state()).isEqualTo(State.CLOSED);
            fail(b);
            assertThat(b.state()).isEqualTo(State.OPEN);
        }

        @Test
        void opensAtTheThresholdNotBelowIt() {
            CircuitBreaker b = fx.install("b", config().failureRate(50, SlidingWindow.ofCalls(10), 10).build());
            succeed(b, 6);
            fail(b, 4);
            assertThat(b.state()).as("40 %").isEqualTo(State.CLOSED);
            fail(b); // window: 5 successes, 5 failures
            assertThat(b.state()).as("50 %").isEqualTo(State.OPEN);
        }

        @Test
        void aSuccessThatReachesTheMinimumCanOpen() {
            CircuitBreaker b = fx.install("b", config().failureRate(50, SlidingWindow.ofCalls(4), 4).build());
            fail(b, 2);
            succeed(b);
            assertThat(b.state()).isEqualTo(State.CLOSED);
            succeed(b); // 2 of 4 failed
            assertThat(b.state()).isEqualTo(State.OPEN);
        }

        @Test
        void onlyTheLastNCallsCount() {
            CircuitBreaker b = fx.install("b", config().failureRate(75, SlidingWindow.ofCalls(4), 4).build());
            succeed(b, 3);
            fail(b, 2);
            assertThat(b.state()).as("window s f f + one success evicted: 50 %").isEqualTo(State.CLOSED);
            fail(b); // window s f f f: 75 %, though 3 of all 6 calls is 50 %
            assertThat(b.state()).isEqualTo(State.OPEN);
        }

        @Test
        void failuresLeaveTheWindowAsNewCallsArrive() {
            CircuitBreaker b = fx.install("b", config().failureRate(50, SlidingWindow.ofCalls(4), 4).build());
            fail(b);
            succeed(b, 3); // 25 %
            succeed(b, 4); // the failure has left
            fail(b);
            assertThat(b.stats().failureRate()).isEqualTo(25.0);
            assertThat(b.state()).isEqualTo(State.CLOSED);
        }
    }

    @Nested
    class FailureRateOverLastDuration {

        private CircuitBreaker breaker() {
            // 60 s window kept as 20 slices of 3 s; 60 % with at least 4 calls
            return fx.install("b", config().failureRate(60, SlidingWindow.ofDuration(Duration.ofSeconds(60)), 4).build());
        }

        @Test
        void outcomesOfTheLastSlicesStillCount() {
            CircuitBreaker b = breaker();
            succeed(b, 4);
            fx.advance(Duration.ofMillis(59_999)); // still slice 19: the successes are in the window
            fail(b, 4);
            assertThat(b.state()).as("4 of 8 calls failed").isEqualTo(State.CLOSED);
        }

        @Test
        void outcomesOlderThanTheWindowAreForgotten() {
            CircuitBreaker b = breaker();
            succeed(b, 4);
            fx.advanceSeconds(60); // slice 20: the first slice has left the window
            fail(b, 3);
            assertThat(b.state()).as("3 calls, below the minimum").isEqualTo(State.CLOSED);
            fail(b);
            assertThat(b.state()).as("4 of 4 calls failed").isEqualTo(State.OPEN);
        }

        @Test
        void anOutcomeLeavesBetweenWindowMinusOneSliceAndTheWindow() {
            CircuitBreaker b = breaker();
            fx.advanceSeconds(2); // recorded in slice 0 (0..3 s)
            succeed(b, 4);
            fx.advanceSeconds(58); // 58 s after it was recorded: slice 20, it has left
            fail(b, 4);
            assertThat(b.state()).isEqualTo(State.OPEN);
        }

        @Test
        void idleTimeLongerThanTheWindowEmptiesIt() {
            CircuitBreaker b = breaker();
            fail(b, 3);
            fx.advance(Duration.ofHours(5));
            assertThat(b.stats().failureRate()).isZero();
            fail(b, 3);
            assertThat(b.state()).as("only 3 calls in the window").isEqualTo(State.CLOSED);
        }
    }

    @Nested
    class SlowCallRate {

        private CircuitBreaker breaker() {
            return fx.install("b", config()
                    .slowCallRate(Duration.ofSeconds(1), 50, SlidingWindow.ofCalls(4), 4).build());
        }

        @Test
        void aCallTakingExactlyTheThresholdIsNotSlow() {
            CircuitBreaker b = breaker();
            for (int i = 0; i < 4; i++) {
                fx.succeedAfter(b, Duration.ofSeconds(1));
            }
            assertThat(b.state()).isEqualTo(State.CLOSED);
            assertThat(b.stats().slowCallCount()).isZero();
        }

        @Test
        void opensWhenHalfTheCallsAreSlowerThanTheThreshold() {
            CircuitBreaker b = breaker();
            succeed(b, 2);
            fx.succeedAfter(b, Duration.ofNanos(1_000_000_001));
            assertThat(b.state()).isEqualTo(State.CLOSED);
            fx.succeedAfter(b, Duration.ofSeconds(5));
            assertThat(b.state()).isEqualTo(State.OPEN);
            assertThat(b.stats().slowCallRate()).isEqualTo(50.0);
            assertThat(b.stats().slowCallCount()).isEqualTo(2);
        }

        @Test
        void slowFailuresAreSlowCallsToo() {
            CircuitBreaker b = breaker();
            succeed(b, 2);
            fx.failAfter(b, Duration.ofSeconds(2));
            fx.failAfter(b, Duration.ofSeconds(2));
            assertThat(b.state()).isEqualTo(State.OPEN);
            assertThat(fx.events.named(Events.CIRCUIT_BREAKER_STATE_CHANGE).get(0).metadata())
                    .containsEntry("trigger", "slow_call_rate");
        }
    }

    @Nested
    class ConsecutiveFailures {

        @Test
        void opensOnTheNthFailureInARow() {
            CircuitBreaker b = fx.install("b", config().consecutiveFailures(3).build());
            fail(b, 2);
            assertThat(b.state()).isEqualTo(State.CLOSED);
            fail(b);
            assertThat(b.state()).isEqualTo(State.OPEN);
        }

        @Test
        void aSuccessStartsTheCountAgain() {
            CircuitBreaker b = fx.install("b", config().consecutiveFailures(3).build());
            fail(b, 2);
            succeed(b);
            fail(b, 2);
            assertThat(b.state()).isEqualTo(State.CLOSED);
            fail(b);
            assertThat(b.state()).isEqualTo(State.OPEN);
        }
    }

    @Nested
    class Combinations {

        @Test
        void theFirstPolicyToFireOpensTheBreaker() {
            CircuitBreaker b = fx.install("b", config()
                    .failureCount(10, Duration.ofSeconds(60))
                    .failureRate(90, SlidingWindow.ofCalls(100), 50)
                    .consecutiveFailures(3)
                    .build());
            fail(b, 3);
            assertThat(b.state()).isEqualTo(State.OPEN);
            assertThat(fx.events.named(Events.CIRCUIT_BREAKER_STATE_CHANGE)).singleElement()
                    .satisfies(e -> assertThat(e.metadata()).containsEntry("trigger", "consecutive_failures"));
        }

        @Test
        void policiesWithTheSameWindowShareIt() {
            CircuitBreaker b = fx.install("b", config()
                    .failureRate(50, SlidingWindow.ofCalls(4), 4)
                    .slowCallRate(Duration.ofSeconds(1), 50, SlidingWindow.ofCalls(4), 4)
                    .build());
            fx.failAfter(b, Duration.ofSeconds(2));
            succeed(b, 2);
            assertThat(b.state()).isEqualTo(State.CLOSED);
            fx.failAfter(b, Duration.ofSeconds(2)); // 2 of 4 failed, 2 of 4 slow
            assertThat(b.state()).isEqualTo(State.OPEN);
            assertThat(b.stats().failureRate()).isEqualTo(50.0);
            assertThat(b.stats().slowCallRate()).isEqualTo(50.0);
        }

        @Test
        void aFailureRateOverCallsAndASlowRateOverTimeWorkSideBySide() {
            CircuitBreaker b = fx.install("b", config()
                    .failureRate(100, SlidingWindow.ofCalls(10), 10)
                    .slowCallRate(Duration.ofMillis(100), 100, SlidingWindow.ofDuration(Duration.ofSeconds(10)), 3)
                    .build());
            fail(b, 9);
            for (int i = 0; i < 3; i++) {
                fx.succeedAfter(b, Duration.ofMillis(200));
            }
            assertThat(b.state()).as("12 calls in the last 10 s, 3 of them slow; last 10 calls 70 % failed")
                    .isEqualTo(State.CLOSED);
            fx.advanceSeconds(10);
            for (int i = 0; i < 3; i++) {
                fx.succeedAfter(b, Duration.ofMillis(200));
            }
            assertThat(b.state()).isEqualTo(State.OPEN);
        }
    }
}
