package dev.bulwark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The edges of the retry and fallback configurations: limits accepted, one answer per fallback. */
class PolicyConfigEdgesTest {

    @Test
    void retryJitterMayBeAnythingFromNoneToFull() {
        assertThat(RetryConfig.builder().jitter(0.0).build().jitter()).isZero();
        assertThat(RetryConfig.builder().jitter(1.0).build().jitter()).isEqualTo(1.0);
        assertThat(RetryConfig.builder().jitter(0.5).build().jitter()).isEqualTo(0.5);
        assertThatThrownBy(() -> RetryConfig.builder().jitter(-0.01)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("jitter must be in [0, 1], was -0.01");
        assertThatThrownBy(() -> RetryConfig.builder().jitter(Double.NaN)).hasMessageContaining("NaN");
    }

    @Test
    void aNegativeInitialDelayIsRejectedEvenUnderAPositiveCap() {
        assertThatThrownBy(() -> RetryConfig.builder().exponentialBackoff(Duration.ofMillis(-1), Duration.ofSeconds(1), 2.0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("initialDelay")
                .hasMessageContaining("PT-0.001S");
        RetryConfig edges = RetryConfig.builder().exponentialBackoff(Duration.ZERO, Duration.ZERO, 100.0).build();
        assertThat(edges.multiplier()).isEqualTo(100.0);
        assertThat(edges.maxDelay()).isZero();
        assertThat(RetryConfig.builder().exponentialBackoff(Duration.ofMillis(1), Duration.ofMillis(1), 1.0).build()
                .multiplier()).isEqualTo(1.0);
    }

    @Test
    void aFallbackHasExactlyOneAnswer() {
        assertThatThrownBy(() -> FallbackConfig.<String>builder().supplier(() -> "replica").value("placeholder"))
                .isInstanceOf(IllegalStateException.class).hasMessage("cannot set value: a supplier is already set");
        assertThatThrownBy(() -> FallbackConfig.<String>builder().value(null).function(e -> "error " + e.code()))
                .isInstanceOf(IllegalStateException.class).hasMessage("cannot set function: a value is already set");
        assertThatThrownBy(() -> FallbackConfig.<String>builder().function(e -> "x").supplier(() -> "y"))
                .isInstanceOf(IllegalStateException.class).hasMessage("cannot set supplier: a function is already set");
        assertThatThrownBy(() -> FallbackConfig.<String>builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("needs");
    }
}
