package dev.bulwark.circuit;

import static dev.bulwark.circuit.BreakerFixture.config;
import static dev.bulwark.circuit.BreakerFixture.fail;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Result;
import dev.bulwark.error.InfraError;
import dev.bulwark.telemetry.Events;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Fuse's fault injection: a closed breaker rejects calls with a given probability, reproducibly with a seed. */
class FaultInjectionTest {

    private final BreakerFixture fx = new BreakerFixture();

    @AfterEach
    void close() {
        fx.close();
    }

    private CircuitBreaker injecting(double rate, long seed) {
        return fx.install("f" + seed + "-" + rate, config().failureCount(5, Duration.ofSeconds(60))
                .faultInjection(rate).random(new Random(seed)).build());
    }

    private static List<Boolean> rejections(CircuitBreaker b, int calls) {
        List<Boolean> rejected = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            rejected.add(b.execute(() -> "ok").isErr());
        }
        return rejected;
    }

    @Test
    void rejectsAtTheConfiguredRateWithinTolerance() {
        int calls = 20_000;
        long rejected = rejections(injecting(0.2, 42), calls).stream().filter(r -> r).count();
        // binomial(20 000, 0.2): sigma = 56.6; allow 4 sigma
        assertThat(rejected).isBetween(4_000L - 227, 4_000L + 227);
    }

    @Test
    void theSameSeedRejectsTheSameCalls() {
        assertThat(rejections(injecting(0.3, 7), 500)).isEqualTo(rejections(injecting(0.3, 7), 500))
                .isNotEqualTo(rejections(injecting(0.3, 8), 500));
    }

    @Test
    void anInjectedRejectionIs5004WithReasonFaultInjectedAndIsNotAMelt() {
        CircuitBreaker b = injecting(1.0, 1);
        Result<String> result = b.execute(() -> "never");
        InfraError error = result.errValue().orElseThrow();
        assertThat(error.code()).isEqualTo(5004);
        assertThat(error.context()).containsEntry("reason", "fault_injected");
        assertThat(b.state()).isEqualTo(State.CLOSED);
        assertThat(b.stats().rejectedCount()).isEqualTo(1);
        assertThat(b.stats().meltCount()).isZero();
        assertThat(fx.events.named(Events.CIRCUIT_BREAKER_CALL_REJECTED)).singleElement()
                .satisfies(e -> assertThat(e.metadata()).containsEntry("reason", "fault_injected"));
    }

    @Test
    void rateZeroNeverRejectsAndRateOneAlwaysDoes() {
        assertThat(rejections(injecting(0.0, 3), 1_000)).containsOnly(false);
        assertThat(rejections(injecting(1.0, 3), 1_000)).containsOnly(true);
    }

    @Test
    void anOpenBreakerRejectsBecauseItIsOpen() {
        CircuitBreaker b = fx.install("b", config().consecutiveFailures(1).faultInjection(0.5)
                .random(new Random(9)).build());
        while (b.state() == State.CLOSED) {
            fail(b);
        }
        assertThat(b.execute(() -> "x").errValue().orElseThrow().context()).containsEntry("reason", "open");
    }
}
