package dev.bulwark.config;

import dev.bulwark.telemetry.EventType;
import dev.bulwark.telemetry.Unit;
import java.util.List;

/**
 * The events of bulwark-config, declared when the configuration is installed into an
 * infrastructure (docs/config.md, "Events").
 */
public final class ConfigEvents {

    /** Metadata key: the configuration's source (a file path, {@code Spring environment}). */
    public static final String SOURCE = "source";
    /** Metadata key: the code of the first problem (1101, 1201 or 1301). */
    public static final String ERROR_CODE = "error_code";
    /** Metadata key: the message listing the problems. */
    public static final String MESSAGE = "message";
    /** Metadata key: the protections and breakers added, changed or removed. */
    public static final String CHANGED_KEYS = "changed_keys";

    /** {@code config.applied}: a configuration was applied (at start or on a reload). */
    public static final EventType APPLIED = EventType.builder("config", "applied")
            .description("a configuration was applied, at start or on a reload; unchanged parts kept their state")
            .measurement("version", Unit.COUNT, "the number of configurations applied so far, this one included")
            .measurement("protections", Unit.COUNT, "named protections configured")
            .measurement("circuit_breakers", Unit.COUNT, "circuit breakers configured")
            .measurement("changed", Unit.COUNT, "protections and breakers added, changed or removed")
            .tag(SOURCE, "where the configuration was read from")
            .detail(CHANGED_KEYS, "what was added, changed or removed, e.g. [protection inventory, circuit_breaker payments]")
            .build();

    /** {@code config.rejected}: a new configuration was invalid; the one in force stays. */
    public static final EventType REJECTED = EventType.builder("config", "rejected")
            .description("a new configuration was invalid and was not applied; the configuration in force stays")
            .measurement("errors", Unit.COUNT, "problems found in it")
            .tag(SOURCE, "where the configuration was read from")
            .tag(ERROR_CODE, "the code of the first problem: 1101, 1201 or 1301")
            .detail(MESSAGE, "every problem, with its path and line")
            .build();

    private ConfigEvents() {
    }

    /** Both declarations. */
    public static List<EventType> all() {
        return List.of(APPLIED, REJECTED);
    }
}
