package dev.bulwark.health;

import dev.bulwark.spi.ComponentStatus;
import dev.bulwark.spi.RegistryListener;
import dev.bulwark.spi.Subscription;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The health checks of one {@code Infrastructure} ({@code infra.health()}, and
 * {@code ModuleContext.health()} for modules) and the reports built from them: {@link #liveness()}
 * for a liveness probe, {@link #readiness()} for a readiness probe, {@link #report(HealthGroup)}
 * for a group of your own.
 *
 * <pre>{@code
 * infra.health().register("orders_db", () -> db.ping() ? Health.up() : Health.down("no answer"),
 *         HealthGroup.READINESS);
 * HealthReport ready = infra.health().readiness();     // never waits for a check
 * respond(ready.httpStatus(), ready);                  // 200 for UP and DEGRADED, 503 for DOWN
 * }</pre>
 *
 * <h2>How checks run</h2>
 * A report never runs a registered check on the thread asking for it and never waits for one. Each
 * check has a timeout and a TTL ({@link HealthCheckConfig}; defaults 1 s and 2 s): a report shows
 * the check's latest result; when that result is older than the TTL (or there is none yet), the
 * report starts one run on the infrastructure's executor and shows the latest result meanwhile
 * (the new one shows in the next report). At most one run of a check is in flight, so a probe
 * storm reaches the dependency at most once per TTL. A report made once a run has gone on for
 * longer than its timeout shows the check DOWN ({@code "timed out after 1000 ms"}) and interrupts
 * the run; a new run starts only after it has returned, so a hanging dependency holds at most one
 * thread per check. A check that throws is DOWN with the exception's message. Until its first run
 * finishes a check is UNKNOWN (503); the first run starts when the check is registered. Timeouts
 * and TTLs are measured on the infrastructure's clock (a {@code ManualClock} in tests: advancing it
 * past a timeout is all it takes). With a direct executor ({@code Runnable::run}, as in
 * single-threaded simulations) checks run on the probing thread.
 *
 * <p>Core's own checks (every breaker, memory pressure, the rate limiter's key bound, heartbeats)
 * only read in-memory state: they are evaluated by each report, on the probing thread, and never
 * cached.
 *
 * <h2>Liveness never depends on a dependency</h2>
 * {@link HealthGroup#LIVENESS} holds only the process's own checks: core's (deadlocked threads, a
 * scheduler that does not run its tasks, memory CRITICAL for longer than its grace period) and
 * {@linkplain #heartbeat heartbeats}. {@link #register} rejects it: a liveness probe that fails
 * restarts the process, and restarting an instance because a database is down only adds a cold
 * start to the outage (docs/health.md).
 *
 * <h2>Breakers</h2>
 * Every breaker of the infrastructure has a readiness check {@code circuit_breaker.<name>}: closed
 * UP, half-open and open DEGRADED (the breaker is doing its job: failing fast, and the fallbacks
 * answer). Only a breaker {@linkplain #markCritical marked critical} makes readiness DOWN, while it
 * is open or disabled; half-open it is DEGRADED, so the instance gets the traffic whose trial calls
 * can close it.
 *
 * <h2>Events</h2>
 * When a report's status differs from the previous report of the same group,
 * {@code health.status_changed} is emitted (group, from, to, and the check that changed).
 *
 * <p>Thread-safe. Reports of one group are made one at a time.
 */
public interface HealthRegistry {

    /**
     * Registers {@code check} under {@code name} in {@code groups} (readiness if none is given),
     * with the registry's default timeout and TTL, and starts its first run.
     *
     * @return a subscription whose {@code close()} removes the check (if it is still the one under {@code name})
     * @throws IllegalArgumentException if {@code name} is blank, longer than 255 characters, has a
     *                                  control character or is taken; or if {@code groups} holds
     *                                  {@link HealthGroup#LIVENESS} (see "Liveness never depends on a dependency")
     * @throws NullPointerException     if {@code check} or a group is null
     */
    Subscription register(String name, HealthCheck check, HealthGroup... groups);

    /**
     * {@link #register(String, HealthCheck, HealthGroup...)} with the check's own timeout and TTL.
     *
     * @throws IllegalArgumentException as {@link #register(String, HealthCheck, HealthGroup...)}
     * @throws NullPointerException     if {@code check}, {@code config} or a group is null
     */
    Subscription register(String name, HealthCheck check, HealthCheckConfig config, HealthGroup... groups);

    /**
     * Removes the check registered under {@code name}; a run in flight is interrupted and its result dropped.
     *
     * @return whether a check was registered under that name
     * @throws IllegalArgumentException if it is one of core's checks (a breaker's goes with its breaker)
     */
    boolean remove(String name);

    /**
     * A liveness check fed by one of the process's own loops: DOWN once {@link Heartbeat#beat()} was
     * not called for longer than {@code maxSilence} (the silence starts now).
     *
     * @throws IllegalArgumentException if {@code name} is invalid or taken, or {@code maxSilence} not positive
     */
    Heartbeat heartbeat(String name, Duration maxSilence);

    /** The report of {@link HealthGroup#LIVENESS}: is the process itself alive? */
    HealthReport liveness();

    /** The report of {@link HealthGroup#READINESS}: should the process receive traffic? */
    HealthReport readiness();

    /** The report of {@code group}; UP when no check belongs to it. */
    HealthReport report(HealthGroup group);

    /** The names of every registered check, sorted. */
    List<String> names();

    /**
     * Marks the breaker {@code breakerName} critical: while it is open or disabled its readiness
     * check is DOWN instead of DEGRADED. The breaker need not be installed yet.
     *
     * @return whether it was not marked already
     * @throws IllegalArgumentException if {@code breakerName} is blank
     */
    boolean markCritical(String breakerName);

    /**
     * Undoes {@link #markCritical}.
     *
     * @return whether it was marked
     */
    boolean unmarkCritical(String breakerName);

    /** The breakers marked critical, sorted. */
    Set<String> criticalBreakers();

    /** The timeout and TTL of checks registered without their own. */
    HealthCheckConfig checkDefaults();

    /**
     * Tells {@code listener} of every check now, then of each one registered or removed.
     *
     * @return a subscription whose {@code close()} stops the notifications
     */
    Subscription subscribe(RegistryListener<? super RegisteredCheck> listener);

    /**
     * What {@code infra.status()} shows under {@code health}: the checks and the status of the
     * latest report of each group (nothing runs to produce it).
     */
    Status status();

    /**
     * The status of a {@link HealthRegistry}.
     *
     * @param checks       the registered checks, by name (sorted)
     * @param latestReport the status of the latest report of each group asked for so far, by group name
     */
    record Status(List<RegisteredCheck> checks, Map<String, HealthStatus> latestReport) implements ComponentStatus {
        public Status {
            checks = List.copyOf(checks);
            latestReport = Map.copyOf(latestReport);
        }
    }
}
