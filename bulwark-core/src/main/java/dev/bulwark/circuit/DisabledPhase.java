package dev.bulwark.circuit;

/** A breaker forced open by hand: every call is rejected until it is enabled again. */
final class DisabledPhase extends Phase {

    DisabledPhase(Rules rules, Counters counters, long now) {
        super(rules, counters, State.DISABLED, now, Cause.MANUAL);
    }

}
