package dev.bulwark.internal.pipeline;

import dev.bulwark.Infrastructure;
import dev.bulwark.Protection;
import dev.bulwark.ProtectionStatus;
import dev.bulwark.ProtectionsStatus;
import dev.bulwark.Result;
import dev.bulwark.ThrowingSupplier;
import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.error.InfraError;
import dev.bulwark.error.InfraException;
import dev.bulwark.pipeline.Criticality;
import dev.bulwark.pipeline.PolicyContext;
import dev.bulwark.spi.Names;
import dev.bulwark.spi.RegistryListener;
import dev.bulwark.spi.RegistryListeners;
import dev.bulwark.spi.Subscription;
import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.EventKeys;
import dev.bulwark.telemetry.Events;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The protections of one {@link Infrastructure}: named ones by key, and the runtimes of
 * protections used directly.
 *
 * <p>Concurrency: a call reads the runtime of its key once and runs entirely with it, so a call
 * sees either the configuration before a change or the one after, never a mix. Changes are
 * serialised by one lock; each builds the new runtime (taking over the stage runtimes whose
 * configuration allows it) before publishing it with a single map write.
 */
public final class ProtectionRegistry {

    private final Infrastructure infrastructure;
    private final PolicyContext context;
    private final ConcurrentHashMap<String, ProtectionRuntime> named = new ConcurrentHashMap<>();
    private final Object configureLock = new Object();
    private final EventChannel configuredChannel;
    private final EventChannel removedChannel;
    private final RegistryListeners<Protection> listeners = new RegistryListeners<>("protections");

    public ProtectionRegistry(Infrastructure infrastructure, PolicyContext context) {
        this.infrastructure = infrastructure;
        this.context = context;
        this.configuredChannel = context.telemetry().channel(Events.PROTECTION_CONFIGURED);
        this.removedChannel = context.telemetry().channel(Events.PROTECTION_REMOVED);
    }

    PolicyContext policyContext() {
        return context;
    }

    Infrastructure infrastructure() {
        return infrastructure;
    }

    // ---------------------------------------------------------------- running calls

    /** Runs {@code operation} under a protection used directly; its runtime lives in {@code cell}. */
    public <T> Result<T> execute(Protection protection, RuntimeCell cell, ThrowingSupplier<T> operation, String entityId,
                                 Criticality criticality) {
        ProtectionRuntime runtime;
        try {
            runtime = direct(protection, cell);
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (RuntimeException | Error e) { // a stage factory's bug is an outcome: 7007
            return Result.err(unusable(protection, e));
        }
        return runtime.execute(operation, entityId, criticality);
    }

    /** Runs {@code operation} under the protection configured under {@code key} (7006 when none is). */
    public <T> Result<T> execute(String key, ThrowingSupplier<T> operation, String entityId, Criticality criticality) {
        ProtectionRuntime runtime = named(key);
        return runtime == null ? Result.err(notFound(key)) : runtime.execute(operation, entityId, criticality);
    }

    /** The asynchronous form of {@link #execute(Protection, RuntimeCell, ThrowingSupplier, String, Criticality)}. */
    public <T> CompletionStage<Result<T>> executeAsync(Protection protection, RuntimeCell cell,
                                                       Supplier<? extends CompletionStage<T>> operation, String entityId,
                                                       Criticality criticality) {
        ProtectionRuntime runtime;
        try {
            runtime = direct(protection, cell);
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (RuntimeException | Error e) { // a stage factory's bug is an outcome: 7007
            return CompletableFuture.completedFuture(Result.err(unusable(protection, e)));
        }
        return runtime.executeAsync(operation, entityId, criticality);
    }

    /** The asynchronous form of {@link #execute(String, ThrowingSupplier, String, Criticality)}. */
    public <T> CompletionStage<Result<T>> executeAsync(String key, Supplier<? extends CompletionStage<T>> operation,
                                                       String entityId, Criticality criticality) {
        ProtectionRuntime runtime = named(key);
        return runtime == null ? CompletableFuture.completedFuture(Result.err(notFound(key)))
                : runtime.executeAsync(operation, entityId, criticality);
    }

    /** The runtime of a protection used directly, built on its first use with this registry. */
    private ProtectionRuntime direct(Protection protection, RuntimeCell cell) {
        ProtectionRuntime runtime = cell.runtime;
        if (runtime != null && runtime.registry == this) {
            return runtime;
        }
        synchronized (cell) {
            runtime = cell.runtime;
            if (runtime != null && runtime.registry == this) {
                return runtime;
            }
            runtime = new ProtectionRuntime(this, protection.name(), protection, null);
            cell.runtime = runtime;
            return runtime;
        }
    }

    private ProtectionRuntime named(String key) {
        return key == null ? null : named.get(key);
    }

    // ---------------------------------------------------------------- named protections

    public Result<Protection> configure(String key, Protection config) {
        String problem = keyProblem(key);
        if (problem == null && config == null) {
            problem = "the configuration of protection '" + key + "' must not be null";
        }
        if (problem != null) {
            return Result.err(invalid(key, problem, null));
        }
        ProtectionRuntime previous;
        synchronized (configureLock) {
            previous = named.get(key);
            ProtectionRuntime next;
            try {
                // the same configuration again keeps the runtime, and with it all its state
                next = previous != null && previous.spec.equals(config) ? previous
                        : new ProtectionRuntime(this, key, config, previous);
            } catch (InfraException e) {
                return Result.err(invalid(key, "protection '" + key + "' cannot be configured: " + e.getMessage(), e));
            } catch (VirtualMachineError fatal) {
                throw fatal;
            } catch (RuntimeException | Error e) { // a stage factory's bug is an outcome: 7007
                return Result.err(invalid(key, "protection '" + key + "' cannot be configured: " + e, e));
            }
            named.put(key, next);
        }
        if (configuredChannel.isActive()) {
            configuredChannel.emit(Map.of(), Map.of(EventKeys.KEY, key, EventKeys.PROTECTIONS, config.parts(),
                    EventKeys.REPLACED, previous != null));
        }
        if (previous == null) {
            listeners.fireAdded(key, config);
        } else {
            listeners.fireReplaced(key, previous.spec, config);
        }
        return Result.ok(config);
    }

    public boolean remove(String key) {
        ProtectionRuntime removed;
        synchronized (configureLock) {
            removed = key == null ? null : named.remove(key);
        }
        if (removed == null) {
            return false;
        }
        if (removedChannel.isActive()) {
            removedChannel.emit(Map.of(), Map.of(EventKeys.KEY, key));
        }
        listeners.fireRemoved(key, removed.spec);
        return true;
    }

    /** Tells {@code listener} of every named protection now and of each one added, replaced or removed. */
    public Subscription subscribe(RegistryListener<? super Protection> listener) {
        return listeners.subscribe(listener, () -> {
            Map<String, Protection> present = new TreeMap<>();
            named.forEach((key, runtime) -> present.put(key, runtime.spec));
            return present;
        });
    }

    public List<String> keys() {
        List<String> keys = new ArrayList<>(named.keySet());
        keys.sort(null);
        return List.copyOf(keys);
    }

    public Result<Protection> config(String key) {
        ProtectionRuntime runtime = named(key);
        return runtime == null ? Result.err(notFound(key)) : Result.ok(runtime.spec);
    }

    public Result<ProtectionStatus> status(String key) {
        ProtectionRuntime p = named(key);
        if (p == null) {
            return Result.err(notFound(key));
        }
        ProtectionRuntime.Counters c = p.counters;
        long successes = c.successes.sum();
        long fallbacks = c.fallbacks.sum();
        long failures = c.failures.sum();
        return Result.ok(new ProtectionStatus(key, p.spec, p.spec.parts(), successes + fallbacks + failures, successes,
                fallbacks, failures, p.stageStatus()));
    }

    /** The summary shown in {@code Infrastructure.status()}: each key and its stages. */
    public ProtectionsStatus snapshot() {
        Map<String, List<String>> summary = new TreeMap<>();
        named.forEach((key, runtime) -> summary.put(key, runtime.spec.parts()));
        return new ProtectionsStatus(Collections.unmodifiableMap(new LinkedHashMap<>(summary)));
    }

    // ---------------------------------------------------------------- errors

    public InfraError notFound(String key) {
        return InfraError.builder(CoreErrorCode.PROTECTION_NOT_FOUND)
                .message("no protection is configured under '" + key + "'")
                .context("key", String.valueOf(key))
                .context("known_keys", keys())
                .timestampMillis(context.clock().currentTimeMillis())
                .build();
    }

    public InfraError invalid(String key, String message, Throwable cause) {
        return InfraError.builder(CoreErrorCode.PROTECTION_CONFIG_INVALID)
                .message(message)
                .context("key", String.valueOf(key))
                .cause(cause)
                .timestampMillis(context.clock().currentTimeMillis())
                .build();
    }

    /** The error for a protection whose runtime cannot be built (its breaker cannot be installed). */
    private InfraError unusable(Protection protection, Throwable e) {
        return invalid(protection.name(), "protection '" + protection.name() + "' cannot be used: " + e.getMessage(), e);
    }

    static String keyProblem(String key) {
        return Names.problem("protection key", key);
    }
}
