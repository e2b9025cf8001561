package dev.bulwark.circuit;

import dev.bulwark.Result;
import dev.bulwark.ThrowingSupplier;
import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.error.ErrorCode;
import dev.bulwark.error.InfraError;
import dev.bulwark.error.InfraException;
import dev.bulwark.spi.ComponentStatus;
import dev.bulwark.spi.Names;
import dev.bulwark.spi.RegistryListener;
import dev.bulwark.spi.RegistryListeners;
import dev.bulwark.spi.Subscription;
import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.EventKeys;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The registry of named circuit breakers of one {@code Infrastructure} ({@code infra.circuitBreakers()}),
 * with fuse's operations: install, re-install, run by name, status, reset, disable, enable, remove.
 *
 * <pre>{@code
 * CircuitBreakers breakers = infra.circuitBreakers();
 * breakers.install("payments", CircuitBreakerConfig.builder()
 *         .failureRate(50, SlidingWindow.ofCalls(100), 20)
 *         .halfOpen(Duration.ofSeconds(30), 5, 3)
 *         .build());
 * Result<Receipt> receipt = breakers.execute("payments", () -> gateway.charge(order));
 * }</pre>
 *
 * <h2>Names and codes</h2>
 * A name is 1 to 255 characters, not blank, without control characters ({@link Names}). Operations by name never
 * throw for a bad or unknown name; they return an {@code Err}:
 * <table>
 * <caption>Error codes of operations by name</caption>
 * <tr><th>operation</th><th>bad name (or null operation)</th><th>unknown name</th><th>internal failure</th></tr>
 * <tr><td>execute, call</td><td>5009</td><td>5005</td><td>5006</td></tr>
 * <tr><td>status</td><td>5011</td><td>5007</td><td>5008</td></tr>
 * <tr><td>reset, disable, enable</td><td>5011</td><td>5013</td><td>5014</td></tr>
 * </table>
 * {@link #install} returns the breaker itself and throws {@link InfraException} 5001 for a bad name
 * or configuration (5002 for an unexpected failure).
 *
 * <p>Thread-safe. Installing, re-installing and removing may race with calls: a call uses the
 * configuration in force when it was admitted.
 */
public final class CircuitBreakers implements AutoCloseable {

    private final Clock clock;
    private final Telemetry telemetry;
    private final EventChannel installedChannel;
    private final EventChannel removedChannel;
    private final EventChannel rejectedChannel;
    private final ConcurrentHashMap<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();
    private final RegistryListeners<CircuitBreaker> listeners = new RegistryListeners<>("circuit breakers");
    private volatile boolean closed;

    private CircuitBreakers(Clock clock, Telemetry telemetry) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
        this.installedChannel = telemetry.channel(Events.CIRCUIT_BREAKER_FUSE_INSTALLED);
        this.removedChannel = telemetry.channel(Events.CIRCUIT_BREAKER_FUSE_REMOVED);
        this.rejectedChannel = telemetry.channel(Events.CIRCUIT_BREAKER_CALL_REJECTED);
    }

    /**
     * A registry reading time from {@code clock} and emitting to {@code telemetry}. Applications get
     * theirs from {@code Infrastructure.circuitBreakers()}; this is for embedding without one.
     */
    public static CircuitBreakers create(Clock clock, Telemetry telemetry) {
        return new CircuitBreakers(clock, telemetry);
    }

    /**
     * Installs a breaker with {@link CircuitBreakerConfig#defaults()} (fuse: 5 melts in 60 s, reset
     * after 60 s), or re-installs it (see {@link #install(String, CircuitBreakerConfig)}).
     *
     * @throws InfraException 5001 if the name is invalid
     */
    public CircuitBreaker install(String name) {
        return install(name, CircuitBreakerConfig.defaults());
    }

    /**
     * Installs a breaker under {@code name} and emits {@code circuit_breaker.fuse_installed}. If one
     * is installed already, it is re-installed as fuse does: the same instance takes the new
     * configuration and starts afresh (closed, empty history, counts zero), except that a manual
     * {@link #disable(String) disable} stays in force.
     *
     * @return the breaker
     * @throws InfraException 5001 if the name is invalid or {@code config} is null; 5002 on an
     *                        unexpected failure
     */
    public CircuitBreaker install(String name, CircuitBreakerConfig config) {
        if (closed) {
            throw closedError().toException();
        }
        String problem = nameProblem(name);
        if (problem != null || config == null) {
            throw InfraError.builder(CoreErrorCode.CIRCUIT_BREAKER_INSTALL_FAILED)
                    .message(problem != null ? problem : "config of circuit breaker '" + name + "' must not be null")
                    .context("name", name)
                    .timestampMillis(clock.currentTimeMillis())
                    .build().toException();
        }
        CircuitBreaker breaker;
        boolean added = false;
        try {
            // no user code (telemetry handlers of the re-install's state change) runs inside the map's lock
            breaker = breakers.get(name);
            if (breaker == null) {
                CircuitBreaker fresh = new CircuitBreaker(name, config, clock, telemetry);
                breaker = breakers.putIfAbsent(name, fresh);
                if (breaker == null) {
                    breaker = fresh;
                    added = true;
                } else {
                    breaker.reinstall(config);
                }
            } else {
                breaker.reinstall(config);
            }
        } catch (RuntimeException e) {
            throw InfraError.builder(CoreErrorCode.CIRCUIT_BREAKER_INSTALL_EXCEPTION)
                    .message("installing circuit breaker '" + name + "' failed: " + e)
                    .context("name", name)
                    .cause(e)
                    .timestampMillis(clock.currentTimeMillis())
                    .build().toException();
        }
        if (closed) { // closed while installing: the new breaker ends like the others
            breaker.shutDown(dev.bulwark.internal.Closed.error("circuit breaker '" + name + "'", clock));
            throw closedError().toException();
        }
        if (installedChannel.isActive()) {
            installedChannel.emit(Map.of(), Map.of(EventKeys.NAME, name, EventKeys.CONFIG, config));
        }
        if (added) {
            listeners.fireAdded(name, breaker);
        }
        return breaker;
    }

    /** The breaker installed under {@code name}, if any (empty for a null or invalid name). */
    public Optional<CircuitBreaker> get(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(breakers.get(name));
    }

    /**
     * Uninstalls the breaker of {@code name} and emits {@code circuit_breaker.fuse_removed}. Whoever
     * still holds the instance can keep using it; a later install of the name creates a new one.
     *
     * @return whether a breaker was installed under that name
     */
    public boolean remove(String name) {
        CircuitBreaker removed = name == null ? null : breakers.remove(name);
        if (removed == null) {
            return false;
        }
        if (removedChannel.isActive()) {
            removedChannel.emit(Map.of(), Map.of(EventKeys.NAME, name));
        }
        listeners.fireRemoved(name, removed);
        return true;
    }

    /** The names of the installed breakers, sorted. */
    public List<String> list() {
        List<String> names = new ArrayList<>(breakers.keySet());
        Collections.sort(names);
        return Collections.unmodifiableList(names);
    }

    /** The stats of every installed breaker; what {@code Infrastructure.status()} shows. */
    public Status snapshot() {
        Map<String, Stats> all = new TreeMap<>();
        breakers.forEach((name, breaker) -> all.put(name, breaker.stats()));
        return new Status(Collections.unmodifiableMap(all));
    }

    /**
     * The status of the registry.
     *
     * @param breakers each installed breaker's stats, by name (sorted)
     */
    public record Status(Map<String, Stats> breakers) implements ComponentStatus {
    }

    /**
     * Tells {@code listener} of every installed breaker now, then of each one installed or removed
     * (a re-install keeps the instance and is not announced again).
     *
     * @return a subscription whose {@code close()} stops the notifications
     */
    public Subscription subscribe(RegistryListener<? super CircuitBreaker> listener) {
        return listeners.subscribe(listener, () -> new TreeMap<>(breakers));
    }

    /**
     * Runs {@code operation} through the breaker named {@code name} (see {@link CircuitBreaker#execute}).
     *
     * @return the breaker's result; or {@code Err} 5009 for an invalid name or null operation, 5005
     *         when no breaker has that name (also emitted as {@code call_rejected}, reason
     *         {@code not_found})
     */
    public <T> Result<T> execute(String name, ThrowingSupplier<T> operation) {
        return execute(name, operation, null);
    }

    /** {@link #execute(String, ThrowingSupplier)} with caller metadata for the {@code call_executed} event. */
    public <T> Result<T> execute(String name, ThrowingSupplier<T> operation, Map<String, ?> callerMetadata) {
        if (closed) {
            return Result.err(closedError());
        }
        String problem = nameProblem(name);
        if (problem == null && operation == null) {
            problem = "operation must not be null (circuit breaker '" + name + "')";
        }
        if (problem != null) {
            return Result.err(error(CoreErrorCode.CIRCUIT_BREAKER_INVALID_INPUT, problem, name));
        }
        CircuitBreaker breaker = breakers.get(name);
        if (breaker == null) {
            if (rejectedChannel.isActive()) {
                rejectedChannel.emit(Map.of(), Map.of(EventKeys.NAME, name, EventKeys.REASON, RejectionReason.NOT_FOUND.label()));
            }
            return Result.err(error(CoreErrorCode.CIRCUIT_BREAKER_NOT_FOUND, notFound(name), name));
        }
        return breaker.execute(operation, callerMetadata);
    }

    /**
     * Runs {@code operation} through the breaker named {@code name} (see {@link CircuitBreaker#call}).
     *
     * @throws InfraException with the codes of {@link #execute(String, ThrowingSupplier)}
     */
    public <T> T call(String name, ThrowingSupplier<T> operation) {
        return execute(name, operation).getOrThrow();
    }

    /**
     * The stats of the breaker named {@code name}.
     *
     * @return {@code Ok(stats)}; or {@code Err} 5011 for an invalid name, 5007 for an unknown one, 5008
     *         on an internal failure
     */
    public Result<Stats> status(String name) {
        return byName(name, CoreErrorCode.CIRCUIT_BREAKER_STATUS_NOT_FOUND, CoreErrorCode.CIRCUIT_BREAKER_STATUS_EXCEPTION,
                CircuitBreaker::stats, false);
    }

    /**
     * Resets the breaker named {@code name} (see {@link CircuitBreaker#reset()}).
     *
     * @return {@code Ok(state afterwards)}; or {@code Err} 5011 for an invalid name, 5013 for an
     *         unknown one, 5014 on an internal failure
     */
    public Result<State> reset(String name) {
        return byName(name, CoreErrorCode.CIRCUIT_BREAKER_RESET_NOT_FOUND, CoreErrorCode.CIRCUIT_BREAKER_RESET_EXCEPTION,
                CircuitBreaker::reset);
    }

    /**
     * Disables (forces open) the breaker named {@code name} (see {@link CircuitBreaker#disable()}).
     *
     * @return {@code Ok(DISABLED)}; or {@code Err} with the codes of {@link #reset(String)}
     */
    public Result<State> disable(String name) {
        return byName(name, CoreErrorCode.CIRCUIT_BREAKER_RESET_NOT_FOUND, CoreErrorCode.CIRCUIT_BREAKER_RESET_EXCEPTION,
                CircuitBreaker::disable);
    }

    /**
     * Enables the breaker named {@code name} again (see {@link CircuitBreaker#enable()}).
     *
     * @return {@code Ok(state afterwards)}; or {@code Err} with the codes of {@link #reset(String)}
     */
    public Result<State> enable(String name) {
        return byName(name, CoreErrorCode.CIRCUIT_BREAKER_RESET_NOT_FOUND, CoreErrorCode.CIRCUIT_BREAKER_RESET_EXCEPTION,
                CircuitBreaker::enable);
    }

    /**
     * Closes the registry for good (the {@code Infrastructure} does it when it closes): from now on
     * {@link #install} throws, and {@link #execute}, {@link #call}, {@link #reset}, {@link #disable}
     * and {@link #enable} answer, 2102 SERVICE_UNAVAILABLE ("circuit breaker registry is closed"); every
     * installed breaker answers its calls with 2102 too and keeps the state it had. Queries
     * ({@link #get}, {@link #list}, {@link #status}, {@link #snapshot}) and {@link #remove} keep
     * working. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        for (CircuitBreaker breaker : breakers.values()) {
            breaker.shutDown(dev.bulwark.internal.Closed.error("circuit breaker '" + breaker.name() + "'", clock));
        }
    }

    private InfraError closedError() {
        return dev.bulwark.internal.Closed.error("circuit breaker registry", clock);
    }

    @Override
    public String toString() {
        return "CircuitBreakers" + list();
    }

    private <R> Result<R> byName(String name, ErrorCode notFound, ErrorCode internal, Function<CircuitBreaker, R> action) {
        return byName(name, notFound, internal, action, true);
    }

    /** An operation by name; {@code changes}: it changes a breaker, so after {@link #close()} it answers 2102. */
    private <R> Result<R> byName(String name, ErrorCode notFound, ErrorCode internal, Function<CircuitBreaker, R> action,
                                 boolean changes) {
        if (changes && closed) {
            return Result.err(closedError());
        }
        String problem = nameProblem(name);
        if (problem != null) {
            return Result.err(error(CoreErrorCode.CIRCUIT_BREAKER_STATUS_INVALID_INPUT, problem, name));
        }
        CircuitBreaker breaker = breakers.get(name);
        if (breaker == null) {
            return Result.err(error(notFound, notFound(name), name));
        }
        try {
            return Result.ok(action.apply(breaker));
        } catch (RuntimeException e) {
            return Result.err(InfraError.builder(internal)
                    .message("circuit breaker '" + name + "' failed: " + e)
                    .context("name", name)
                    .cause(e)
                    .timestampMillis(clock.currentTimeMillis())
                    .build());
        }
    }

    private InfraError error(ErrorCode code, String message, String name) {
        return InfraError.builder(code)
                .message(message)
                .context("name", name)
                .timestampMillis(clock.currentTimeMillis())
                .build();
    }

    private static String notFound(String name) {
        return "no circuit breaker named '" + name + "' is installed";
    }

    /** Why {@code name} is not a valid breaker name, or null when it is. */
    static String nameProblem(String name) {
        return Names.problem("circuit breaker name", name);
    }
}
