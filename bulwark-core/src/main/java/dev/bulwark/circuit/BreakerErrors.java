package dev.bulwark.circuit;

import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.error.InfraError;
import dev.bulwark.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CancellationException;

/** The errors one breaker reports, with its name in their context and timestamps from its clock. */
final class BreakerErrors {

    private final String name;
    private final Clock clock;

    BreakerErrors(String name, Clock clock) {
        this.name = name;
        this.clock = clock;
    }

    /** 5004 for a call refused by {@code phase}; with retryAfter (rounded up to the millisecond) when it is open. */
    InfraError rejected(Phase phase, RejectionReason reason, long now) {
        long retryNanos = reason == RejectionReason.OPEN ? phase.retryAfterNanos(now) : -1L;
        String message = switch (reason) {
            case OPEN -> "circuit breaker '" + name + "' is open; retry after " + ceilMillis(retryNanos) + " ms";
            case DISABLED -> "circuit breaker '" + name + "' is disabled";
            case HALF_OPEN_FULL -> "circuit breaker '" + name + "' is half-open and all " + phase.rules.trialCalls
                    + " trial calls are taken";
            case FAULT_INJECTED -> "circuit breaker '" + name + "' rejected the call by fault injection";
            case NOT_FOUND -> "no circuit breaker named '" + name + "'";
        };
        return InfraError.builder(CoreErrorCode.CIRCUIT_BREAKER_BLOWN)
                .message(message)
                .context("circuit_breaker", name)
                .context("reason", reason.label())
                .context("state", phase.state.label())
                .retryAfter(retryNanos < 0 ? null : Duration.ofMillis(ceilMillis(retryNanos)))
                .timestampMillis(clock.currentTimeMillis())
                .build();
    }

    /** 5003 for a thrown exception; 5012 for an {@link Error}, interrupt or cancellation. */
    InfraError operationFailed(Throwable thrown, Rules.Verdict countedAs) {
        boolean error = thrown instanceof Error || thrown instanceof InterruptedException
                || thrown instanceof CancellationException;
        return InfraError.builder(error ? CoreErrorCode.PROTECTED_OPERATION_ERROR : CoreErrorCode.PROTECTED_OPERATION_FAILED)
                .message("operation protected by circuit breaker '" + name + "' failed: " + thrown)
                .context("circuit_breaker", name)
                .context("counted_as", countedAs.name().toLowerCase(Locale.ROOT))
                .cause(thrown)
                .timestampMillis(clock.currentTimeMillis())
                .build();
    }

    /** 5006: a classification predicate of the configuration threw. */
    InfraError classificationFailed(Throwable e) {
        return InfraError.builder(CoreErrorCode.CIRCUIT_BREAKER_EXECUTE_EXCEPTION)
                .message("circuit breaker '" + name + "' could not classify an outcome: " + e)
                .context("circuit_breaker", name)
                .cause(e)
                .timestampMillis(clock.currentTimeMillis())
                .build();
    }

    /** 5009: the operation is null. */
    InfraError nullOperation() {
        return InfraError.builder(CoreErrorCode.CIRCUIT_BREAKER_INVALID_INPUT)
                .message("operation must not be null (circuit breaker '" + name + "')")
                .context("circuit_breaker", name)
                .timestampMillis(clock.currentTimeMillis())
                .build();
    }

    private static long ceilMillis(long nanos) {
        return (nanos + 999_999L) / 1_000_000L;
    }
}
