package dev.bulwark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class RetryBackoffProperties {

    @Property
    void theBackoffNeverShrinksAndStaysBetweenTheInitialAndTheMaximumDelay(
            @ForAll @LongRange(min = 0, max = 10_000) long initialMs,
            @ForAll @LongRange(min = 0, max = 100_000) long extraMs,
            @ForAll @DoubleRange(min = 1.0, max = 100.0) double multiplier,
            @ForAll @IntRange(min = 1, max = 200) int retry) {
        RetryConfig config = RetryConfig.builder()
                .exponentialBackoff(Duration.ofMillis(initialMs), Duration.ofMillis(initialMs + extraMs), multiplier)
                .build();
        Duration now = config.backoff(retry);
        assertThat(now).isBetween(config.initialDelay(), config.maxDelay());
        if (retry > 1) {
            assertThat(now).isGreaterThanOrEqualTo(config.backoff(retry - 1));
        }
    }
}
