package dev.bulwark;

import dev.bulwark.circuit.CircuitBreaker;
import dev.bulwark.circuit.CircuitBreakers;
import dev.bulwark.error.ErrorCode;
import dev.bulwark.error.InfraError;
import dev.bulwark.error.InfraException;
import dev.bulwark.pipeline.PolicyContext;
import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.Events;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The protections of one {@link Infrastructure}: named ones by key, and the runtimes of
 * protections used directly.
 *
 * <p>Concurrency: a call reads the runtime of its key once and runs entirely with it, so a call
 * sees either the configuration before a change or the one after, never a mix. Changes are
 * serialised by one lock; each builds the new runtime (taking over the stateful parts whose
 * configuration did not change) before publishing it with a single map write.
 */
final class ProtectionRegistry implements AutoCloseable {

    static final int MAX_KEY_LENGTH = 256;

    private final PolicyContext context;
    private final CircuitBreakers breakers;
    private final RateLimitGate gate;
    private final List<AutoCloseable> owned;
    private final ConcurrentHashMap<String, ProtectionPipeline> named = new ConcurrentHashMap<>();
    private final Object configureLock = new Object();
    private final EventChannel configuredChannel;
    private final EventChannel removedChannel;

    ProtectionRegistry(PolicyContext context, CircuitBreakers breakers, RateLimitGate gate, List<AutoCloseable> owned) {
        this.context = context;
        this.breakers = breakers;
        this.gate = gate;
        this.owned = owned;
        this.configuredChannel = context.telemetry().channel(context.telemetry().name(Events.PROTECTION_CONFIGURED));
        this.removedChannel = context.telemetry().channel(context.telemetry().name(Events.PROTECTION_REMOVED));
    }

    PolicyContext context() {
        return context;
    }

    /** The runtime of a protection used directly, built on its first use with this registry. */
    ProtectionPipeline direct(Protection protection) {
        Object runtime = protection.directRuntime;
        if (runtime instanceof ProtectionPipeline pipeline && pipeline.registry == this) {
            return pipeline;
        }
        synchronized (protection) {
            runtime = protection.directRuntime;
            if (runtime instanceof ProtectionPipeline pipeline && pipeline.registry == this) {
                return pipeline;
            }
            ProtectionPipeline pipeline = new ProtectionPipeline(this, protection.name(), protection, null);
            protection.directRuntime = pipeline;
            return pipeline;
        }
    }

    /** The runtime configured under {@code key}, or null. */
    ProtectionPipeline named(String key) {
        return key == null ? null : named.get(key);
    }

    Result<Protection> configure(String key, Protection config) {
        String problem = keyProblem(key);
        if (problem == null && config == null) {
            problem = "the configuration of protection '" + key + "' must not be null";
        }
        if (problem != null) {
            return Result.err(invalid(key, problem, null));
        }
        boolean replaced;
        synchronized (configureLock) {
            ProtectionPipeline previous = named.get(key);
            ProtectionPipeline next;
            try {
                next = new ProtectionPipeline(this, key, config, previous);
            } catch (InfraException e) {
                return Result.err(invalid(key, "protection '" + key + "' cannot be configured: " + e.getMessage(), e));
            } catch (RuntimeException e) {
                return Result.err(invalid(key, "protection '" + key + "' cannot be configured: " + e, e));
            }
            named.put(key, next);
            replaced = previous != null;
        }
        if (configuredChannel.isActive()) {
            configuredChannel.emit(Map.of(), Map.of("key", key, "protections", config.parts(), "replaced", replaced));
        }
        return Result.ok(config);
    }

    boolean remove(String key) {
        boolean removed;
        synchronized (configureLock) {
            removed = key != null && named.remove(key) != null;
        }
        if (removed && removedChannel.isActive()) {
            removedChannel.emit(Map.of(), Map.of("key", key));
        }
        return removed;
    }

    List<String> keys() {
        List<String> keys = new ArrayList<>(named.keySet());
        keys.sort(null);
        return List.copyOf(keys);
    }

    Result<Protection> config(String key) {
        ProtectionPipeline pipeline = named(key);
        return pipeline == null ? Result.err(notFound(key)) : Result.ok(pipeline.spec);
    }

    Result<ProtectionStatus> status(String key) {
        ProtectionPipeline p = named(key);
        if (p == null) {
            return Result.err(notFound(key));
        }
        CircuitBreaker cb = p.breaker == null ? null : p.breaker.resolve();
        dev.bulwark.ratelimit.RateLimitStatus rateLimitStatus = p.rateLimit == null || p.rateLimit.entityId() == null ? null
                : gate.status(p.rateLimit.entityId(), p.rateLimit.operation(), p.rateLimit.rule());
        ProtectionPipeline.Counters c = p.counters;
        long successes = c.successes.sum();
        long fallbacks = c.fallbacks.sum();
        long failures = c.failures.sum();
        return Result.ok(new ProtectionStatus(key, p.spec, p.spec.parts(), successes + fallbacks + failures, successes,
                fallbacks, failures,
                cb == null ? null : cb.stats(),
                rateLimitStatus,
                p.bulkhead == null ? null : p.bulkhead.stats(),
                p.totalTimeout == null ? null : p.totalTimeout.stats(),
                p.retry == null ? null : p.retry.stats(),
                p.attemptTimeout == null ? null : p.attemptTimeout.stats(),
                p.fallback == null ? null : p.fallback.stats()));
    }

    /** The summary shown in {@link Infrastructure#status()}: each key and its parts. */
    Map<String, Object> snapshot() {
        Map<String, Object> summary = new TreeMap<>();
        named.forEach((key, pipeline) -> summary.put(key, pipeline.spec.parts()));
        return new LinkedHashMap<>(summary);
    }

    InfraError notFound(String key) {
        return InfraError.builder(ErrorCode.PROTECTION_NOT_FOUND)
                .message("no protection is configured under '" + key + "'")
                .context("key", String.valueOf(key))
                .context("known_keys", keys())
                .timestampMillis(context.clock().currentTimeMillis())
                .build();
    }

    InfraError invalid(String key, String message, Throwable cause) {
        return InfraError.builder(ErrorCode.PROTECTION_CONFIG_INVALID)
                .message(message)
                .context("key", String.valueOf(key))
                .cause(cause)
                .timestampMillis(context.clock().currentTimeMillis())
                .build();
    }

    /** The error for a protection whose runtime cannot be built (its breaker cannot be installed). */
    InfraError unusable(Protection protection, RuntimeException e) {
        return invalid(protection.name(), "protection '" + protection.name() + "' cannot be used: " + e.getMessage(), e);
    }

    static String keyProblem(String key) {
        if (key == null || key.isBlank()) {
            return "protection key must be non-blank, was " + (key == null ? "null" : "'" + key + "'");
        }
        if (key.length() > MAX_KEY_LENGTH) {
            return "protection key must be at most " + MAX_KEY_LENGTH + " characters, was " + key.length();
        }
        return null;
    }

    CircuitBreakers breakers() {
        return breakers;
    }

    RateLimitGate gate() {
        return gate;
    }

    /** Stops what the infrastructure created for the pipeline (its timer and executor). */
    @Override
    public void close() throws Exception {
        for (AutoCloseable c : owned) {
            c.close();
        }
    }
}
