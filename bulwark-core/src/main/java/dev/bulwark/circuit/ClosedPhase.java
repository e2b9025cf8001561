package dev.bulwark.circuit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A closed breaker: calls pass and every trip policy counts them. Created with empty history on
 * install, reset, enable and recovery.
 *
 * <p>Successes take no lock: the windows are lock-free and the consecutive-failure count is reset
 * with a plain volatile write (only when it is not already zero), so under concurrency a success
 * racing with failures may end a run early, as "in a row" has no sharper meaning across threads.
 * Failures lock only the melt history, whose decision must be exact.
 */
final class ClosedPhase extends Phase {

    private static final VarHandle CONSECUTIVE;

    static {
        try {
            CONSECUTIVE = MethodHandles.lookup().findVarHandle(ClosedPhase.class, "consecutiveFailures", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final MeltHistory melts;
    private final CallWindow[] windows;
    /** The backoff level of the next opening if this phase trips before any call succeeded. */
    private final int failedRecoveries;
    /** Plain on purpose: a trip racing the first success may back off one level too far, nothing worse. */
    private boolean sawSuccess;
    private volatile int consecutiveFailures;

    ClosedPhase(Rules rules, Counters counters, long now, int failedRecoveries, Cause cause) {
        super(rules, counters, State.CLOSED, now, cause);
        this.melts = rules.failureCount ? new MeltHistory(rules.maxMelts, rules.meltWindowNanos) : null;
        this.windows = new CallWindow[rules.windows.length];
        long firstPosition = counters.sequence();
        long firstCall = counters.windowedCalls();
        for (int i = 0; i < windows.length; i++) {
            windows[i] = CallWindow.of(rules.windows[i], counters, rules.windows[i].isCountBased() ? firstPosition : firstCall, now);
        }
        this.failedRecoveries = failedRecoveries;
    }

    @Override
    Phase onSuccess(long now, long durationNanos) {
        if (consecutiveFailures != 0) {
            consecutiveFailures = 0;
        }
        if (failedRecoveries != 0 && !sawSuccess) {
            sawSuccess = true;
        }
        CallWindow[] ws = windows;
        if (ws.length == 0) {
            counters.ok.increment();
            return null;
        }
        long position = rules.sequencesCalls ? counters.nextWindowedCall() : -1L;
        int outcome = durationNanos > rules.slowCallNanos ? CallWindow.SLOW : 0;
        boolean mayTrip = false;
        for (CallWindow w : ws) {
            mayTrip |= w.record(position, now, outcome);
        }
        if (position < 0) {
            counters.countWindowedCall(); // after recording: a slice rolled by this call starts after it
        }
        Cause trigger = mayTrip ? rateTrigger() : null;
        // a success path that needs no time did not read the clock: read it now that it matters
        return trigger == null ? null : open(rules.successNeedsClock ? now : rules.clock.nanoTime(), trigger);
    }

    @Override
    Phase onFailure(long now, long durationNanos) {
        Cause trigger = null;
        if (melts != null && melts.melt(now)) {
            trigger = Cause.FAILURE_COUNT;
        }
        if (rules.consecutiveFailures > 0
                && (int) CONSECUTIVE.getAndAdd(this, 1) + 1 >= rules.consecutiveFailures && trigger == null) {
            trigger = Cause.CONSECUTIVE_FAILURES;
        }
        if (windows.length > 0) {
            long position = rules.sequencesCalls ? counters.nextWindowedCall() : -1L;
            counters.windowedFailures.increment();
            int outcome = CallWindow.FAILURE | (durationNanos > rules.slowCallNanos ? CallWindow.SLOW : 0);
            for (CallWindow w : windows) {
                w.record(position, now, outcome);
            }
            if (position < 0) {
                counters.countWindowedCall();
            }
        }
        if (trigger == null) {
            trigger = rateTrigger();
        }
        return trigger == null ? null : open(now, trigger);
    }

    private Cause rateTrigger() {
        for (Rules.RateRule rule : rules.rateRules) {
            CallWindow w = windows[rule.window()];
            long calls = w.calls();
            if (calls >= rule.minimumCalls()) {
                long counted = rule.slowCalls() ? w.slowCalls() : w.failures();
                if (counted * 100.0 >= rule.thresholdPercent() * calls) {
                    return rule.cause();
                }
            }
        }
        return null;
    }

    private OpenPhase open(long now, Cause trigger) {
        int level = sawSuccess ? 0 : failedRecoveries;
        return new OpenPhase(rules, counters, now, level, trigger, this);
    }

    /** The window of a rate rule; null if the rules have no such rule. */
    CallWindow window(Rules.RateRule rule) {
        return rule == null ? null : windows[rule.window()];
    }

    @Override
    ClosedPhase measuredPhase() {
        return this;
    }
}
