package dev.bulwark.spring;

import dev.bulwark.config.BulwarkConfig;

/**
 * Completes the {@code bulwark.*} configuration with what only code can give, before the
 * infrastructure is built: the resource factories of the pools of {@code bulwark.pools}.
 *
 * <pre>{@code
 * @Bean
 * BulwarkConfigCustomizer inventoryClients(InventoryClientFactory factory) {
 *     return config -> config.poolFactories().pool("inventory_clients", factory);
 * }
 * }</pre>
 *
 * Beans of this type are applied in order when the configuration bean is made.
 */
@FunctionalInterface
public interface BulwarkConfigCustomizer {

    void customize(BulwarkConfig config);
}
