package dev.bulwark.config.internal;

import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.config.model.RedisFailurePolicy;
import dev.bulwark.config.model.RedisSettings;
import dev.bulwark.redis.FailurePolicy;
import dev.bulwark.redis.RedisLimitStore;
import dev.bulwark.spi.BulwarkModule;
import java.util.Map;

/**
 * The redis section on bulwark-redis. This class is the only one that names bulwark-redis (an
 * optional dependency): it is loaded only when a configuration has a redis section and
 * {@link #available} found the module.
 */
public final class RedisSupport {

    private RedisSupport() {
    }

    /** Whether bulwark-redis is on the class path. */
    public static boolean available(ClassLoader loader) {
        try {
            Class.forName("dev.bulwark.redis.RedisLimitStore", false, RedisSupport.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Checks every setting with the store's builder (without building the store). */
    static void validate(RedisSettings r, CircuitBreakerConfig breaker, SnapshotBuilder.StepRunner runner) {
        builder(r, breaker, runner);
    }

    /** The store as a module, configured from {@code r}. */
    public static BulwarkModule module(RedisSettings r, CircuitBreakerConfig breaker) {
        return builder(r, breaker, (record, component, step) -> step.run()).asModule();
    }

    private static RedisLimitStore.Builder builder(RedisSettings r, CircuitBreakerConfig breaker,
                                                   SnapshotBuilder.StepRunner runner) {
        RedisLimitStore.Builder b = RedisLimitStore.builder();
        if (r.uri() != null) {
            runner.step(r, "uri", () -> b.uri(r.uri()));
        }
        if (r.connectTimeout() != null) {
            runner.step(r, "connectTimeout", () -> b.connectTimeout(r.connectTimeout()));
        }
        if (r.commandTimeout() != null) {
            runner.step(r, "commandTimeout", () -> b.commandTimeout(r.commandTimeout()));
        }
        if (r.keyPrefix() != null) {
            runner.step(r, "keyPrefix", () -> b.keyPrefix(r.keyPrefix()));
        }
        if (r.failurePolicy() != null) {
            b.failurePolicy(policy(r.failurePolicy()));
        }
        for (Map.Entry<String, RedisFailurePolicy> e : r.operationPolicies().entrySet()) {
            runner.step(r, "operationPolicies", () -> b.failurePolicy(e.getKey(), policy(e.getValue())));
        }
        if (r.denyCacheCapacity() != null) {
            runner.step(r, "denyCacheCapacity", () -> b.denyCacheCapacity(r.denyCacheCapacity()));
        }
        if (r.batching() != null) {
            b.batching(r.batching());
        }
        if (r.maxBatchesInFlight() != null) {
            runner.step(r, "maxBatchesInFlight", () -> b.maxBatchesInFlight(r.maxBatchesInFlight()));
        }
        if (r.maxBatchSize() != null) {
            runner.step(r, "maxBatchSize", () -> b.maxBatchSize(r.maxBatchSize()));
        }
        if (r.circuitBreakerName() != null) {
            runner.step(r, "circuitBreakerName", () -> b.circuitBreakerName(r.circuitBreakerName()));
        }
        if (breaker != null) {
            b.circuitBreaker(breaker);
        }
        return b;
    }

    static FailurePolicy policy(RedisFailurePolicy p) {
        return FailurePolicy.valueOf(p.name());
    }
}
