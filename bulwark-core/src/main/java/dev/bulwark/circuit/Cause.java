package dev.bulwark.circuit;

import java.util.Locale;

/** Why a breaker entered a phase: the {@code trigger} of its {@code state_change} event. */
enum Cause {
    /** Installed, re-installed, reset, disabled or enabled by hand. */
    MANUAL,
    /** The fuse counting policy fired. */
    FAILURE_COUNT,
    /** The failure-rate policy fired. */
    FAILURE_RATE,
    /** The slow-call-rate policy fired. */
    SLOW_CALL_RATE,
    /** The consecutive-failures policy fired. */
    CONSECUTIVE_FAILURES,
    /** The open duration passed (to closed with reset recovery, to half-open otherwise). */
    OPEN_DURATION_ELAPSED,
    /** Enough half-open trials succeeded. */
    TRIALS_SUCCEEDED,
    /** Too many half-open trials failed. */
    TRIAL_FAILED,
    /** Half-open trials stayed unfinished longer than the trial timeout. */
    TRIAL_TIMEOUT;

    final String label = name().toLowerCase(Locale.ROOT);
}
