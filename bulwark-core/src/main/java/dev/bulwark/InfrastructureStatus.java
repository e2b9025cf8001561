package dev.bulwark;

import dev.bulwark.spi.ComponentStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of an {@link Infrastructure}: whether it runs, since when, and the typed status of
 * each component (the breakers and their states, the rate limiter and its store, the named
 * protections, and whatever modules registered). Immutable.
 *
 * @param running           false once {@link Infrastructure#close()} has been called
 * @param startedAt         wall-clock time of {@code build()}
 * @param uptime            monotonic time since {@code build()}
 * @param components        component name → that component's status, in registration order
 * @param droppedEvents     telemetry events dropped by the asynchronous dispatcher
 * @param handlerFailures   telemetry handlers detached because they threw
 * @param schedulerFailures scheduled tasks that threw (and kept their schedule)
 */
public record InfrastructureStatus(
        boolean running,
        Instant startedAt,
        Duration uptime,
        Map<String, ComponentStatus> components,
        long droppedEvents,
        long handlerFailures,
        long schedulerFailures) {

    /** The status registered under {@code name}, if it is of {@code type}. */
    public <S extends ComponentStatus> Optional<S> component(String name, Class<S> type) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        ComponentStatus status = components.get(name);
        return type.isInstance(status) ? Optional.of(type.cast(status)) : Optional.empty();
    }

    /** Every component status of {@code type}, in registration order. */
    public <S extends ComponentStatus> List<S> components(Class<S> type) {
        Objects.requireNonNull(type, "type");
        List<S> found = new ArrayList<>();
        for (ComponentStatus status : components.values()) {
            if (type.isInstance(status)) {
                found.add(type.cast(status));
            }
        }
        return List.copyOf(found);
    }
}
