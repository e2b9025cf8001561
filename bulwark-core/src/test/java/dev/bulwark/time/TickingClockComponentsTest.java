package dev.bulwark.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.Infrastructure;
import dev.bulwark.Result;
import dev.bulwark.circuit.CircuitBreaker;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.circuit.State;
import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.ratelimit.RateLimit;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Components built on a ticking clock make the same decisions, in its time: a breaker's open period
 * ends and a rate-limit window rolls over once the ticks have moved past them. Real time, waited on
 * with a bound.
 */
class TickingClockComponentsTest {

    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final Duration OPEN_PERIOD = Duration.ofMillis(50);

    @Test
    void aBreakerOpensRejectsAndResetsAsItsClockTicksPastTheOpenPeriod() {
        try (Infrastructure infra = Infrastructure.builder().tickingClock(Duration.ofMillis(1)).build()) {
            CircuitBreaker breaker = infra.circuitBreakers().install("dep", CircuitBreakerConfig.builder()
                    .failureCount(0, Duration.ofSeconds(60)).reset(OPEN_PERIOD).build());
            breaker.execute(() -> {
                throw new IOException("down");
            });
            long openedAt = infra.clock().nanoTime();
            assertThat(breaker.state()).isEqualTo(State.OPEN);

            // until the clock has moved past the open period, every call is rejected
            await().atMost(BOUND).until(() -> {
                Result<String> r = breaker.execute(() -> "ok");
                if (r.isErr()) {
                    assertThat(r.errValue().orElseThrow().errorCode()).isEqualTo(CoreErrorCode.CIRCUIT_BREAKER_BLOWN);
                    return false;
                }
                assertThat(infra.clock().nanoTime() - openedAt).isGreaterThanOrEqualTo(OPEN_PERIOD.toNanos());
                return true;
            });
            assertThat(breaker.state()).isEqualTo(State.CLOSED);
        }
    }

    @Test
    void aRateLimitWindowRollsOverAsTheClockTicks() {
        try (Infrastructure infra = Infrastructure.builder().tickingClock(Duration.ofMillis(1)).build()) {
            RateLimit rule = RateLimit.of("burst", 3, Duration.ofMillis(50))
                    .withAlgorithm(dev.bulwark.ratelimit.Algorithm.FIXED_WINDOW);
            long admitted = 0;
            while (admitted < 3) {
                assertThat(infra.rateLimiter().tryAcquire("user", "op", rule)).isTrue();
                admitted++;
            }
            long deniedAt = infra.clock().nanoTime();
            boolean deniedNow = !infra.rateLimiter().tryAcquire("user", "op", rule);
            // a tick may roll the window between the third admission and this one; then it is admitted
            assertThat(deniedNow || infra.clock().nanoTime() > deniedAt).isTrue();

            await().atMost(BOUND).until(() -> infra.rateLimiter().tryAcquire("user", "op", rule));
        }
    }
}
