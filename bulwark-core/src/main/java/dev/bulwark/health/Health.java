package dev.bulwark.health;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link HealthCheck} found: a status ({@link HealthStatus#UP}, {@link HealthStatus#DEGRADED}
 * or {@link HealthStatus#DOWN}) and details for the reader of the report.
 *
 * <pre>{@code
 * return pool.idle() > 0
 *         ? Health.up().withDetail("idle", pool.idle())
 *         : Health.degraded("no idle connection").withDetail("waiting", pool.waiting());
 * }</pre>
 *
 * <p>Details keep the order they were added in. Their values should be what a JSON renderer shows
 * as is: strings, numbers, booleans (a dashboard prints them). A reason given to
 * {@link #degraded(String)} or {@link #down(String)} is the detail {@value #REASON}.
 *
 * <p>Immutable and thread-safe; equal when status and details are equal.
 */
public final class Health {

    /** The detail key of the reason given to {@link #degraded(String)} and {@link #down(String)}. */
    public static final String REASON = "reason";
    /** The detail key of the message of what a check threw (it is then DOWN). */
    public static final String ERROR = "error";
    /** The detail key of the class of what a check threw. */
    public static final String EXCEPTION = "exception";

    private static final Health UP = new Health(HealthStatus.UP, Map.of());

    private final HealthStatus status;
    private final Map<String, Object> details;

    private Health(HealthStatus status, Map<String, Object> details) {
        this.status = status;
        this.details = details;
    }

    /** Everything works. */
    public static Health up() {
        return UP;
    }

    /** It works with less, because of {@code reason}. */
    public static Health degraded(String reason) {
        return of(HealthStatus.DEGRADED).withDetail(REASON, Objects.requireNonNull(reason, "reason"));
    }

    /** It does not work, because of {@code reason}. */
    public static Health down(String reason) {
        return of(HealthStatus.DOWN).withDetail(REASON, Objects.requireNonNull(reason, "reason"));
    }

    /**
     * A result of that status without details.
     *
     * @throws IllegalArgumentException for {@link HealthStatus#UNKNOWN}: only the registry reports
     *                                  it, for a check that has not finished yet
     */
    public static Health of(HealthStatus status) {
        Objects.requireNonNull(status, "status");
        if (status == HealthStatus.UNKNOWN) {
            throw new IllegalArgumentException("a check cannot return UNKNOWN: it means the check has not finished yet");
        }
        return status == HealthStatus.UP ? UP : new Health(status, Map.of());
    }

    /**
     * This result with one more detail (replacing an earlier one of the same key).
     *
     * @throws NullPointerException if {@code key} or {@code value} is null
     */
    public Health withDetail(String key, Object value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value of detail '" + key + "'");
        Map<String, Object> more = new LinkedHashMap<>(details);
        more.put(key, value);
        return new Health(status, Collections.unmodifiableMap(more));
    }

    /** The status: never {@link HealthStatus#UNKNOWN}. */
    public HealthStatus status() {
        return status;
    }

    /** The details, in the order they were added; unmodifiable. */
    public Map<String, Object> details() {
        return details;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Health other && status == other.status && details.equals(other.details);
    }

    @Override
    public int hashCode() {
        return status.hashCode() * 31 + details.hashCode();
    }

    @Override
    public String toString() {
        return details.isEmpty() ? status.toString() : status + " " + details;
    }
}
