package dev.bulwark.internal;

import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.error.InfraError;
import dev.bulwark.error.RetryStrategy;
import dev.bulwark.time.Clock;

/**
 * The one answer of a closed component (docs/errors.md, "After close"): error 2102
 * SERVICE_UNAVAILABLE, "&lt;component&gt; is closed", never retried (closing is for good).
 */
public final class Closed {

    private Closed() {
    }

    /** The error of {@code component} (e.g. {@code "circuit breaker 'db'"}) after its close. */
    public static InfraError error(String component, Clock clock) {
        return error(component, clock.currentTimeMillis());
    }

    /** The error of {@code component} after its close, stamped {@code timestampMillis}. */
    public static InfraError error(String component, long timestampMillis) {
        return InfraError.builder(CoreErrorCode.SERVICE_UNAVAILABLE)
                .message(component + " is closed")
                .context("component", component)
                .retryStrategy(RetryStrategy.NO_RETRY)
                .timestampMillis(timestampMillis)
                .build();
    }
}
