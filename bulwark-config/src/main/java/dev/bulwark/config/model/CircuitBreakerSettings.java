package dev.bulwark.config.model;

import java.time.Duration;
import java.util.List;

/**
 * {@code circuitBreakers.<name>}: one circuit breaker. Without any trip policy, fuse's default
 * applies ({@code failureCount: {maxMelts: 5, window: 60s}}); without a recovery, {@code reset: 60s}.
 *
 * @param failureCount        fuse's counting policy
 * @param failureRate         opens when a share of the window's calls failed
 * @param slowCallRate        opens when a share of the window's calls were slow
 * @param consecutiveFailures opens on so many failures in a row
 * @param reset               recovery: straight back to closed after this long (fuse)
 * @param halfOpen            recovery: through trial calls
 * @param trialTimeout        how long half-open trials may take before they count as failed
 * @param backoff             growth of the open duration after failed recoveries
 * @param jitter              random share by which open durations vary
 * @param recordExceptions    exception classes that count as failures (default: all)
 * @param ignoreExceptions    exception classes that are not counted at all
 * @param faultInjection      probability with which a closed breaker rejects a call on purpose
 * @param critical            whether readiness is DOWN (not only DEGRADED) while this breaker is open
 */
public record CircuitBreakerSettings(
        @Doc("Fuse's counting policy: opens on failure number maxMelts + 1 within the window.") FailureCountSettings failureCount,
        @Doc("Opens when at least thresholdPercent of the window's calls failed.") FailureRateSettings failureRate,
        @Doc("Opens when at least thresholdPercent of the window's calls were slower than slowerThan.") SlowCallRateSettings slowCallRate,
        @Doc("Opens on so many counted failures in a row.") Integer consecutiveFailures,
        @Doc(value = "Recovery: after this long the breaker closes again, its history cleared.", defaultValue = "60s") Duration reset,
        @Doc("Recovery through half-open trial calls (instead of reset).") HalfOpenSettings halfOpen,
        @Doc(value = "How long half-open trials may stay unfinished before they count as failed.", defaultValue = "60s") Duration trialTimeout,
        @Doc("Exponential growth of the open duration after each failed recovery.") OpenBackoffSettings backoff,
        @Doc(value = "Random share in [0, 1) by which every open duration varies.", defaultValue = "0") Double jitter,
        @Doc("Fully qualified exception classes that count as failures; others count as successes.") List<String> recordExceptions,
        @Doc("Fully qualified exception classes that are not counted at all.") List<String> ignoreExceptions,
        @Doc(value = "Probability in [0, 1] with which a closed breaker rejects a call on purpose.", defaultValue = "0") Double faultInjection,
        @Doc(value = "Whether readiness is DOWN, not only DEGRADED, while this breaker is open.", defaultValue = "false") Boolean critical) {

    public CircuitBreakerSettings {
        recordExceptions = recordExceptions == null ? null : List.copyOf(recordExceptions);
        ignoreExceptions = ignoreExceptions == null ? null : List.copyOf(ignoreExceptions);
    }

    /**
     * @param maxMelts failures tolerated within the window (the next one opens)
     * @param window   the sliding window
     */
    public record FailureCountSettings(
            @Doc(value = "Failures tolerated within the window; the next one opens the breaker.", defaultValue = "5") Integer maxMelts,
            @Doc(value = "The sliding window of the count.", defaultValue = "60s") Duration window) {
    }

    /**
     * @param thresholdPercent the share of failed calls, in percent, that opens
     * @param windowCalls      a window of the last N calls
     * @param windowDuration   a window of the calls of the last T (instead of windowCalls)
     * @param minimumCalls     calls the window must hold before the rate counts
     */
    public record FailureRateSettings(
            @Doc("The share of failed calls, in percent (0, 100], that opens the breaker.") Double thresholdPercent,
            @Doc("A window of the last N calls.") Integer windowCalls,
            @Doc("A window of the calls of the last T, instead of windowCalls.") Duration windowDuration,
            @Doc("Calls the window must hold before the rate counts.") Integer minimumCalls) {
    }

    /**
     * @param slowerThan       a call slower than this is slow
     * @param thresholdPercent the share of slow calls, in percent, that opens
     * @param windowCalls      a window of the last N calls
     * @param windowDuration   a window of the calls of the last T (instead of windowCalls)
     * @param minimumCalls     calls the window must hold before the rate counts
     */
    public record SlowCallRateSettings(
            @Doc("A call slower than this counts as slow.") Duration slowerThan,
            @Doc("The share of slow calls, in percent (0, 100], that opens the breaker.") Double thresholdPercent,
            @Doc("A window of the last N calls.") Integer windowCalls,
            @Doc("A window of the calls of the last T, instead of windowCalls.") Duration windowDuration,
            @Doc("Calls the window must hold before the rate counts.") Integer minimumCalls) {
    }

    /**
     * @param after            how long the breaker stays open before the trials
     * @param trialCalls       trial calls admitted
     * @param successThreshold trial successes needed to close
     */
    public record HalfOpenSettings(
            @Doc("How long the breaker stays open before it admits trial calls.") Duration after,
            @Doc(value = "Trial calls admitted.", defaultValue = "1") Integer trialCalls,
            @Doc(value = "Trial successes needed to close; defaults to trialCalls.") Integer successThreshold) {
    }

    /**
     * @param multiplier      growth per failed recovery, in [1, 100]
     * @param maxOpenDuration the cap of the open duration
     */
    public record OpenBackoffSettings(
            @Doc("Growth of the open duration per failed recovery, in [1, 100].") Double multiplier,
            @Doc("The cap of the open duration.") Duration maxOpenDuration) {
    }
}
