package dev.bulwark.config;

import dev.bulwark.pool.KeyedResourceFactory;
import dev.bulwark.pool.ResourceFactory;
import java.util.Objects;

/**
 * The resource factories of a configuration's {@code pools} section (module bulwark-pool): the
 * file says how each pool is sized and checked, the application says how its resources are made.
 * Reached through {@link BulwarkConfig#poolFactories()}; every pool of the section needs a factory
 * before the configuration is installed (docs/config.md, "pools").
 *
 * <pre>{@code
 * config.poolFactories()
 *         .pool("inventory_clients", inventoryClients)     // a ResourceFactory<InventoryClient>
 *         .keyedPool("shards", shardClients);             // a KeyedResourceFactory<String, ShardClient>
 * }</pre>
 *
 * <p>A class of its own, so that {@link BulwarkConfig} names no bulwark-pool type and stays usable
 * (and introspectable, as Spring does with every bean) without that module. Thread-safe.
 */
public final class PoolFactories {

    private final BulwarkConfig config;

    PoolFactories(BulwarkConfig config) {
        this.config = config;
    }

    /**
     * The factory of pool {@code pool}.
     *
     * @return this
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if the configuration has no pool of that name (the message gives the nearest)
     * @throws IllegalStateException    if the configuration is installed already, or the pool has a factory already
     */
    public PoolFactories pool(String pool, ResourceFactory<?> factory) {
        config.factory(pool, Objects.requireNonNull(factory, "factory"));
        return this;
    }

    /**
     * The factory of a keyed pool: its settings size each key, as {@code Pools.Builder.keyedPool}
     * does. A protection's {@code pool} stage cannot name a keyed pool. Otherwise as {@link #pool}.
     */
    public PoolFactories keyedPool(String pool, KeyedResourceFactory<?, ?> factory) {
        config.factory(pool, Objects.requireNonNull(factory, "factory"));
        return this;
    }
}
