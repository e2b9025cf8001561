package dev.bulwark;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A snapshot of an {@link Infrastructure}: whether it runs, since when, and a summary per
 * component (breakers and their states, live rate-limit keys...). Immutable.
 *
 * @param running          false once {@link Infrastructure#close()} has been called
 * @param startedAt        wall-clock time of {@code build()}
 * @param uptime           monotonic time since {@code build()}
 * @param components       component name → that component's summary (immutable)
 * @param droppedEvents    telemetry events dropped by the asynchronous dispatcher
 * @param handlerFailures  telemetry handlers detached because they threw
 * @param schedulerFailures scheduled tasks that threw (and kept their schedule)
 */
public record InfrastructureStatus(
        boolean running,
        Instant startedAt,
        Duration uptime,
        Map<String, Object> components,
        long droppedEvents,
        long handlerFailures,
        long schedulerFailures) {
}
