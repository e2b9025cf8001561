package dev.bulwark.circuit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The configuration builder validates eagerly, quoting the bad value, and builds immutable configs. */
class CircuitBreakerConfigTest {

    private static void rejects(Executable build, String... messageParts) {
        assertThatThrownBy(build::execute).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll(messageParts);
    }

    @Test
    void badArgumentsAreRejectedWithTheirValue() {
        CircuitBreakerConfig.Builder b = CircuitBreakerConfig.builder();
        rejects(() -> b.failureCount(-1, Duration.ofSeconds(1)), "maxMelts", "-1");
        rejects(() -> b.failureCount(1, Duration.ZERO), "window", "PT0S");
        rejects(() -> b.failureCount(1, null), "window", "null");
        rejects(() -> b.failureCount(1, Duration.ofDays(400)), "365 days", "PT9600H");
        rejects(() -> b.failureRate(0, SlidingWindow.ofCalls(10), 1), "thresholdPercent", "0.0");
        rejects(() -> b.failureRate(100.5, SlidingWindow.ofCalls(10), 1), "thresholdPercent", "100.5");
        rejects(() -> b.failureRate(Double.NaN, SlidingWindow.ofCalls(10), 1), "thresholdPercent", "NaN");
        rejects(() -> b.failureRate(50, SlidingWindow.ofCalls(10), 0), "minimumCalls", "0");
        rejects(() -> b.failureRate(50, SlidingWindow.ofCalls(10), 11), "minimumCalls", "10", "11");
        rejects(() -> b.slowCallRate(Duration.ofMillis(-1), 50, SlidingWindow.ofCalls(10), 1), "slowerThan", "PT-0.001S");
        rejects(() -> b.consecutiveFailures(0), "consecutiveFailures", "0");
        rejects(() -> b.reset(Duration.ofSeconds(-1)), "open duration", "PT-1S");
        rejects(() -> b.halfOpen(Duration.ofSeconds(1), 0, 1), "trialCalls", "0");
        rejects(() -> b.halfOpen(Duration.ofSeconds(1), 3, 4), "successThreshold", "4");
        rejects(() -> b.trialTimeout(Duration.ZERO), "trialTimeout", "PT0S");
        rejects(() -> b.backoff(0.5, Duration.ofSeconds(1)), "multiplier", "0.5");
        rejects(() -> b.jitter(1.0), "jitter", "1.0");
        rejects(() -> b.jitter(-0.1), "jitter", "-0.1");
        rejects(() -> b.faultInjection(1.5), "fault injection", "1.5");
        rejects(() -> b.recordExceptions(String.class), "Throwable", "java.lang.String");
        rejects(() -> b.ignoreExceptions(), "at least one");
        rejects(() -> SlidingWindow.ofCalls(0), "window calls", "0");
        rejects(() -> SlidingWindow.ofDuration(Duration.ofNanos(10)), "window duration", "PT0.00000001S");
        assertThatThrownBy(() -> b.random(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("random");
    }

    @Test
    void aConfigNeedsATripPolicy() {
        rejects(() -> CircuitBreakerConfig.builder().reset(Duration.ofSeconds(5)).build(), "at least one trip policy");
    }

    @Test
    void theBackoffCapCannotBeShorterThanTheOpenDuration() {
        rejects(() -> CircuitBreakerConfig.builder().consecutiveFailures(1).reset(Duration.ofSeconds(30))
                .backoff(2, Duration.ofSeconds(10)).build(), "PT10S", "PT30S");
    }

    @Test
    void theDefaultRecoveryIsAFuseResetAfterSixtySeconds() {
        CircuitBreakerConfig config = CircuitBreakerConfig.builder().consecutiveFailures(3).build();
        assertThat(config.recovery().mode()).isEqualTo(CircuitBreakerConfig.RecoveryMode.RESET);
        assertThat(config.recovery().openDuration()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.backoff().multiplier()).isEqualTo(1.0);
        assertThat(config.backoff().jitter()).isZero();
        assertThat(config.faultInjectionRate()).isZero();
        assertThat(config.random()).isNull();
    }

    @Test
    void toBuilderCopiesAndTheCopyDoesNotChangeTheOriginal() {
        Random random = new Random(1);
        CircuitBreakerConfig original = CircuitBreakerConfig.builder()
                .failureCount(3, Duration.ofSeconds(10))
                .failureRate(50, SlidingWindow.ofDuration(Duration.ofSeconds(30)), 10)
                .slowCallRate(Duration.ofSeconds(2), 80, SlidingWindow.ofCalls(50), 20)
                .consecutiveFailures(4)
                .halfOpen(Duration.ofSeconds(5), 3, 2)
                .trialTimeout(Duration.ofSeconds(20))
                .backoff(2, Duration.ofMinutes(5))
                .jitter(0.1)
                .recordExceptions(IOException.class)
                .ignoreExceptions(IllegalStateException.class)
                .recordResults(r -> false)
                .faultInjection(0.01)
                .random(random)
                .build();
        CircuitBreakerConfig copy = original.toBuilder().build();
        assertThat(copy.toString()).isEqualTo(original.toString());
        assertThat(copy.random()).isSameAs(random);

        CircuitBreakerConfig changed = original.toBuilder().consecutiveFailures(9).reset(Duration.ofSeconds(7)).build();
        assertThat(original.consecutiveFailures()).isEqualTo(4);
        assertThat(original.recovery().mode()).isEqualTo(CircuitBreakerConfig.RecoveryMode.HALF_OPEN);
        assertThat(changed.consecutiveFailures()).isEqualTo(9);
        assertThat(changed.recovery().openDuration()).isEqualTo(Duration.ofSeconds(7));
        assertThat(changed.backoff().jitter()).isEqualTo(0.1);
    }

    @Test
    void toStringNamesEveryPolicy() {
        String text = CircuitBreakerConfig.builder()
                .failureCount(5, Duration.ofSeconds(60))
                .failureRate(50, SlidingWindow.ofCalls(100), 20)
                .consecutiveFailures(3)
                .halfOpen(Duration.ofSeconds(30), 5, 3)
                .build().toString();
        assertThat(text).contains("failureCount(5, PT1M)", "failureRate(50.0% of last 100 calls, minimumCalls 20)",
                "consecutiveFailures(3)", "halfOpen(PT30S, trialCalls 5, successThreshold 3");
    }

    @Test
    void slidingWindowsAreValues() {
        assertThat(SlidingWindow.ofCalls(10)).isEqualTo(SlidingWindow.ofCalls(10)).hasSameHashCodeAs(SlidingWindow.ofCalls(10))
                .isNotEqualTo(SlidingWindow.ofCalls(11));
        assertThat(SlidingWindow.ofDuration(Duration.ofSeconds(1))).isEqualTo(SlidingWindow.ofDuration(Duration.ofMillis(1000)));
        assertThat(SlidingWindow.ofCalls(10).isCountBased()).isTrue();
        assertThat(SlidingWindow.ofDuration(Duration.ofSeconds(1)).isCountBased()).isFalse();
    }

    @Test
    void theLimitsOfEachSettingAreThemselvesAccepted() {
        CircuitBreakerConfig.Builder b = CircuitBreakerConfig.builder();
        assertThat(b.failureCount(0, Duration.ofSeconds(1)).build().failureCount().orElseThrow().maxMelts()).isZero();
        assertThat(b.failureCount(CircuitBreakerConfig.MAX_MELTS, Duration.ofSeconds(1)).build().failureCount().orElseThrow()
                .maxMelts()).isEqualTo(100_000);
        rejects(() -> b.failureCount(CircuitBreakerConfig.MAX_MELTS + 1, Duration.ofSeconds(1)), "maxMelts", "100001");
        assertThat(b.halfOpen(Duration.ofSeconds(1), 1, 1).build().recovery().trialCalls()).isEqualTo(1);
        assertThat(b.halfOpen(Duration.ofSeconds(1), CircuitBreakerConfig.MAX_TRIAL_CALLS, CircuitBreakerConfig.MAX_TRIAL_CALLS)
                .build().recovery().successThreshold()).isEqualTo(10_000);
        rejects(() -> b.halfOpen(Duration.ofSeconds(1), CircuitBreakerConfig.MAX_TRIAL_CALLS + 1, 1), "trialCalls", "10001");
        rejects(() -> b.halfOpen(Duration.ofSeconds(1), 3, 0), "successThreshold", "0");
        assertThat(b.backoff(1.0, Duration.ofMinutes(5)).build().backoff().multiplier()).isEqualTo(1.0);
        assertThat(b.backoff(100.0, Duration.ofMinutes(5)).build().backoff().multiplier()).isEqualTo(100.0);
        rejects(() -> b.backoff(100.5, Duration.ofMinutes(5)), "multiplier", "100.5");
        rejects(() -> b.backoff(2, Duration.ZERO), "maxOpenDuration", "PT0S");
        assertThat(b.jitter(0.0).build().backoff().jitter()).isZero();
    }

    @Test
    void aBackoffCapEqualToTheOpenDurationIsAccepted() {
        CircuitBreakerConfig config = CircuitBreakerConfig.builder().consecutiveFailures(1).reset(Duration.ofSeconds(30))
                .backoff(2, Duration.ofSeconds(30)).build();
        assertThat(config.backoff().maxOpenDuration()).isEqualTo(config.recovery().openDuration());
    }

    @Test
    void policyRecordsValidateWhenMadeDirectly() {
        rejects(() -> new CircuitBreakerConfig.Backoff(2, Duration.ofMinutes(1), 1.0), "jitter", "1.0");
        rejects(() -> new CircuitBreakerConfig.Backoff(2, Duration.ofMinutes(1), Double.NaN), "jitter", "NaN");
        assertThat(new CircuitBreakerConfig.Backoff(2, Duration.ofMinutes(1), 0.0).jitter()).isZero();
        rejects(() -> new CircuitBreakerConfig.SlowCallRate(Duration.ofSeconds(1), 0, SlidingWindow.ofCalls(10), 1),
                "slowCallRate thresholdPercent", "0.0");
        rejects(() -> new CircuitBreakerConfig.SlowCallRate(Duration.ofSeconds(1), 50, SlidingWindow.ofCalls(10), 11),
                "slowCallRate minimumCalls", "11");
        rejects(() -> new CircuitBreakerConfig.SlowCallRate(Duration.ofSeconds(1), 50, SlidingWindow.ofCalls(10), 0),
                "slowCallRate minimumCalls", "0");
    }

    @Test
    void toStringShowsTheSlowCallRateAndBackoffOnlyWhenSet() {
        String plain = CircuitBreakerConfig.builder().failureCount(5, Duration.ofSeconds(60)).build().toString();
        assertThat(plain).isEqualTo("CircuitBreakerConfig[failureCount(5, PT1M), reset(PT1M)]");
        String slow = CircuitBreakerConfig.builder()
                .slowCallRate(Duration.ofSeconds(2), 50, SlidingWindow.ofCalls(10), 5)
                .backoff(2, Duration.ofMinutes(5)).build().toString();
        assertThat(slow).contains("slowCallRate(slower than PT2S, 50.0% of last 10 calls, minimumCalls 5)",
                "backoff(x2.0 up to PT5M, jitter 0.0)").doesNotContain("consecutiveFailures", "faultInjection");
        String jitterOnly = CircuitBreakerConfig.builder().consecutiveFailures(2).jitter(0.25).build().toString();
        assertThat(jitterOnly).contains("consecutiveFailures(2)", "jitter 0.25");
        assertThat(CircuitBreakerConfig.builder().consecutiveFailures(2).faultInjection(0.5).build().toString())
                .contains("faultInjection(0.5)").doesNotContain("backoff(");
    }
}
