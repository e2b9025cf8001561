package dev.bulwark.circuit;

import dev.bulwark.circuit.CircuitBreakerConfig.RecoveryMode;
import dev.bulwark.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * A {@link CircuitBreakerConfig} compiled for the hot path: durations in nanoseconds, the distinct
 * sliding windows the rate policies need, and flags that let a call skip what its policies do not
 * use (reading the clock, classifying results). Immutable.
 */
final class Rules {

    /** How a call's outcome is counted. */
    enum Verdict { SUCCESS, FAILURE, IGNORED }

    /** A rate threshold over one of the windows. */
    record RateRule(int window, boolean slowCalls, double thresholdPercent, int minimumCalls) {
        Cause cause() {
            return slowCalls ? Cause.SLOW_CALL_RATE : Cause.FAILURE_RATE;
        }
    }

    final CircuitBreakerConfig config;
    /** The breaker's clock, for the moments a call path did not read it (a success that trips a count window). */
    final Clock clock;

    final boolean failureCount;
    final int maxMelts;
    final long meltWindowNanos;
    final int consecutiveFailures;
    final SlidingWindow[] windows;
    final RateRule[] rateRules;
    final long slowCallNanos;

    /** Whether a successful call needs the clock: to time it (slow calls) or to place it in a time window. */
    final boolean successNeedsClock;
    /** Whether calls are timed from their start (slow-call policy). */
    final boolean timesCalls;
    /** Whether a window needs each call's position in the breaker's call sequence (a count window). */
    final boolean sequencesCalls;

    final boolean halfOpen;
    final long openNanos;
    final int trialCalls;
    final int successThreshold;
    final long trialTimeoutNanos;
    final double backoffMultiplier;
    final long maxOpenNanos;
    final double jitter;

    final Predicate<? super Throwable> recordExceptions;
    final Predicate<? super Throwable> ignoreExceptions;
    final Predicate<Object> recordResults;
    final double faultInjectionRate;
    private final Random random;

    Rules(CircuitBreakerConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.failureCount = config.failureCount().isPresent();
        this.maxMelts = config.failureCount().map(CircuitBreakerConfig.FailureCount::maxMelts).orElse(0);
        this.meltWindowNanos = config.failureCount().map(f -> f.window().toNanos()).orElse(0L);
        this.consecutiveFailures = config.consecutiveFailures();

        List<SlidingWindow> distinct = new ArrayList<>();
        List<RateRule> rules = new ArrayList<>();
        config.failureRate().ifPresent(r -> rules.add(new RateRule(indexOf(distinct, r.window()), false,
                r.thresholdPercent(), r.minimumCalls())));
        config.slowCallRate().ifPresent(r -> rules.add(new RateRule(indexOf(distinct, r.window()), true,
                r.thresholdPercent(), r.minimumCalls())));
        this.windows = distinct.toArray(new SlidingWindow[0]);
        this.rateRules = rules.toArray(new RateRule[0]);
        this.slowCallNanos = config.slowCallRate().map(s -> s.slowerThan().toNanos()).orElse(Long.MAX_VALUE);
        this.timesCalls = config.slowCallRate().isPresent();
        this.successNeedsClock = timesCalls || distinct.stream().anyMatch(w -> !w.isCountBased());
        this.sequencesCalls = distinct.stream().anyMatch(SlidingWindow::isCountBased);

        CircuitBreakerConfig.Recovery recovery = config.recovery();
        this.halfOpen = recovery.mode() == RecoveryMode.HALF_OPEN;
        this.openNanos = recovery.openDuration().toNanos();
        this.trialCalls = recovery.trialCalls();
        this.successThreshold = recovery.successThreshold();
        this.trialTimeoutNanos = recovery.trialTimeout().toNanos();
        this.backoffMultiplier = config.backoff().multiplier();
        this.maxOpenNanos = config.backoff().maxOpenDuration().toNanos();
        this.jitter = config.backoff().jitter();

        this.recordExceptions = config.recordExceptions();
        this.ignoreExceptions = config.ignoreExceptions();
        this.recordResults = config.recordResults();
        this.faultInjectionRate = config.faultInjectionRate();
        this.random = config.random();
    }

    private static int indexOf(List<SlidingWindow> distinct, SlidingWindow window) {
        int i = distinct.indexOf(window);
        if (i >= 0) {
            return i;
        }
        distinct.add(window);
        return distinct.size() - 1;
    }

    /** The slow-call rule (true) or the failure-rate rule (false), or null when it is not configured. */
    RateRule rule(boolean slowCalls) {
        for (RateRule r : rateRules) {
            if (r.slowCalls() == slowCalls) {
                return r;
            }
        }
        return null;
    }

    /**
     * How a thrown exception counts: interrupts and cancellations are ignored, then the ignore
     * predicate, then the record predicate; an exception neither ignored nor recorded is a success.
     */
    Verdict classify(Throwable thrown) {
        if (thrown instanceof InterruptedException || thrown instanceof CancellationException) {
            return Verdict.IGNORED;
        }
        if (ignoreExceptions != null && ignoreExceptions.test(thrown)) {
            return Verdict.IGNORED;
        }
        return recordExceptions.test(thrown) ? Verdict.FAILURE : Verdict.SUCCESS;
    }

    /** The open duration after {@code failedRecoveries} failed recoveries, backed off, capped and jittered. */
    long openNanos(int failedRecoveries) {
        double base = openNanos;
        if (backoffMultiplier > 1.0 && failedRecoveries > 0) {
            base = Math.min(openNanos * Math.pow(backoffMultiplier, failedRecoveries), maxOpenNanos);
        }
        if (jitter > 0.0) {
            base *= 1.0 + jitter * (2.0 * nextRandom() - 1.0);
        }
        return Math.max(1L, (long) base);
    }

    /** Whether fault injection rejects this call. */
    boolean injectFault() {
        return nextRandom() < faultInjectionRate;
    }

    private double nextRandom() {
        return random != null ? random.nextDouble() : ThreadLocalRandom.current().nextDouble();
    }
}
