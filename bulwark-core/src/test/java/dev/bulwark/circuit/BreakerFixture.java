package dev.bulwark.circuit;

import dev.bulwark.Infrastructure;
import dev.bulwark.Result;
import dev.bulwark.testkit.TelemetryCapture;
import dev.bulwark.time.ManualClock;
import java.io.IOException;
import java.time.Duration;

/**
 * A manual clock, an {@link Infrastructure} on it and a capture of its events, with one-line ways
 * to make a breaker see a success, a failure or a slow call. Close it after the test.
 */
final class BreakerFixture implements AutoCloseable {

    final ManualClock clock = new ManualClock();
    final Infrastructure infra = Infrastructure.builder().clock(clock).build();
    final CircuitBreakers breakers = infra.circuitBreakers();
    final TelemetryCapture events = TelemetryCapture.all(infra.telemetry());

    CircuitBreaker install(String name, CircuitBreakerConfig config) {
        return breakers.install(name, config);
    }

    static CircuitBreakerConfig.Builder config() {
        return CircuitBreakerConfig.builder();
    }

    /** A call that returns "ok" at once. */
    static Result<String> succeed(CircuitBreaker breaker) {
        return breaker.execute(() -> "ok");
    }

    /** A call that throws an {@link IOException} at once. */
    static Result<String> fail(CircuitBreaker breaker) {
        return breaker.execute(() -> {
            throw new IOException("dependency down");
        });
    }

    /** {@code n} failing calls. */
    static void fail(CircuitBreaker breaker, int n) {
        for (int i = 0; i < n; i++) {
            fail(breaker);
        }
    }

    /** {@code n} succeeding calls. */
    static void succeed(CircuitBreaker breaker, int n) {
        for (int i = 0; i < n; i++) {
            succeed(breaker);
        }
    }

    /** A call that succeeds after {@code duration} of manual time. */
    Result<String> succeedAfter(CircuitBreaker breaker, Duration duration) {
        return breaker.execute(() -> {
            clock.advance(duration);
            return "slow ok";
        });
    }

    /** A call that fails after {@code duration} of manual time. */
    Result<String> failAfter(CircuitBreaker breaker, Duration duration) {
        return breaker.execute(() -> {
            clock.advance(duration);
            throw new IOException("slow failure");
        });
    }

    void advance(Duration d) {
        clock.advance(d);
    }

    void advanceSeconds(long seconds) {
        clock.advance(Duration.ofSeconds(seconds));
    }

    @Override
    public void close() {
        events.close();
        infra.close();
        org.assertj.core.api.Assertions.assertThat(events.undeclared())
                .as("events carry only what their declarations say").isEmpty();
    }
}
