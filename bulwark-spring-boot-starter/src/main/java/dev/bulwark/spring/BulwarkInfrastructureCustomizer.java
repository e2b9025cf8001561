package dev.bulwark.spring;

import dev.bulwark.Infrastructure;

/**
 * Customizes the auto-configured {@link Infrastructure} before it is built: a clock, an executor,
 * modules of your own. Beans of this type are applied in order, before the {@code bulwark.*}
 * configuration.
 */
@FunctionalInterface
public interface BulwarkInfrastructureCustomizer {

    void customize(Infrastructure.Builder builder);
}
