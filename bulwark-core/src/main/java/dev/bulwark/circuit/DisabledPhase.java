package dev.bulwark.circuit;

/** A breaker forced open by hand: every call is rejected until it is enabled again. */
final class DisabledPhase extends Phase {

    DisabledPhase(Rules rules, long now) {
        super(rules, State.DISABLED, now, Cause.MANUAL);
    }

    @Override
    Phase onSuccess(long now, long durationNanos) {
        return null;
    }

    @Override
    Phase onFailure(long now, long durationNanos) {
        return null;
    }
}
