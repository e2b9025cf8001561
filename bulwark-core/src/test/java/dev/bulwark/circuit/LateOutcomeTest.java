package dev.bulwark.circuit;

import static dev.bulwark.circuit.BreakerFixture.fail;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An outcome reported after time moved the breaker on counts the same whether or not anyone looked
 * at the breaker in between (fuse 2.5.0, compared differentially: "blown" in both cases).
 */
class LateOutcomeTest {

    private final BreakerFixture fx = new BreakerFixture();

    @AfterEach
    void close() {
        fx.close();
    }

    private CircuitBreakerConfig oneMeltInOneMilli() {
        return BreakerFixture.config().failureCount(0, Duration.ofMillis(1)).reset(Duration.ofMillis(1)).build();
    }

    @Test
    void aFailureReportedAfterTheOpenDurationTripsTheBreakerWhetherOrNotItWasLookedAt() {
        for (boolean look : new boolean[] {false, true}) {
            CircuitBreaker cb = fx.install("late-" + look, oneMeltInOneMilli());
            fail(cb);
            assertThat(cb.state()).isEqualTo(State.OPEN);
            fx.advance(Duration.ofMillis(1));
            if (look) {
                assertThat(cb.state()).isEqualTo(State.CLOSED);
            }
            cb.onFailure(0, new IOException("down"));
            assertThat(cb.state()).as("looked at before the report: " + look).isEqualTo(State.OPEN);
        }
    }

    @Test
    void aPermitTakenWhileClosedAndReportedAfterAnotherTripAndRecoveryCountsInTheNewClosedState() {
        for (boolean look : new boolean[] {false, true}) {
            CircuitBreaker cb = fx.install("permit-" + look, oneMeltInOneMilli());
            assertThat(cb.tryAcquire()).isTrue();         // the first caller's permit, taken while closed
            fail(cb);                                      // another caller trips the breaker
            fx.advance(Duration.ofMillis(1));              // the open duration passes
            if (look) {
                cb.state();
            }
            cb.onFailure(0, new IOException("down"));      // the first caller reports late
            assertThat(cb.state()).as("looked at before the report: " + look).isEqualTo(State.OPEN);
        }
    }

    @Test
    void aLateSuccessCountsInTheWindowOfTheNewClosedStateWhetherOrNotItWasLookedAt() {
        CircuitBreakerConfig rate = BreakerFixture.config().failureRate(50, SlidingWindow.ofCalls(2), 2)
                .reset(Duration.ofMillis(1)).build();
        for (boolean look : new boolean[] {false, true}) {
            CircuitBreaker cb = fx.install("success-" + look, rate);
            assertThat(cb.tryAcquire()).isTrue();   // a permit taken while closed
            fail(cb, 2);                            // others trip the breaker: 2 of 2 calls failed
            fx.advance(Duration.ofMillis(1));       // closed again, with an empty window
            if (look) {
                cb.state();
            }
            cb.onSuccess(0);                        // the late success: 1 call in the new window
            assertThat(cb.state()).isEqualTo(State.CLOSED);
            fail(cb);                               // 1 of 2 failed: 50 % of the minimum 2 calls
            assertThat(cb.state()).as("looked at before the report: " + look).isEqualTo(State.OPEN);
        }
    }

    @Test
    void aManualResetAfterTheOpenDurationEmitsTheSameTransitionsWhetherOrNotItWasLookedAt() {
        for (boolean look : new boolean[] {false, true}) {
            CircuitBreaker cb = fx.install("reset-" + look, oneMeltInOneMilli());
            fail(cb);
            fx.advance(Duration.ofMillis(1));
            if (look) {
                cb.state();
            }
            cb.disable();
            assertThat(fx.events.named(dev.bulwark.telemetry.Events.CIRCUIT_BREAKER_STATE_CHANGE).stream()
                    .filter(e -> e.metadata().get("name").equals(cb.name()))
                    .map(e -> e.metadata().get("from") + ">" + e.metadata().get("to") + ":" + e.metadata().get("trigger"))
                    .toList())
                    .as("looked at before the disable: " + look)
                    .containsExactly("closed>open:failure_count", "open>closed:open_duration_elapsed", "closed>disabled:manual");
        }
    }
}
