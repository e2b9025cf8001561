package dev.bulwark.config.model;

import java.util.Map;

/**
 * The schema of a Bulwark configuration, as written in a file (YAML or JSON) or under
 * {@code bulwark.*} in Spring Boot: each record of this package is one section, each component
 * one setting, named as written (camelCase in files; kebab-case also accepted, as Spring writes it).
 * A setting left out is null and takes the builders' default. The meaning of every setting is
 * on docs/config.md.
 *
 * <p>These records are what a source says, checked for shape and type only; {@code ConfigSnapshot}
 * holds the configurations built from them (and checked by the builders).
 *
 * @param infrastructure  settings of the infrastructure itself (applied when it is built)
 * @param redis           the Redis limit store, when rate limits are shared by a fleet
 * @param health          the health registry: check timeout and TTL, critical breakers, key-bound warning
 * @param memory          the memory monitor's thresholds
 * @param circuitBreakers breakers by name
 * @param rateLimits      named rate-limit rules, referenced by protections and the HTTP filter
 * @param pools           pools by name (module bulwark-pool), referenced by protections; factories come from code
 * @param protections     named protections by key
 */
public record BulwarkSettings(
        @Doc("Settings of the infrastructure itself, applied when it is built.") InfrastructureSettings infrastructure,
        @Doc("The Redis limit store: rate limits shared by a fleet of processes.") RedisSettings redis,
        @Doc("The health registry: check timeout and TTL, critical breakers, the key-bound warning.") HealthSettings health,
        @Doc("The memory monitor's thresholds (shares of the heap in use after collection) and hysteresis.") MemorySettings memory,
        @Doc("Circuit breakers by name.") Map<String, CircuitBreakerSettings> circuitBreakers,
        @Doc("Named rate-limit rules, referenced by protections and the HTTP filter.") Map<String, RateLimitSettings> rateLimits,
        @Doc("Pools by name (module bulwark-pool), referenced by protections; their resource factories are given in code.")
        Map<String, PoolSettings> pools,
        @Doc("Named protections by key.") Map<String, ProtectionSettings> protections) {

    /** An empty configuration. */
    public static BulwarkSettings empty() {
        return new BulwarkSettings(null, null, null, null, null, null, null, null);
    }

    public BulwarkSettings {
        circuitBreakers = circuitBreakers == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(circuitBreakers));
        rateLimits = rateLimits == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(rateLimits));
        pools = pools == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(pools));
        protections = protections == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(protections));
    }
}
