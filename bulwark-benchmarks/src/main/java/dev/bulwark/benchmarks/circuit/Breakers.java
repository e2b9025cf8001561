package dev.bulwark.benchmarks.circuit;

import dev.bulwark.Infrastructure;
import dev.bulwark.circuit.CircuitBreaker;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.circuit.SlidingWindow;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowSynchronizationStrategy;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import java.time.Duration;

/**
 * The breakers compared, one configuration per kind of window, each Bulwark policy beside its
 * nearest peer:
 * <ul>
 *   <li>fuse count (5 failures in 60 s) vs Failsafe's time-based failure threshold (5 in 60 s);</li>
 *   <li>failure rate over the last 100 calls vs Resilience4j COUNT_BASED (100 calls);</li>
 *   <li>failure rate over the last 60 s vs Resilience4j TIME_BASED (60 s).</li>
 * </ul>
 * All open for 60 s; rate policies at 50 % with a minimum of 100 calls.
 */
final class Breakers {

    static final Duration WINDOW = Duration.ofSeconds(60);
    static final int CALLS = 100;
    static final float RATE = 50f;

    private Breakers() {
    }

    static CircuitBreaker bulwarkFuse(Infrastructure infra) {
        return infra.circuitBreakers().install("fuse", CircuitBreakerConfig.builder()
                .failureCount(5, WINDOW).reset(WINDOW).build());
    }

    static CircuitBreaker bulwarkCountRate(Infrastructure infra) {
        return infra.circuitBreakers().install("count-rate", CircuitBreakerConfig.builder()
                .failureRate(RATE, SlidingWindow.ofCalls(CALLS), CALLS).halfOpen(WINDOW, 10, 10).build());
    }

    static CircuitBreaker bulwarkTimeRate(Infrastructure infra) {
        return infra.circuitBreakers().install("time-rate", CircuitBreakerConfig.builder()
                .failureRate(RATE, SlidingWindow.ofDuration(WINDOW), CALLS).halfOpen(WINDOW, 10, 10).build());
    }

    static dev.failsafe.CircuitBreaker<String> failsafeTimeThreshold() {
        return dev.failsafe.CircuitBreaker.<String>builder()
                .withFailureThreshold(5, WINDOW).withDelay(WINDOW).build();
    }

    static FailsafeExecutor<String> failsafeExecutor(dev.failsafe.CircuitBreaker<String> breaker) {
        return Failsafe.with(breaker);
    }

    static io.github.resilience4j.circuitbreaker.CircuitBreaker resilience4jCountBased(
            SlidingWindowSynchronizationStrategy strategy, boolean writableStackTrace) {
        return resilience4j("count-based", SlidingWindowType.COUNT_BASED, CALLS, strategy, writableStackTrace);
    }

    static io.github.resilience4j.circuitbreaker.CircuitBreaker resilience4jTimeBased(
            SlidingWindowSynchronizationStrategy strategy, boolean writableStackTrace) {
        return resilience4j("time-based", SlidingWindowType.TIME_BASED, (int) WINDOW.toSeconds(), strategy,
                writableStackTrace);
    }

    private static io.github.resilience4j.circuitbreaker.CircuitBreaker resilience4j(String name, SlidingWindowType type,
            int size, SlidingWindowSynchronizationStrategy strategy, boolean writableStackTrace) {
        return io.github.resilience4j.circuitbreaker.CircuitBreaker.of(name,
                io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.custom()
                        .slidingWindow(size, CALLS, type, strategy)
                        .failureRateThreshold(RATE)
                        .waitDurationInOpenState(WINDOW)
                        .writableStackTraceEnabled(writableStackTrace)
                        .build());
    }
}
