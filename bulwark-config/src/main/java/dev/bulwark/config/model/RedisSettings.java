package dev.bulwark.config.model;

import java.time.Duration;
import java.util.Map;

/**
 * {@code redis}: the Redis limit store (module bulwark-redis, which must be on the class path),
 * installed as the store of the infrastructure's rate limiter. Applies when the infrastructure is
 * built; cannot change on a reload.
 *
 * @param uri                the server, e.g. {@code redis://127.0.0.1:6379}
 * @param connectTimeout     how long opening a connection may take
 * @param commandTimeout     the most a decision waits for Redis
 * @param keyPrefix          the namespace of every key
 * @param failurePolicy      the failure policy of every operation without its own
 * @param operationPolicies  failure policies of single operations
 * @param denyCacheCapacity  denied keys remembered locally (0: off)
 * @param batching           whether concurrent decisions share one script call
 * @param maxBatchesInFlight batch calls on their way to Redis at once
 * @param maxBatchSize       the most decisions in one call
 * @param circuitBreakerName the name of the breaker guarding Redis
 * @param circuitBreaker     the configuration of that breaker
 */
public record RedisSettings(
        @Doc(value = "The Redis server.", defaultValue = "redis://127.0.0.1:6379") String uri,
        @Doc(value = "How long opening a connection may take.", defaultValue = "1s") Duration connectTimeout,
        @Doc(value = "The most a decision waits for Redis before the failure policy decides.", defaultValue = "250ms") Duration commandTimeout,
        @Doc(value = "The namespace of every key.", defaultValue = "bulwark:rl:") String keyPrefix,
        @Doc(value = "What is answered when Redis cannot decide.", defaultValue = "FALLBACK_LOCAL") RedisFailurePolicy failurePolicy,
        @Doc("Failure policies of single operations, by operation.") Map<String, RedisFailurePolicy> operationPolicies,
        @Doc(value = "Denied keys remembered locally; 0 turns the deny cache off.", defaultValue = "4096") Integer denyCacheCapacity,
        @Doc(value = "Whether concurrent decisions share one script call.", defaultValue = "true") Boolean batching,
        @Doc(value = "Batch calls on their way to Redis at once.", defaultValue = "4") Integer maxBatchesInFlight,
        @Doc(value = "The most decisions in one script call.", defaultValue = "128") Integer maxBatchSize,
        @Doc(value = "The name of the breaker that guards the Redis calls.", defaultValue = "redis-limit-store") String circuitBreakerName,
        @Doc("The configuration of the breaker that guards the Redis calls.") CircuitBreakerSettings circuitBreaker) {

    public RedisSettings {
        operationPolicies = operationPolicies == null ? Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(operationPolicies));
    }
}
