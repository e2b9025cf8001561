package dev.bulwark.spi;

import dev.bulwark.circuit.CircuitBreakers;
import dev.bulwark.pipeline.PolicyContext;
import dev.bulwark.ratelimit.RateLimiter;
import java.util.Optional;

/**
 * What a {@link StageSpec} builds its runtime with: the protection it belongs to and the
 * infrastructure's clock, timer, executor, telemetry, registries and components.
 */
public interface StageContext {

    /** The protection's key (named protections) or name (protections used directly). */
    String protectionName();

    /** The clock, timer, executor and telemetry of the infrastructure. */
    PolicyContext policyContext();

    /** The infrastructure's breaker registry. */
    CircuitBreakers circuitBreakers();

    /** The infrastructure's rate limiter. */
    RateLimiter rateLimiter();

    /** A component registered by core or a module ({@code Pools}, a memory monitor...). */
    <C> Optional<C> component(Class<C> type);
}
