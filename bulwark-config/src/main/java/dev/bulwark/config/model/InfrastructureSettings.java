package dev.bulwark.config.model;

import java.time.Duration;

/**
 * {@code infrastructure}: settings of the {@code Infrastructure} builder. They apply when the
 * infrastructure is built and cannot change on a reload.
 *
 * @param rateLimitMaxKeys       the bound on live states of the in-memory rate-limit store
 * @param rateLimitSweepInterval how often expired rate-limit state is swept
 * @param telemetryPrefix        the prefix of every event name
 * @param asyncTelemetry         the queue capacity of asynchronous telemetry dispatch; left out: synchronous
 * @param tickingClock           the resolution of a ticking clock; left out: the system clock
 */
public record InfrastructureSettings(
        @Doc(value = "The bound on live states of the in-memory rate-limit store.", defaultValue = "1000000") Long rateLimitMaxKeys,
        @Doc(value = "How often expired rate-limit state is swept.", defaultValue = "10s") Duration rateLimitSweepInterval,
        @Doc(value = "The prefix of every event name.", defaultValue = "foundation.infra") String telemetryPrefix,
        @Doc("Queue capacity of asynchronous telemetry dispatch; left out, dispatch is synchronous.") Integer asyncTelemetry,
        @Doc("Resolution of a ticking clock (a memory load per clock read); left out, the system clock.") Duration tickingClock) {
}
