package dev.bulwark.circuit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A half-open breaker: up to {@code trialCalls} trial calls pass. It closes once
 * {@code successThreshold} trials succeeded and re-opens (one backoff level up) as soon as more
 * than {@code trialCalls - successThreshold} failed, or when trials stay unfinished longer than the
 * trial timeout. A trial whose outcome is ignored gives its permit back.
 *
 * <p>The trial bookkeeping is one {@code long} updated by compare-and-set: permits in flight,
 * successes and failures, 16 bits each (trial calls are at most 10 000).
 */
final class HalfOpenPhase extends Phase {

    private static final VarHandle TRIALS;
    private static final long IN_FLIGHT = 1L;
    private static final long SUCCESS = 1L << 16;
    private static final long FAILURE = 1L << 32;
    private static final long MASK = 0xFFFFL;

    static {
        try {
            TRIALS = MethodHandles.lookup().findVarHandle(HalfOpenPhase.class, "trials", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int failedRecoveries;
    private volatile long trials;

    HalfOpenPhase(Rules rules, Counters counters, long now, int failedRecoveries) {
        super(rules, counters, State.HALF_OPEN, now, Cause.OPEN_DURATION_ELAPSED);
        this.failedRecoveries = failedRecoveries;
    }

    private static int inFlight(long t) {
        return (int) (t & MASK);
    }

    private static int successes(long t) {
        return (int) ((t >>> 16) & MASK);
    }

    private static int failures(long t) {
        return (int) ((t >>> 32) & MASK);
    }

    /** Whether a trial permit is left. */
    boolean hasPermit() {
        long t = trials;
        return inFlight(t) + successes(t) + failures(t) < rules.trialCalls;
    }

    /** Takes a trial permit if one is left. */
    boolean tryAcquire() {
        while (true) {
            long t = trials;
            if (inFlight(t) + successes(t) + failures(t) >= rules.trialCalls) {
                return false;
            }
            if (TRIALS.compareAndSet(this, t, t + IN_FLIGHT)) {
                return true;
            }
        }
    }

    @Override
    Phase onSuccess(long now, long durationNanos) {
        counters.ok.increment();
        if (durationNanos > rules.slowCallNanos) {
            return onFailure(now, durationNanos);
        }
        long t = conclude(SUCCESS);
        if (t < 0) {
            return null;
        }
        return successes(t) >= rules.successThreshold ? new ClosedPhase(rules, counters, now, 0, Cause.TRIALS_SUCCEEDED) : null;
    }

    @Override
    Phase onFailure(long now, long durationNanos) {
        long t = conclude(FAILURE);
        if (t < 0) {
            return null;
        }
        return failures(t) > rules.trialCalls - rules.successThreshold ? reopen(now, Cause.TRIAL_FAILED) : null;
    }

    @Override
    void onIgnored() {
        conclude(0L);
    }

    /** Turns one permit in flight into {@code outcome}; returns the new bookkeeping, or -1 if no permit was out. */
    private long conclude(long outcome) {
        while (true) {
            long t = trials;
            if (inFlight(t) == 0) {
                return -1L;
            }
            long next = t - IN_FLIGHT + outcome;
            if (TRIALS.compareAndSet(this, t, next)) {
                return next;
            }
        }
    }

    @Override
    Phase dueAt(long now) {
        long deadline = enteredAt + rules.trialTimeoutNanos;
        return inFlight(trials) > 0 && now - deadline >= 0 ? reopen(deadline, Cause.TRIAL_TIMEOUT) : null;
    }

    private OpenPhase reopen(long now, Cause cause) {
        return new OpenPhase(rules, counters, now, failedRecoveries + 1, cause, null);
    }
}
