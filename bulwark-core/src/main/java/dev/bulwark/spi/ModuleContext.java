package dev.bulwark.spi;

import dev.bulwark.Infrastructure;
import dev.bulwark.circuit.CircuitBreakers;
import dev.bulwark.error.ErrorCatalogue;
import dev.bulwark.health.HealthRegistry;
import dev.bulwark.pipeline.PolicyContext;
import dev.bulwark.ratelimit.LimitStore;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import dev.bulwark.time.Timer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What an {@code Infrastructure} hands a {@link BulwarkModule} while installing it: its clock,
 * telemetry, scheduler, timer and executor, its registries, its error catalogue, and the place to
 * register the module's components. Valid only during {@link BulwarkModule#install}; what the
 * module obtains from it (the clock, the registries...) stays valid for the infrastructure's life.
 */
public interface ModuleContext {

    /** The name of the module being installed. */
    String moduleName();

    /** The clock every component reads time from. */
    Clock clock();

    /** The telemetry stream; declare the module's events with {@link Telemetry#declare}. */
    Telemetry telemetry();

    /** The scheduler for background work (sweeps, refreshes); its thread stops with the infrastructure. */
    Scheduler scheduler();

    /** The timer for waits on the clock's timeline (the manual clock itself in tests). */
    Timer timer();

    /** The executor for work that must not run on a caller's or the timer's thread. */
    Executor executor();

    /** The clock, timer, executor and telemetry together, as the pipeline's policies take them. */
    PolicyContext policyContext();

    /** The infrastructure's breaker registry: a module's own breakers go here, so they show in status and health. */
    CircuitBreakers circuitBreakers();

    /**
     * The infrastructure's health registry: a module registers the checks of its components here
     * ({@code context.health().register("orders_pool", pool::health, HealthGroup.READINESS)}).
     */
    HealthRegistry health();

    /** The error catalogue; register the module's codes here ({@code register(MyErrorCode.class)}). */
    ErrorCatalogue errorCodes();

    /**
     * Makes {@code store} the store of the infrastructure's rate limiter. The infrastructure closes
     * it when {@code owned}.
     *
     * @throws IllegalStateException if the rate limiter was already created (a module before this
     *                               one asked for {@link #rateLimiter()}), or another store was set
     */
    void useRateLimitStore(LimitStore store, boolean owned);

    /**
     * The infrastructure's rate limiter; asking for it fixes its store (in-memory unless a module
     * before set another with {@link #useRateLimitStore}).
     */
    RateLimiter rateLimiter();

    /**
     * Registers a component: its status becomes part of {@code infra.status()} under {@code name},
     * {@code infra.component(type)} finds it, and {@code onClose} (may be null) runs when the
     * infrastructure closes, in reverse order of registration.
     *
     * @return {@code component}
     * @throws IllegalArgumentException if {@code name} is taken or not lower_snake_case
     */
    <C> C register(String name, C component, Supplier<? extends ComponentStatus> status, AutoCloseable onClose);

    /** The first registered component that is an instance of {@code type} (core's or an earlier module's). */
    <C> Optional<C> component(Class<C> type);

    /** Every registered component that is an instance of {@code type}, in registration order. */
    <C> List<C> components(Class<C> type);

    /**
     * Runs {@code action} with the infrastructure once it is built: after every module is installed
     * and core's last components (the named protections) exist, before {@code infrastructure.initialized}
     * is emitted. This is where a module that reads the whole infrastructure (its
     * {@code status()}, {@code subscribeToProtections}) starts doing so. Actions run in the order
     * they were given; one that throws fails {@code build()} like a failing install.
     *
     * @throws NullPointerException if {@code action} is null
     */
    void onBuilt(Consumer<? super Infrastructure> action);
}
