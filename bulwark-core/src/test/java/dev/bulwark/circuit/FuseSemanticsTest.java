package dev.bulwark.circuit;

import static dev.bulwark.circuit.BreakerFixture.fail;
import static dev.bulwark.circuit.BreakerFixture.succeed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.Result;
import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.error.InfraError;
import dev.bulwark.error.InfraException;
import dev.bulwark.error.RetryStrategy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The seed's scenarios: fuse's default breaker (5 melts in 60 s, reset after 60 s). */
class FuseSemanticsTest {

    private final BreakerFixture fx = new BreakerFixture();

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void defaultConfigIsFiveMeltsInSixtySecondsWithResetAfterSixtySeconds() {
        CircuitBreakerConfig defaults = CircuitBreakerConfig.defaults();
        assertThat(defaults.failureCount()).contains(new CircuitBreakerConfig.FailureCount(5, Duration.ofSeconds(60)));
        assertThat(defaults.recovery().mode()).isEqualTo(CircuitBreakerConfig.RecoveryMode.RESET);
        assertThat(defaults.recovery().openDuration()).isEqualTo(Duration.ofSeconds(60));
        assertThat(fx.breakers.install("db").config()).isSameAs(defaults);
    }

    @Test
    void fiveFailuresWithinSixtySecondsKeepItClosed() {
        CircuitBreaker db = fx.breakers.install("database_service");
        fail(db, 5);
        assertThat(db.state()).isEqualTo(State.CLOSED);
        assertThat(succeed(db)).isEqualTo(Result.ok("ok"));
    }

    @Test
    void sixthFailureWithinSixtySecondsBlows() {
        CircuitBreaker db = fx.breakers.install("database_service");
        for (int i = 0; i < 5; i++) {
            fail(db);
            fx.advanceSeconds(11);
        }
        assertThat(db.state()).isEqualTo(State.CLOSED);
        fail(db); // 55 s after the first: melt number 6 within 60 s
        assertThat(db.state()).isEqualTo(State.OPEN);
    }

    @Test
    void failuresOlderThanTheWindowNoLongerCount() {
        CircuitBreaker db = fx.breakers.install("database_service");
        for (int i = 0; i < 5; i++) {
            fail(db); // at 0, 12, 24, 36, 48 s
            fx.advanceSeconds(12);
        }
        fail(db); // at 60 s: the melt at 0 s has decayed, five remain in the window
        assertThat(db.state()).isEqualTo(State.CLOSED);
        fail(db); // a second one at 60 s: melts at 12..60 s are six within 60 s
        assertThat(db.state()).isEqualTo(State.OPEN);
    }

    @Test
    void blownBreakerRejectsWithCode5004AndTheTimeUntilReset() {
        CircuitBreaker db = fx.breakers.install("database_service");
        fail(db, 6);
        fx.advanceSeconds(20);

        Result<String> rejected = db.execute(() -> "never called");

        InfraError error = rejected.errValue().orElseThrow();
        assertThat(error.code()).isEqualTo(5004);
        assertThat(error.errorCode()).isEqualTo(CoreErrorCode.CIRCUIT_BREAKER_BLOWN);
        assertThat(error.retryAfter()).isEqualTo(Duration.ofSeconds(40));
        assertThat(error.retryStrategy()).isEqualTo(RetryStrategy.FIXED_DELAY);
        assertThat(error.retryDelay(0)).isEqualTo(Duration.ofSeconds(40));
        assertThat(error.httpStatus()).isEqualTo(503);
        assertThat(error.context()).containsEntry("circuit_breaker", "database_service").containsEntry("reason", "open");
    }

    @Test
    void blownBreakerDoesNotRunTheOperation() {
        CircuitBreaker db = fx.breakers.install("database_service");
        fail(db, 6);
        int[] runs = {0};
        db.execute(() -> ++runs[0]);
        assertThat(runs[0]).isZero();
    }

    @Test
    void callThrowsTheRejectionWithoutStackTrace() {
        CircuitBreaker db = fx.breakers.install("database_service");
        fail(db, 6);
        assertThatThrownBy(() -> db.call(() -> "never"))
                .isInstanceOfSatisfying(InfraException.class, e -> {
                    assertThat(e.code()).isEqualTo(5004);
                    assertThat(e.getStackTrace()).isEmpty();
                });
    }

    @Test
    void resetsItselfAfterSixtySecondsWithHistoryCleared() {
        CircuitBreaker db = fx.breakers.install("database_service");
        fail(db, 6);
        fx.advanceSeconds(59);
        assertThat(db.state()).isEqualTo(State.OPEN);
        fx.advanceSeconds(1);
        assertThat(db.state()).isEqualTo(State.CLOSED);
        fail(db, 5);
        assertThat(db.state()).as("the six melts before the reset are forgotten").isEqualTo(State.CLOSED);
    }

    @Test
    void manualResetClosesAndClearsHistory() {
        CircuitBreaker db = fx.breakers.install("database_service");
        fail(db, 6);
        assertThat(fx.breakers.reset("database_service")).isEqualTo(Result.ok(State.CLOSED));
        assertThat(db.state()).isEqualTo(State.CLOSED);
        assertThat(succeed(db)).isEqualTo(Result.ok("ok"));
        fail(db, 5);
        assertThat(db.state()).isEqualTo(State.CLOSED);
    }

    @Test
    void resetOfAClosedBreakerForgetsItsMelts() {
        CircuitBreaker db = fx.breakers.install("database_service");
        fail(db, 5);
        db.reset();
        fail(db, 5);
        assertThat(db.state()).isEqualTo(State.CLOSED);
    }

    @Test
    void unknownNamesGetTheirCodes() {
        assertThat(fx.breakers.execute("nope", () -> "x").errValue().orElseThrow().code()).isEqualTo(5005);
        assertThat(fx.breakers.status("nope").errValue().orElseThrow().code()).isEqualTo(5007);
        assertThat(fx.breakers.reset("nope").errValue().orElseThrow().code()).isEqualTo(5013);
        assertThatThrownBy(() -> fx.breakers.call("nope", () -> "x"))
                .isInstanceOfSatisfying(InfraException.class, e -> assertThat(e.code()).isEqualTo(5005));
    }

    @Test
    void breakersAreIndependent() {
        CircuitBreaker a = fx.breakers.install("a");
        CircuitBreaker b = fx.breakers.install("b");
        fail(a, 6);
        assertThat(a.state()).isEqualTo(State.OPEN);
        assertThat(b.state()).isEqualTo(State.CLOSED);
        assertThat(fx.breakers.execute("b", () -> "fine")).isEqualTo(Result.ok("fine"));
        fail(b, 5);
        assertThat(b.state()).isEqualTo(State.CLOSED);
    }

    @Test
    void aHundredBreakersEachKeepTheirOwnState() {
        for (int i = 0; i < 100; i++) {
            fx.breakers.install("service_" + i);
        }
        for (int i = 0; i < 100; i += 2) {
            fail(fx.breakers.get("service_" + i).orElseThrow(), 6);
        }
        assertThat(fx.breakers.list()).hasSize(100);
        for (int i = 0; i < 100; i++) {
            State expected = i % 2 == 0 ? State.OPEN : State.CLOSED;
            assertThat(fx.breakers.status("service_" + i).okValue().orElseThrow().state())
                    .as("service_" + i).isEqualTo(expected);
        }
    }

    @Test
    void theSeedsExampleRunsAsWritten() {
        CircuitBreaker db = fx.breakers.install("database_service");
        Result<List<String>> users = db.execute(() -> List.of("ada", "grace"));
        assertThat(users.okValue()).contains(List.of("ada", "grace"));
    }
}
