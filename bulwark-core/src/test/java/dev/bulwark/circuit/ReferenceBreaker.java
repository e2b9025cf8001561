package dev.bulwark.circuit;

import java.util.ArrayList;
import java.util.List;

/**
 * A deliberately naive circuit breaker for one thread, written straight from the documented
 * semantics: plain lists of outcomes, no windows, no atomics. The model-based test runs the same
 * calls through it and through {@link CircuitBreaker} and expects the same state after each step.
 *
 * <p>Times are nanoseconds of the manual clock. Jitter is not modelled (the test uses none).
 */
final class ReferenceBreaker {

    /** The trip and recovery settings the model understands; null or 0 means "not set". */
    record Settings(Integer maxMelts, long meltWindow,
                    Double failureRate, Integer rateWindowCalls, long rateWindowNanos, int rateMinimum,
                    Long slowerThan, Double slowRate, Integer slowWindowCalls, long slowWindowNanos, int slowMinimum,
                    int consecutive,
                    boolean halfOpen, long open, int trialCalls, int successThreshold, long trialTimeout,
                    double multiplier, long maxOpen) {
    }

    private record Outcome(long time, boolean failure, boolean slow) {
    }

    private final Settings s;
    private State state = State.CLOSED;
    private long enteredAt;
    private long until;
    private int level;
    // closed phase
    private final List<Long> melts = new ArrayList<>();
    private final List<Outcome> outcomes = new ArrayList<>();
    private int consecutive;
    private boolean sawSuccess;
    private int failedRecoveries;
    // half-open phase
    private int trialSuccesses;
    private int trialFailures;

    ReferenceBreaker(Settings settings, long now) {
        this.s = settings;
        close(now, 0);
    }

    State state(long now) {
        refresh(now);
        return state;
    }

    /** Whether a call starting at {@code now} is admitted. */
    boolean admits(long now) {
        refresh(now);
        return switch (state) {
            case CLOSED -> true;
            case HALF_OPEN -> trialSuccesses + trialFailures < s.trialCalls();
            default -> false;
        };
    }

    /**
     * A call admitted earlier ended at {@code end} after {@code duration}, failed or not, or with an
     * outcome that is not counted.
     */
    void record(long end, long duration, boolean failure, boolean ignored) {
        if (state == State.HALF_OPEN && end >= enteredAt + s.trialTimeout()) {
            open(enteredAt + s.trialTimeout(), level + 1); // the trial was in flight at the deadline
            return;
        }
        if (ignored) {
            return;
        }
        boolean slow = s.slowerThan() != null && duration > s.slowerThan();
        if (state == State.HALF_OPEN) {
            if (failure || slow) {
                trialFailures++;
                if (trialFailures > s.trialCalls() - s.successThreshold()) {
                    open(end, level + 1);
                }
            } else {
                trialSuccesses++;
                if (trialSuccesses >= s.successThreshold()) {
                    close(end, 0);
                }
            }
            return;
        }
        if (state != State.CLOSED) {
            return;
        }
        boolean trip = false;
        if (failure) {
            melts.add(end);
            if (s.maxMelts() != null) {
                long recent = melts.stream().filter(t -> end - t < s.meltWindow()).count();
                trip = recent >= s.maxMelts() + 1;
            }
            consecutive++;
            trip |= s.consecutive() > 0 && consecutive >= s.consecutive();
        } else {
            consecutive = 0;
            sawSuccess = true;
        }
        outcomes.add(new Outcome(end, failure, slow));
        if (s.failureRate() != null) {
            trip |= rateReached(end, s.rateWindowCalls(), s.rateWindowNanos(), s.rateMinimum(), s.failureRate(), false);
        }
        if (s.slowRate() != null) {
            trip |= rateReached(end, s.slowWindowCalls(), s.slowWindowNanos(), s.slowMinimum(), s.slowRate(), true);
        }
        if (trip) {
            open(end, sawSuccess ? 0 : failedRecoveries);
        }
    }

    void reset(long now) {
        refresh(now);
        if (state != State.DISABLED) {
            close(now, 0);
        }
    }

    void disable(long now) {
        refresh(now);
        if (state != State.DISABLED) {
            state = State.DISABLED;
            enteredAt = now;
        }
    }

    void enable(long now) {
        refresh(now);
        if (state == State.DISABLED) {
            close(now, 0);
        }
    }

    private boolean rateReached(long now, Integer windowCalls, long windowNanos, int minimum, double percent,
                                boolean slowCalls) {
        List<Outcome> window = new ArrayList<>();
        if (windowCalls != null) {
            window.addAll(outcomes.subList(Math.max(0, outcomes.size() - windowCalls), outcomes.size()));
        } else {
            long slice = Math.max(1L, windowNanos / SlidingWindow.SLICES);
            long current = (now - enteredAt) / slice;
            for (Outcome o : outcomes) {
                if ((o.time() - enteredAt) / slice > current - SlidingWindow.SLICES) {
                    window.add(o);
                }
            }
        }
        long counted = window.stream().filter(o -> slowCalls ? o.slow() : o.failure()).count();
        return window.size() >= minimum && counted * 100.0 >= percent * window.size();
    }

    private void refresh(long now) {
        if (state == State.OPEN && now >= until) {
            if (s.halfOpen()) {
                state = State.HALF_OPEN;
                enteredAt = until;
                trialSuccesses = 0;
                trialFailures = 0;
            } else {
                close(until, level + 1);
            }
        }
    }

    private void open(long now, int newLevel) {
        state = State.OPEN;
        enteredAt = now;
        level = newLevel;
        double duration = s.open();
        if (s.multiplier() > 1.0 && newLevel > 0) {
            duration = Math.min(s.open() * Math.pow(s.multiplier(), newLevel), s.maxOpen());
        }
        until = now + Math.max(1L, (long) duration);
    }

    private void close(long now, int recoveriesFailed) {
        state = State.CLOSED;
        enteredAt = now;
        melts.clear();
        outcomes.clear();
        consecutive = 0;
        sawSuccess = false;
        failedRecoveries = recoveriesFailed;
    }
}
