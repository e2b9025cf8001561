package dev.bulwark.health;

import java.util.Locale;

/**
 * The state of one health check or of a whole {@link HealthReport}. The constants are declared
 * from best to worst, and a report's status is the worst of its checks' (an empty report is
 * {@link #UP}):
 * <pre>
 *   UP  &lt;  DEGRADED  &lt;  UNKNOWN  &lt;  DOWN
 * </pre>
 * {@link #UP} and {@link #DEGRADED} answer HTTP 200 (the process serves, perhaps with less), and
 * {@link #UNKNOWN} and {@link #DOWN} answer 503. docs/health.md explains when each applies.
 */
public enum HealthStatus {
    /** Everything this check looks at works. */
    UP(200),
    /**
     * It works with less: an open breaker answering fast failures or fallbacks, a rate limiter
     * deciding by its failure policy, memory under pressure shedding sheddable work. Still HTTP 200:
     * taking an instance out of rotation would not bring the dependency back.
     */
    DEGRADED(200),
    /**
     * The check has never finished yet (it is running for the first time). A check never returns it;
     * once a check has finished, it is never UNKNOWN again.
     */
    UNKNOWN(503),
    /** It does not work: the check failed, threw, or did not answer within its timeout. */
    DOWN(503);

    private final int httpStatus;
    private final String label = name().toLowerCase(Locale.ROOT);

    HealthStatus(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    /** 200 for {@link #UP} and {@link #DEGRADED}, 503 for {@link #UNKNOWN} and {@link #DOWN}. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The lower-case name used in telemetry and JSON: {@code up}, {@code degraded}, {@code unknown}, {@code down}. */
    public String label() {
        return label;
    }

    /** The worse of this status and {@code other}. */
    public HealthStatus worst(HealthStatus other) {
        return java.util.Objects.requireNonNull(other, "other").ordinal() > ordinal() ? other : this;
    }
}
