package dev.bulwark.circuit;

import static dev.bulwark.circuit.BreakerFixture.config;
import static dev.bulwark.circuit.BreakerFixture.fail;
import static dev.bulwark.circuit.BreakerFixture.succeed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Infrastructure;
import dev.bulwark.telemetry.Events;
import dev.bulwark.testkit.TelemetryCapture.Captured;
import dev.bulwark.testkit.TelemetryCapture;
import dev.bulwark.time.ManualClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The telemetry of DESIGN §4: call_executed, call_rejected, state_change for every real transition. */
class CircuitBreakerEventsTest {

    private final BreakerFixture fx = new BreakerFixture();

    @AfterEach
    void close() {
        fx.close();
    }

    private List<String> transitions() {
        return fx.events.named(Events.CIRCUIT_BREAKER_STATE_CHANGE).stream()
                .map(e -> e.metadata().get("from") + "->" + e.metadata().get("to") + " (" + e.metadata().get("trigger") + ")")
                .toList();
    }

    @Test
    void callExecutedCarriesTheDurationStatusAndHowItCounted() {
        CircuitBreaker b = fx.install("b", config().consecutiveFailures(5).recordResults("bad"::equals).build());
        fx.succeedAfter(b, Duration.ofMillis(1_500));
        b.execute(() -> "bad");
        fx.failAfter(b, Duration.ofMillis(3));

        List<Captured> executed = fx.events.named(Events.CIRCUIT_BREAKER_CALL_EXECUTED);
        assertThat(executed).extracting(e -> e.metadata().get("status") + "/" + e.metadata().get("counted_as"))
                .containsExactly("success/success", "failed/failure", "exception/failure");
        assertThat(executed).extracting(e -> e.measurements().get("duration_us"))
                .containsExactly(1_500_000L, 0L, 3_000L);
        assertThat(executed).allSatisfy(e -> assertThat(e.metadata()).containsEntry("name", "b"));
    }

    @Test
    void callRejectedCarriesTheReason() {
        CircuitBreaker b = fx.install("b", config().consecutiveFailures(1).halfOpen(Duration.ofSeconds(1), 1, 1).build());
        fail(b);
        succeed(b);
        fx.advanceSeconds(1);
        b.tryAcquire();
        succeed(b);
        b.disable();
        succeed(b);
        assertThat(fx.events.named(Events.CIRCUIT_BREAKER_CALL_REJECTED))
                .extracting(e -> e.metadata().get("reason"))
                .containsExactly("open", "half_open_full", "disabled");
    }

    @Test
    void everyRealTransitionIsEmittedOnceWithItsTrigger() {
        CircuitBreaker b = fx.install("b", config().consecutiveFailures(1).halfOpen(Duration.ofSeconds(10), 1, 1).build());
        fail(b);
        fx.advanceSeconds(10);
        fail(b);
        fx.advanceSeconds(10);
        succeed(b);
        b.disable();
        b.enable();
        b.reset(); // closed -> closed is no transition
        assertThat(transitions()).containsExactly(
                "closed->open (consecutive_failures)",
                "open->half_open (open_duration_elapsed)",
                "half_open->open (trial_failed)",
                "open->half_open (open_duration_elapsed)",
                "half_open->closed (trials_succeeded)",
                "closed->disabled (manual)",
                "disabled->closed (manual)");
    }

    @Test
    void aTransitionCausedByTimeAloneIsEmittedWhenTheBreakerIsNextLookedAt() {
        CircuitBreaker b = fx.install("b", config().consecutiveFailures(1).reset(Duration.ofSeconds(10)).build());
        fail(b);
        fx.advanceSeconds(60);
        assertThat(transitions()).hasSize(1);
        b.stats();
        assertThat(transitions()).containsExactly("closed->open (consecutive_failures)",
                "open->closed (open_duration_elapsed)");
    }

    @Test
    void reinstallOverAnOpenBreakerIsAManualTransition() {
        CircuitBreaker b = fx.breakers.install("b");
        fail(b, 6);
        fx.breakers.install("b");
        assertThat(transitions()).containsExactly("closed->open (failure_count)", "open->closed (manual)");
    }

    @Test
    void eventsUseTheConfiguredPrefix() {
        ManualClock clock = new ManualClock();
        try (Infrastructure infra = Infrastructure.builder().clock(clock).telemetryPrefix("elixir_scope.foundation.infra").build();
             TelemetryCapture events = TelemetryCapture.all(infra.telemetry())) {
            infra.circuitBreakers().install("b").execute(() -> "x");
            assertThat(events.events()).extracting(e -> e.name().toString()).contains(
                    "elixir_scope.foundation.infra.circuit_breaker.fuse_installed",
                    "elixir_scope.foundation.infra.circuit_breaker.call_executed");
        }
    }

    @Test
    void withoutListenersCallsAreNotTimedYetATripStartsTheOpenDurationAtTheRightTime() {
        fx.events.close(); // nobody listens: the success path reads no clock for a count window
        CircuitBreaker b = fx.install("quiet", config().failureRate(50, SlidingWindow.ofCalls(2), 2)
                .reset(Duration.ofSeconds(10)).build());
        fx.advanceSeconds(100);
        fail(b);
        succeed(b); // 1 of 2 failed: this success trips the breaker
        fx.advanceSeconds(9);
        assertThat(b.state()).isEqualTo(State.OPEN);
        assertThat(b.stats().retryAfter()).isEqualTo(Duration.ofSeconds(1));
        fx.advanceSeconds(1);
        assertThat(b.state()).isEqualTo(State.CLOSED);
    }
}
