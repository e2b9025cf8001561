package dev.bulwark.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class RetryDelayProperties {

    @Property
    void exponentialDelaysNeverShrinkAndStayWithinOneToThirtySeconds(@ForAll @IntRange(min = 0, max = 10_000) int attempt) {
        Duration delay = RetryStrategy.EXPONENTIAL_BACKOFF.delay(attempt, null);
        Duration next = RetryStrategy.EXPONENTIAL_BACKOFF.delay(attempt + 1, null);
        assertThat(delay).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(30));
        assertThat(next).isGreaterThanOrEqualTo(delay);
    }
}
