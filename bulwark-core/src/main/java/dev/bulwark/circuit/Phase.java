package dev.bulwark.circuit;

/**
 * One stay of a breaker in a {@link State}: the breaker's single volatile field points to the
 * current phase, and every transition replaces it with a new phase by compare-and-set. A phase
 * carries the state's own bookkeeping (a closed phase its windows, a half-open phase its trial
 * permits), so clearing history is simply starting a new phase, and an outcome reported to a phase
 * that is no longer current cannot move the breaker.
 */
abstract sealed class Phase extends Admission permits ClosedPhase, OpenPhase, HalfOpenPhase, DisabledPhase, ShutdownPhase {

    final Rules rules;
    final Counters counters;
    final State state;
    final long enteredAt;
    /** Why the breaker entered this phase. */
    final Cause cause;
    /**
     * Whether recording a success needs the time: only a closed phase whose policies neither time
     * calls nor use a time window can do without (every other phase may change state on a success).
     */
    final boolean successNeedsClock;
    /**
     * The number of state changes of the breaker up to and including the one into this phase (0 for
     * the phase a breaker starts in); the {@code sequence} of its {@code state_change} event. Set by
     * {@link CircuitBreaker} just before the compare-and-set that installs this phase, and published
     * by it: consecutive phases differ by one when their states differ, so sorting the events of one
     * breaker by sequence gives the exact order of its transitions, whatever order threads emitted them in.
     */
    long sequence;
    /** The last rejection built in this phase; racy on purpose (a lost update only costs a rebuild). */
    private Rejection cachedRejection;

    Phase(Rules rules, Counters counters, State state, long enteredAt, Cause cause) {
        this.rules = rules;
        this.counters = counters;
        this.state = state;
        this.enteredAt = enteredAt;
        this.cause = cause;
        this.successNeedsClock = state != State.CLOSED || rules.successNeedsClock;
    }

    /**
     * Records and counts a success that this phase admitted.
     *
     * @return the phase the breaker moves to, or null to stay
     */
    Phase onSuccess(long now, long durationNanos) {
        counters.ok.increment();
        return null;
    }

    /**
     * Records a failure that this phase admitted (the breaker counts the melt itself).
     *
     * @return the phase the breaker moves to, or null to stay
     */
    Phase onFailure(long now, long durationNanos) {
        return null;
    }

    /** Gives back the permit of a call whose outcome is not counted. */
    void onIgnored() {
    }

    /**
     * The phase that time alone moves this one to by {@code now}, or null. The new phase starts at
     * the moment its time came (the end of the open duration, the trial deadline), not at
     * {@code now}: the breaker's history does not depend on when anyone looked at it.
     */
    Phase dueAt(long now) {
        return null;
    }

    /** The time until this phase admits calls again, in nanoseconds, or -1 when unknown. */
    long retryAfterNanos(long now) {
        return -1L;
    }

    /** The closed phase whose windows describe this one (for rates in {@link Stats}); null if none. */
    ClosedPhase measuredPhase() {
        return null;
    }

    /** This phase's rejection for {@code reason} at {@code now}, reusing the one of the same tick. */
    final Rejection rejection(CircuitBreaker breaker, RejectionReason reason, long now) {
        long tick = now >> Rejection.TICK_SHIFT;
        Rejection cached = cachedRejection;
        if (cached != null && cached.tick == tick && cached.reason == reason) {
            return cached;
        }
        Rejection fresh = breaker.newRejection(this, reason, now, tick);
        cachedRejection = fresh;
        return fresh;
    }
}
