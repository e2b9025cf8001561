package dev.bulwark.circuit;

/** An open breaker: calls are rejected until {@code until}, then it recovers (reset or half-open). */
final class OpenPhase extends Phase {

    final long until;
    /** Recoveries that failed in a row before this opening: the backoff level of its duration. */
    final int failedRecoveries;
    private final ClosedPhase tripped;

    OpenPhase(Rules rules, Counters counters, long now, int failedRecoveries, Cause cause, ClosedPhase tripped) {
        super(rules, counters, State.OPEN, now, cause);
        this.failedRecoveries = failedRecoveries;
        this.until = now + rules.openNanos(failedRecoveries);
        this.tripped = tripped;
    }


    @Override
    Phase dueAt(long now) {
        if (now - until < 0) {
            return null;
        }
        return rules.halfOpen
                ? new HalfOpenPhase(rules, counters, until, failedRecoveries)
                : new ClosedPhase(rules, counters, until, failedRecoveries + 1, Cause.OPEN_DURATION_ELAPSED);
    }

    @Override
    long retryAfterNanos(long now) {
        return Math.max(0L, until - now);
    }

    @Override
    ClosedPhase measuredPhase() {
        return tripped;
    }
}
