package dev.bulwark.spring;

import dev.bulwark.health.HealthReport;
import dev.bulwark.health.HealthStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * One of core's health reports ({@code infra.health()}, docs/health.md) as a Spring health
 * contributor: {@code bulwark} is the readiness report (every breaker, the rate limiter's key bound,
 * memory pressure, the checks of modules and of the application), {@code bulwarkLiveness} the
 * liveness report (the process's own checks only: deadlocked threads, a stalled scheduler, memory
 * CRITICAL beyond its grace period; never a dependency).
 *
 * <p>Statuses: UP is {@code UP}; DEGRADED is {@link #DEGRADED} (HTTP 200: the application answers,
 * with fallbacks or shedding); DOWN is {@code DOWN} (503); UNKNOWN (a check that has not finished
 * its first run, which core answers with 503) is {@code OUT_OF_SERVICE} (503 too), with the detail
 * {@code bulwarkStatus: UNKNOWN}. Details: each check's status and details under {@code checks}, and
 * for the readiness report each breaker's state under {@code circuitBreakers} ({@code OPEN},
 * {@code OPEN (critical)}). A report never runs a check on the probing thread nor waits for one.
 * Thread-safe.
 */
public final class BulwarkHealthIndicator implements HealthIndicator {

    /** The status of an application that answers, but not fully: 200, ordered between DOWN and UP. */
    public static final Status DEGRADED = new Status("DEGRADED", "a dependency is failing or load is shed; the application answers");

    private static final String BREAKER_PREFIX = "circuit_breaker.";

    private final Supplier<HealthReport> report;

    BulwarkHealthIndicator(Supplier<HealthReport> report) {
        this.report = report;
    }

    @Override
    public Health health() {
        HealthReport r = report.get();
        Health.Builder health = Health.status(status(r.status()));
        if (r.status() == HealthStatus.UNKNOWN) {
            health.withDetail("bulwarkStatus", HealthStatus.UNKNOWN.name());
        }
        Map<String, Object> checks = new LinkedHashMap<>();
        Map<String, Object> breakers = new LinkedHashMap<>();
        r.checks().forEach((name, check) -> {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("status", check.status().name());
            c.putAll(check.details());
            checks.put(name, c);
            if (name.startsWith(BREAKER_PREFIX) && check.details().get("state") instanceof String state) {
                String shown = state.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
                breakers.put(name.substring(BREAKER_PREFIX.length()),
                        Boolean.TRUE.equals(check.details().get("critical")) ? shown + " (critical)" : shown);
            }
        });
        health.withDetail("checks", checks);
        if (r.group().equals(dev.bulwark.health.HealthGroup.READINESS)) {
            health.withDetail("circuitBreakers", breakers);
        }
        return health.build();
    }

    /** Spring's status for core's. */
    static Status status(HealthStatus status) {
        return switch (status) {
            case UP -> Status.UP;
            case DEGRADED -> DEGRADED;
            case UNKNOWN -> Status.OUT_OF_SERVICE;
            case DOWN -> Status.DOWN;
        };
    }
}
