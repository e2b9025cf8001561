package dev.bulwark.config.model;

import java.time.Duration;
import java.util.List;

/**
 * {@code pools.<name>}: a pool of module bulwark-pool (which must be on the class path), sized
 * and checked as written here; the resources come from the factory the application gives in code
 * ({@code config.poolFactories().pool(name, factory)}), a keyed pool when the factory is keyed. Applies when
 * the infrastructure is built; cannot change on a reload. docs/pools.md describes each setting.
 *
 * @param maxSize             resources kept (per key for a keyed pool)
 * @param maxOverflow         extra resources made when all are out, destroyed after lingering idle
 * @param overflowLinger      how long an idle overflow resource lingers before it is destroyed
 * @param maxWaiters          callers waiting at once; one more is refused at once (0: never wait)
 * @param checkoutTimeout     the longest a caller waits for a resource
 * @param validateOnBorrow    whether each resource is validated before it is handed out
 * @param validateWhileIdle   how long an idle resource goes unvalidated before the sweep validates it
 * @param evictIdleAfter      how long a resource may stay idle before it is destroyed
 * @param leakThreshold       how long a resource may be held before it is reported as a suspected leak
 * @param maintenanceInterval how often the sweep (eviction, idle validation, leaks, linger) runs
 * @param circuitBreaker      the breaker on creation and validation failures
 * @param poisonedBy          exception classes, thrown by the work, that mean the resource is broken
 * @param critical            whether the pool's health is DOWN (not DEGRADED) while exhausted or its breaker open
 */
public record PoolSettings(
        @Doc(value = "Resources kept, in [1, 1000000]; per key for a keyed pool.", defaultValue = "8") Integer maxSize,
        @Doc(value = "Extra resources made when all are out, destroyed once they linger idle.", defaultValue = "0") Integer maxOverflow,
        @Doc(value = "How long an idle overflow resource lingers before it is destroyed.", defaultValue = "30s") Duration overflowLinger,
        @Doc(value = "Callers waiting at once; one more is refused at once with 7101 (0: never wait).", defaultValue = "64") Integer maxWaiters,
        @Doc(value = "The longest a caller waits for a resource before 7101.", defaultValue = "1s") Duration checkoutTimeout,
        @Doc(value = "Whether each resource is validated before it is handed out.", defaultValue = "false") Boolean validateOnBorrow,
        @Doc("How long an idle resource goes unvalidated before the sweep validates it; left out, idle resources are not validated.")
        Duration validateWhileIdle,
        @Doc("How long a resource may stay idle before it is destroyed; left out, idle resources stay.") Duration evictIdleAfter,
        @Doc("How long a resource may be held before pool.leak_suspected reports it with the holder's stack; left out, off.")
        Duration leakThreshold,
        @Doc(value = "How often the maintenance sweep runs.", defaultValue = "1s") Duration maintenanceInterval,
        @Doc("The breaker on creation and validation failures (7102 while open); left out: 5 failures in a row, half-open after 5s.")
        CircuitBreakerSettings circuitBreaker,
        @Doc("Exception classes, thrown by the work, that mean the resource is broken: it is destroyed instead of given back.")
        List<String> poisonedBy,
        @Doc(value = "Whether the pool's health is DOWN (not DEGRADED) while it is exhausted or its breaker is open.",
                defaultValue = "false") Boolean critical) {

    public PoolSettings {
        poisonedBy = poisonedBy == null ? null : List.copyOf(poisonedBy);
    }
}
