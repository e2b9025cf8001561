package dev.bulwark.circuit;

/**
 * The phase of a breaker whose registry was closed (its {@code Infrastructure} closed): it admits
 * nothing — every call answers 2102 "... is closed", built once — counts nothing, and time moves it
 * nowhere. It reports the state of the phase it ended, so status and stats show the breaker as it
 * was at close. Being no {@link ClosedPhase}, it costs the closed hot path nothing.
 */
final class ShutdownPhase extends Phase {

    final Rejection rejection;
    private final Phase last;

    ShutdownPhase(Phase last, Rejection rejection) {
        super(last.rules, last.counters, last.state, last.enteredAt, last.cause);
        this.last = last;
        this.rejection = rejection;
    }

    @Override
    Phase onSuccess(long now, long durationNanos) {
        return null; // a permit of the phase that ended: nothing to count any more
    }

    @Override
    long retryAfterNanos(long now) {
        return -1L;
    }

    @Override
    ClosedPhase measuredPhase() {
        return last.measuredPhase();
    }
}
