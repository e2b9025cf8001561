package dev.bulwark.internal.pipeline;

import dev.bulwark.circuit.CircuitBreakers;
import dev.bulwark.pipeline.PolicyContext;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.spi.StageContext;
import java.util.Optional;

/** The context the stages of one protection are built with. */
final class StageContextImpl implements StageContext {

    private final String protectionName;
    private final ProtectionRegistry registry;

    StageContextImpl(String protectionName, ProtectionRegistry registry) {
        this.protectionName = protectionName;
        this.registry = registry;
    }

    @Override
    public String protectionName() {
        return protectionName;
    }

    @Override
    public PolicyContext policyContext() {
        return registry.policyContext();
    }

    @Override
    public CircuitBreakers circuitBreakers() {
        return registry.infrastructure().circuitBreakers();
    }

    @Override
    public RateLimiter rateLimiter() {
        return registry.infrastructure().rateLimiter();
    }

    @Override
    public <C> Optional<C> component(Class<C> type) {
        return registry.infrastructure().component(type);
    }
}
