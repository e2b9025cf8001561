package dev.bulwark.internal.health;

import dev.bulwark.circuit.CircuitBreaker;
import dev.bulwark.circuit.CircuitBreakers;
import dev.bulwark.circuit.State;
import dev.bulwark.health.Health;
import dev.bulwark.health.HealthCheck;
import dev.bulwark.health.HealthCheckConfig;
import dev.bulwark.health.HealthGroup;
import dev.bulwark.memory.MemoryMonitor;
import dev.bulwark.memory.MemoryPressure;
import dev.bulwark.memory.MemoryReading;
import dev.bulwark.ratelimit.InMemoryLimitStore;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.spi.ComponentStatus;
import dev.bulwark.spi.RegistryListener;
import dev.bulwark.spi.Subscription;
import dev.bulwark.time.Scheduler;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Core's own health checks, registered by the {@code Infrastructure} into its registry:
 * <ul>
 *   <li>liveness {@value #DEADLOCKS}: threads deadlocked on monitors or locks
 *       ({@code ThreadMXBean.findDeadlockedThreads}) make the process DOWN;</li>
 *   <li>liveness {@value #SCHEDULER}: the infrastructure's scheduler must run a task within the
 *       check's timeout;</li>
 *   <li>readiness {@code circuit_breaker.<name>} for every breaker (see {@link #followBreakers});</li>
 *   <li>readiness {@value #RATE_LIMITER_KEYS}: the in-memory store near or at its key bound is DEGRADED.</li>
 * </ul>
 * and memory's two, {@link #registerMemory}.
 */
public final class CoreChecks {

    public static final String DEADLOCKS = "deadlocks";
    public static final String SCHEDULER = "scheduler";
    public static final String RATE_LIMITER_KEYS = "rate_limiter_keys";
    public static final String BREAKER_PREFIX = "circuit_breaker.";
    public static final String MEMORY = "memory";
    public static final String MEMORY_PRESSURE = "memory_pressure";

    private CoreChecks() {
    }

    /** Registers the liveness checks of the process itself: deadlocks and the scheduler. */
    public static void registerProcessChecks(HealthRegistryImpl health, Scheduler scheduler) {
        HealthCheckConfig config = health.checkDefaults();
        health.registerCore(DEADLOCKS, deadlocks(), config, HealthGroup.LIVENESS);
        health.registerCore(SCHEDULER, scheduler(scheduler, config.timeout()), config, HealthGroup.LIVENESS);
    }

    /** DOWN while threads of this JVM are deadlocked, naming them. */
    static HealthCheck deadlocks() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        return () -> {
            long[] ids = threads.isSynchronizerUsageSupported() ? threads.findDeadlockedThreads()
                    : threads.findMonitorDeadlockedThreads();
            if (ids == null || ids.length == 0) {
                return Health.up();
            }
            List<String> names = new ArrayList<>();
            for (ThreadInfo info : threads.getThreadInfo(ids)) {
                if (info != null) {
                    names.add(info.getThreadName() + " waiting for " + info.getLockName()
                            + (info.getLockOwnerName() != null ? " held by " + info.getLockOwnerName() : ""));
                }
            }
            return Health.down(ids.length + " threads deadlocked").withDetail("threads", String.join("; ", names));
        };
    }

    /**
     * UP when the scheduler runs a task handed to it within {@code wait} (of real time: the
     * scheduler runs in real time); the registry's own timeout stops the check earlier on its clock.
     */
    static HealthCheck scheduler(Scheduler scheduler, Duration wait) {
        return () -> {
            CompletableFuture<Void> ran = new CompletableFuture<>();
            Scheduler.Task task;
            try {
                task = scheduler.schedule("health-probe", Duration.ZERO, () -> ran.complete(null));
            } catch (IllegalStateException closed) {
                return Health.down("the scheduler is closed");
            }
            try {
                ran.get(wait.toNanos(), TimeUnit.NANOSECONDS);
                return Health.up();
            } catch (TimeoutException e) {
                task.cancel();
                return Health.down("the scheduler did not run a task within " + wait.toMillis() + " ms");
            } catch (ExecutionException e) {
                return Health.down("the scheduler's probe failed: " + e.getCause());
            }
        };
    }

    /**
     * Registers the key-bound check when the limiter's store is the in-memory one: DEGRADED from
     * {@code warning} of the bound (new keys may soon be refused), and at the bound (they are).
     */
    public static void registerKeyBound(HealthRegistryImpl health, RateLimiter limiter, double warning) {
        if (!(limiter.store().status() instanceof InMemoryLimitStore.Status)) {
            return;
        }
        health.registerState(RATE_LIMITER_KEYS, () -> keyBound(limiter.store().status(), warning), HealthGroup.READINESS);
    }

    static Health keyBound(ComponentStatus status, double warning) {
        if (!(status instanceof InMemoryLimitStore.Status s)) {
            return Health.up();
        }
        Health health;
        if (s.keys() >= s.maxKeys()) {
            health = Health.degraded("at the key bound: new keys are denied (6001) until idle keys expire");
        } else if (s.keys() >= warning * s.maxKeys()) {
            health = Health.degraded("near the key bound: " + Math.round(100.0 * s.keys() / s.maxKeys()) + " % of it in use");
        } else {
            health = Health.up();
        }
        return health.withDetail("keys", s.keys()).withDetail("max_keys", s.maxKeys())
                .withDetail("key_bound_refusals", s.keyBoundRefusals());
    }

    /**
     * Gives every breaker of {@code breakers}, now and later, a readiness check
     * {@code circuit_breaker.<name>}, removed with the breaker.
     *
     * @return the subscription to the breaker registry
     */
    public static Subscription followBreakers(HealthRegistryImpl health, CircuitBreakers breakers) {
        Map<String, Subscription> checks = new ConcurrentHashMap<>();
        return breakers.subscribe(new RegistryListener<CircuitBreaker>() {
            @Override
            public void added(String name, CircuitBreaker breaker) {
                Supplier<Health> state = () -> breaker(breaker, health.isCritical(name));
                checks.computeIfAbsent(name, n -> health.registerState(BREAKER_PREFIX + n, state, HealthGroup.READINESS));
            }

            @Override
            public void removed(String name, CircuitBreaker breaker) {
                Subscription check = checks.remove(name);
                if (check != null) {
                    check.close();
                }
            }
        });
    }

    /**
     * Closed UP; half-open DEGRADED; open and disabled DEGRADED, or DOWN when the breaker is critical.
     * Half-open is never DOWN: the trial calls that can close the breaker come with traffic.
     */
    static Health breaker(CircuitBreaker breaker, boolean critical) {
        State state = breaker.state();
        Health health = switch (state) {
            case CLOSED -> Health.up();
            case HALF_OPEN -> Health.degraded("half-open: trial calls decide whether it closes");
            case OPEN -> critical ? Health.down("open, and marked critical: calls to this dependency fail fast")
                    : Health.degraded("open: calls fail fast (5004) until it admits trial calls");
            case DISABLED -> critical ? Health.down("disabled by an operator, and marked critical")
                    : Health.degraded("disabled by an operator: calls fail fast (5004)");
        };
        return health.withDetail("state", state.label()).withDetail("critical", critical);
    }

    /**
     * Registers memory's checks: readiness {@value #MEMORY_PRESSURE} (ELEVATED and CRITICAL are
     * DEGRADED: the shed stage already turns sheddable work away, and leaving the load balancer
     * would move the load onto peers that may be as full), and liveness {@value #MEMORY} (DOWN once
     * CRITICAL has lasted longer than the grace period: a heap that stays full after collections
     * does not recover by itself, a restart does).
     */
    public static void registerMemory(HealthRegistryImpl health, MemoryMonitor monitor) {
        health.registerState(MEMORY_PRESSURE, () -> memoryPressure(monitor), HealthGroup.READINESS);
        health.registerState(MEMORY, () -> memoryLiveness(monitor), HealthGroup.LIVENESS);
    }

    static Health memoryPressure(MemoryMonitor monitor) {
        MemoryPressure level = monitor.level();
        Health health = switch (level) {
            case NORMAL -> Health.up();
            case ELEVATED -> Health.degraded("memory pressure elevated: sheddable work is rejected (7201)");
            case CRITICAL -> Health.degraded("memory pressure critical: all but critical work is rejected (7201)");
        };
        return withReading(health, monitor);
    }

    static Health memoryLiveness(MemoryMonitor monitor) {
        Duration inLevel = monitor.timeInLevel();
        Duration grace = monitor.config().criticalGracePeriod();
        Health health = monitor.level() == MemoryPressure.CRITICAL && inLevel.compareTo(grace) >= 0
                ? Health.down("memory critical for " + inLevel.toSeconds() + " s after collections (grace "
                        + grace.toSeconds() + " s): the heap does not recover")
                : Health.up();
        return withReading(health, monitor);
    }

    private static Health withReading(Health health, MemoryMonitor monitor) {
        MemoryReading reading = monitor.reading();
        Health out = health.withDetail("level", monitor.level().label());
        if (reading != null) {
            out = out.withDetail("occupancy", Math.round(reading.occupancy() * 1000) / 1000.0);
        }
        return out;
    }
}
