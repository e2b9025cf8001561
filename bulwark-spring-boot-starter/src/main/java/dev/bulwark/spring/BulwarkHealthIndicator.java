package dev.bulwark.spring;

import dev.bulwark.Infrastructure;
import dev.bulwark.circuit.State;
import dev.bulwark.circuit.Stats;
import dev.bulwark.config.BulwarkConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * Bulwark's readiness: {@code UP} while every breaker is closed; {@link #DEGRADED} (HTTP 200: the
 * application still answers, with fallbacks) while one is open, half-open or disabled; {@code DOWN}
 * (HTTP 503) while a breaker marked {@code critical} is open or disabled. Part of the readiness
 * group by default ({@code management.endpoint.health.group.readiness.include}), never of
 * liveness: a dependency's trouble is no reason to restart the process. Thread-safe.
 */
public final class BulwarkHealthIndicator implements HealthIndicator {

    /** The status of an application that answers, but not fully: 200, ordered between DOWN and UP. */
    public static final Status DEGRADED = new Status("DEGRADED", "a dependency is failing; fallbacks answer");

    private final Infrastructure infrastructure;
    private final BulwarkConfig config;

    BulwarkHealthIndicator(Infrastructure infrastructure, BulwarkConfig config) {
        this.infrastructure = infrastructure;
        this.config = config;
    }

    @Override
    public Health health() {
        Set<String> critical = config.current().criticalBreakers();
        Map<String, Object> breakers = new LinkedHashMap<>();
        boolean degraded = false;
        boolean down = false;
        for (Stats s : infrastructure.circuitBreakers().snapshot().breakers().values()) {
            boolean blocking = s.state() == State.OPEN || s.state() == State.DISABLED;
            boolean isCritical = critical.contains(s.name());
            if (s.state() != State.CLOSED) {
                degraded = true;
                down |= blocking && isCritical;
            }
            breakers.put(s.name(), isCritical ? s.state().name() + " (critical)" : s.state().name());
        }
        Health.Builder health = down ? Health.down() : degraded ? Health.status(DEGRADED) : Health.up();
        return health.withDetail("circuitBreakers", breakers).build();
    }
}
