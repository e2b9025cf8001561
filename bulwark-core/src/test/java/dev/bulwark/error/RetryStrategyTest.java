package dev.bulwark.error;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetryStrategyTest {

    @ParameterizedTest(name = "attempt {0} waits {1} ms")
    @CsvSource({"0, 1000", "1, 2000", "2, 4000", "3, 8000", "4, 16000", "5, 30000", "6, 30000", "40, 30000",
            "2147483647, 30000"})
    void exponentialBackoffDoublesFromOneSecondUpToThirtySeconds(int attempt, long millis) {
        assertThat(RetryStrategy.EXPONENTIAL_BACKOFF.delay(attempt, null)).isEqualTo(Duration.ofMillis(millis));
    }

    @Test
    void fixedDelayIsOneSecondOrTheKnownRetryAfter() {
        assertThat(RetryStrategy.FIXED_DELAY.delay(3, null)).isEqualTo(Duration.ofSeconds(1));
        assertThat(RetryStrategy.FIXED_DELAY.delay(3, Duration.ofMillis(250))).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void immediateWaitsNothingAndNoRetryHasNoDelay() {
        assertThat(RetryStrategy.IMMEDIATE.delay(7, Duration.ofSeconds(5))).isEqualTo(Duration.ZERO);
        assertThat(RetryStrategy.NO_RETRY.delay(0, null)).isNull();
        assertThat(RetryStrategy.NO_RETRY.isRetryable()).isFalse();
        assertThat(RetryStrategy.IMMEDIATE.isRetryable()).isTrue();
    }

    @Test
    void negativeAttemptIsRejectedWithItsValue() {
        assertThatThrownBy(() -> RetryStrategy.EXPONENTIAL_BACKOFF.delay(-1, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("attempt")
                .hasMessageContaining("-1");
    }

    @Test
    void causesMapToStrategies() {
        assertThat(RetryStrategy.forCause(null)).isEqualTo(RetryStrategy.NO_RETRY);
        assertThat(RetryStrategy.forCause(new IOException())).isEqualTo(RetryStrategy.EXPONENTIAL_BACKOFF);
        assertThat(RetryStrategy.forCause(new TimeoutException())).isEqualTo(RetryStrategy.EXPONENTIAL_BACKOFF);
        assertThat(RetryStrategy.forCause(new RuntimeException())).isEqualTo(RetryStrategy.EXPONENTIAL_BACKOFF);
        assertThat(RetryStrategy.forCause(new InterruptedException())).isEqualTo(RetryStrategy.NO_RETRY);
        assertThat(RetryStrategy.forCause(new InterruptedIOException())).isEqualTo(RetryStrategy.NO_RETRY);
        assertThat(RetryStrategy.forCause(new OutOfMemoryError())).isEqualTo(RetryStrategy.NO_RETRY);
        assertThat(RetryStrategy.forCause(new IllegalArgumentException())).isEqualTo(RetryStrategy.NO_RETRY);
        assertThat(RetryStrategy.forCause(new NullPointerException())).isEqualTo(RetryStrategy.NO_RETRY);
        assertThat(RetryStrategy.forCause(new UnsupportedOperationException())).isEqualTo(RetryStrategy.NO_RETRY);
    }
}
