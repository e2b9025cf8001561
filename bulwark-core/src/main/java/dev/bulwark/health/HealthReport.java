package dev.bulwark.health;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The health of one {@link HealthGroup} at one moment: each check's latest result and the
 * aggregate status, the worst of them ({@link HealthStatus}: {@code UP < DEGRADED < UNKNOWN < DOWN};
 * a group without checks is UP). Serve {@link #httpStatus()} as the probe's HTTP status.
 *
 * <pre>{@code
 * HealthReport ready = infra.health().readiness();
 * response.status(ready.httpStatus());                  // 200 for UP and DEGRADED, 503 otherwise
 * ready.checks().forEach((name, check) -> ...);         // status, details, duration, cached at
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class HealthReport {

    /**
     * One check's latest result as a report shows it.
     *
     * @param name     the check's name
     * @param status   its status: {@link HealthStatus#UNKNOWN} only while it has never finished
     * @param details  what it reported (see {@link Health}); for a check that threw or timed out, the
     *                 detail {@value Health#ERROR} says what happened
     * @param duration how long the run that produced this result took (the timeout, for a run that
     *                 timed out; zero while UNKNOWN)
     * @param cachedAt when that result was obtained, on the infrastructure's clock; null while UNKNOWN.
     *                 A result is reused until it is older than the check's TTL
     */
    public record Check(String name, HealthStatus status, Map<String, Object> details, Duration duration,
                        Instant cachedAt) {

        public Check {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(duration, "duration");
            Objects.requireNonNull(details, "details");
            details = details.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(details));
            if (status != HealthStatus.UNKNOWN) {
                Objects.requireNonNull(cachedAt, "cachedAt");
            }
        }

        /** The result of a check that has not finished yet. */
        public static Check unknown(String name) {
            Objects.requireNonNull(name, "name");
            return new Check(name, HealthStatus.UNKNOWN, Map.of(), Duration.ZERO, null);
        }

        /** The result {@code health} of a run of {@code duration} that ended at {@code at}. */
        public static Check of(String name, Health health, Duration duration, Instant at) {
            Objects.requireNonNull(health, "health");
            return new Check(name, health.status(), health.details(), duration, at);
        }
    }

    private final HealthGroup group;
    private final HealthStatus status;
    private final Map<String, Check> checks;
    private final Instant at;

    private HealthReport(HealthGroup group, HealthStatus status, Map<String, Check> checks, Instant at) {
        this.group = group;
        this.status = status;
        this.checks = checks;
        this.at = at;
    }

    /**
     * A report of {@code group} made of {@code checks} (in their iteration order), its status the
     * worst of theirs.
     *
     * @throws IllegalArgumentException if two checks have the same name
     */
    public static HealthReport of(HealthGroup group, Collection<Check> checks, Instant at) {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(checks, "checks");
        Map<String, Check> byName = new LinkedHashMap<>();
        HealthStatus worst = HealthStatus.UP;
        for (Check check : checks) {
            Objects.requireNonNull(check, "check in checks");
            if (byName.put(check.name(), check) != null) {
                throw new IllegalArgumentException("two checks named '" + check.name() + "' in one report");
            }
            worst = worst.worst(check.status());
        }
        return new HealthReport(group, worst, Collections.unmodifiableMap(byName), at);
    }

    /** The group reported. */
    public HealthGroup group() {
        return group;
    }

    /** The worst status of the checks; UP when the group has none. */
    public HealthStatus status() {
        return status;
    }

    /** 200 when {@link #status()} is UP or DEGRADED, 503 when it is UNKNOWN or DOWN. */
    public int httpStatus() {
        return status.httpStatus();
    }

    /** Each check's latest result by name, sorted by name; unmodifiable. */
    public Map<String, Check> checks() {
        return checks;
    }

    /** The result of the check of that name, if it is in this report. */
    public Optional<Check> check(String name) {
        Objects.requireNonNull(name, "name");
        return Optional.ofNullable(checks.get(name));
    }

    /** When the report was made, on the infrastructure's clock. */
    public Instant at() {
        return at;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(group.name()).append(' ').append(status);
        checks.values().forEach(c -> sb.append("\n  ").append(c.name()).append(": ").append(c.status())
                .append(c.details().isEmpty() ? "" : " " + c.details()));
        return sb.toString();
    }
}
