package dev.bulwark.harness;

import dev.bulwark.Infrastructure;
import dev.bulwark.Protection;
import dev.bulwark.Result;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.circuit.SlidingWindow;
import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.error.ErrorCatalogue;
import dev.bulwark.error.InfraError;
import dev.bulwark.pipeline.Bulkhead;
import dev.bulwark.pipeline.BulkheadConfig;
import dev.bulwark.pipeline.Fallback;
import dev.bulwark.pipeline.FallbackConfig;
import dev.bulwark.pipeline.PolicyContext;
import dev.bulwark.pipeline.Retry;
import dev.bulwark.pipeline.RetryBudget;
import dev.bulwark.pipeline.RetryConfig;
import dev.bulwark.pipeline.Timeout;
import dev.bulwark.pipeline.TimeoutConfig;
import dev.bulwark.ratelimit.Decision;
import dev.bulwark.ratelimit.InMemoryLimitStore;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.telemetry.EventName;
import dev.bulwark.telemetry.EventType;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.time.ManualClock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * How the harness obtains an instance to call a public instance method on: one recipe per public
 * type, each building a fresh object on a fresh {@link Fixture}. A public type of an exported
 * package with public instance methods but no recipe here is reported by the harness (so a new
 * component gets its recipe, and is covered, the first time the harness runs).
 */
final class Receivers {

    private Receivers() {
    }

    static final Map<Class<?>, Function<Fixture, Object>> RECIPES = new LinkedHashMap<>();

    /** The recipe for {@code type}: its own, or an enum's first constant; null when there is none. */
    static Function<Fixture, Object> of(Class<?> type) {
        Function<Fixture, Object> recipe = RECIPES.get(type);
        if (recipe == null && type.isEnum()) {
            Object first = type.getEnumConstants()[0];
            return f -> first;
        }
        return recipe;
    }

    private static void recipe(Class<?> type, Function<Fixture, Object> make) {
        RECIPES.put(type, make);
    }

    static {
        recipe(Infrastructure.class, f -> f.infra());
        recipe(Infrastructure.Builder.class, f -> f.own(Infrastructure.builder().clock(f.clock)));
        recipe(dev.bulwark.circuit.CircuitBreakers.class, f -> f.infra().circuitBreakers());
        recipe(dev.bulwark.circuit.CircuitBreaker.class, f -> f.infra().circuitBreakers().install("harness"));
        recipe(CircuitBreakerConfig.class, f -> CircuitBreakerConfig.defaults());
        recipe(CircuitBreakerConfig.Builder.class, f -> CircuitBreakerConfig.builder().failureCount(1, Duration.ofSeconds(1)));
        recipe(SlidingWindow.class, f -> SlidingWindow.ofCalls(10));
        recipe(dev.bulwark.ratelimit.RateLimiter.class, f -> f.infra().rateLimiter());
        recipe(InMemoryLimitStore.class, f -> InMemoryLimitStore.builder().clock(f.clock).build());
        recipe(InMemoryLimitStore.Builder.class, f -> InMemoryLimitStore.builder().clock(f.clock));
        recipe(dev.bulwark.ratelimit.RateLimiter.Builder.class, f -> dev.bulwark.ratelimit.RateLimiter.builder(
                InMemoryLimitStore.builder().clock(f.clock).build()));
        recipe(RateLimit.class, f -> RateLimit.perSecond(5));
        recipe(Decision.class, f -> f.infra().rateLimiter().checkRate("e", "op", RateLimit.perSecond(5)).getOrThrow());
        recipe(Telemetry.class, f -> f.infra().telemetry());
        recipe(Telemetry.Builder.class, f -> Telemetry.builder());
        recipe(EventName.class, f -> EventName.of("a", "b"));
        recipe(EventType.class, f -> dev.bulwark.telemetry.Events.PROTECTION_EXECUTED);
        recipe(EventType.Builder.class, f -> EventType.builder("harness"));
        recipe(ManualClock.class, f -> new ManualClock());
        recipe(Protection.class, f -> Protection.circuitBreaker("harness"));
        recipe(Protection.Builder.class, f -> Protection.builder());
        recipe(RetryConfig.class, f -> RetryConfig.defaults());
        recipe(RetryConfig.Builder.class, f -> RetryConfig.builder());
        recipe(RetryBudget.class, f -> RetryBudget.of(0.1, 10));
        recipe(FallbackConfig.class, f -> FallbackConfig.ofValue("v"));
        recipe(FallbackConfig.Builder.class, f -> FallbackConfig.builder());
        recipe(BulkheadConfig.class, f -> BulkheadConfig.of(2));
        recipe(TimeoutConfig.class, f -> TimeoutConfig.of(Duration.ofSeconds(1)));
        recipe(Retry.class, f -> Retry.of("harness", RetryConfig.builder().noBackoff().build(), f.infra().policyContext()));
        recipe(Timeout.class, f -> Timeout.of("harness", TimeoutConfig.of(Duration.ofSeconds(1)), f.infra().policyContext()));
        recipe(Bulkhead.class, f -> Bulkhead.of("harness", BulkheadConfig.of(2), f.infra().policyContext()));
        recipe(Fallback.class, f -> Fallback.of("harness", FallbackConfig.ofValue("v"), f.infra().policyContext()));
        recipe(PolicyContext.class, f -> f.infra().policyContext());
        recipe(PolicyContext.Builder.class, f -> f.infra().policyContext().toBuilder());
        recipe(InfraError.class, f -> InfraError.of(CoreErrorCode.UNKNOWN, "m"));
        recipe(InfraError.Builder.class, f -> InfraError.builder(CoreErrorCode.UNKNOWN));
        recipe(ErrorCatalogue.class, f -> ErrorCatalogue.withCoreCodes());
        recipe(Result.class, f -> Result.ok("v"));
        recipe(dev.bulwark.spi.RegistryListeners.class, f -> new dev.bulwark.spi.RegistryListeners<>("harness"));
        recipe(dev.bulwark.health.HealthConfig.class, f -> dev.bulwark.health.HealthConfig.defaults());
        recipe(dev.bulwark.health.HealthConfig.Builder.class, f -> dev.bulwark.health.HealthConfig.builder());
        recipe(dev.bulwark.health.HealthCheckConfig.class, f -> dev.bulwark.health.HealthCheckConfig.defaults());
        recipe(dev.bulwark.health.Health.class, f -> dev.bulwark.health.Health.up());
        recipe(dev.bulwark.health.HealthReport.class, f -> f.infra().health().readiness());
        recipe(dev.bulwark.memory.MemoryConfig.class, f -> dev.bulwark.memory.MemoryConfig.defaults());
        recipe(dev.bulwark.memory.MemoryConfig.Builder.class, f -> dev.bulwark.memory.MemoryConfig.builder());
        recipe(dev.bulwark.memory.MemoryMonitor.class, f -> f.own(dev.bulwark.memory.MemoryMonitor.builder().clock(f.clock)
                .source(() -> dev.bulwark.memory.MemoryReading.ofOccupancy(0.5)).build()));
        recipe(dev.bulwark.memory.MemoryMonitor.Builder.class, f -> dev.bulwark.memory.MemoryMonitor.builder().clock(f.clock)
                .source(() -> dev.bulwark.memory.MemoryReading.ofOccupancy(0.5)));
        recipe(dev.bulwark.pipeline.ShedStage.class, f -> new dev.bulwark.pipeline.ShedStage());
        recipe(dev.bulwark.spi.Call.class, f -> dev.bulwark.spi.Call.of(() -> "v", "e", dev.bulwark.pipeline.Criticality.DEFAULT));
        recipe(dev.bulwark.spi.Slot.class, f -> dev.bulwark.spi.Slot.RETRY);
        recipe(dev.bulwark.time.TickingClock.class, f -> f.own(dev.bulwark.time.TickingClock.start(Duration.ofMillis(1))));
        recipe(dev.bulwark.InfrastructureStatus.class, f -> f.infra().status());
        recipe(dev.bulwark.ProtectionStatus.class, f -> {
            f.infra().configureProtection("harness", Protection.circuitBreaker("harness"));
            return f.infra().protectionStatus("harness").getOrThrow();
        });
        recipe(dev.bulwark.ratelimit.RateLimitStatus.class, f -> {
            f.infra().rateLimiter().tryAcquire("e", "op", RateLimit.perSecond(5));
            return f.infra().rateLimiter().status("e", "op").getOrThrow();
        });
        recipe(dev.bulwark.error.InfraException.class, f -> InfraError.of(CoreErrorCode.UNKNOWN, "m").toException());
        recipe(Result.Ok.class, f -> Result.ok("v"));
        recipe(Result.Err.class, f -> Result.err(InfraError.of(CoreErrorCode.UNKNOWN, "m")));
        recipe(dev.bulwark.telemetry.EventChannel.class, f -> f.infra().telemetry().channel(dev.bulwark.telemetry.Events.PROTECTION_EXECUTED));
        recipe(dev.bulwark.pipeline.RetryStage.class, f -> new dev.bulwark.pipeline.RetryStage(RetryConfig.defaults()));
        recipe(dev.bulwark.pipeline.BulkheadStage.class, f -> new dev.bulwark.pipeline.BulkheadStage(BulkheadConfig.of(2)));
        recipe(dev.bulwark.pipeline.TimeoutStage.class, f -> dev.bulwark.pipeline.TimeoutStage.total(TimeoutConfig.of(Duration.ofSeconds(1))));
        recipe(dev.bulwark.pipeline.FallbackStage.class, f -> new dev.bulwark.pipeline.FallbackStage(FallbackConfig.ofValue("v")));
        recipe(dev.bulwark.pipeline.RateLimitStage.class, f -> new dev.bulwark.pipeline.RateLimitStage("e", "op", RateLimit.perSecond(5)));
        recipe(dev.bulwark.pipeline.CircuitBreakerStage.class, f -> new dev.bulwark.pipeline.CircuitBreakerStage("harness", null));
        recipe(dev.bulwark.pipeline.HedgeConfig.class, f -> hedgeConfig());
        recipe(dev.bulwark.pipeline.HedgeConfig.Builder.class, f -> dev.bulwark.pipeline.HedgeConfig.builder().idempotent());
        recipe(dev.bulwark.pipeline.Hedge.class, f -> dev.bulwark.pipeline.Hedge.of("harness", hedgeConfig(),
                f.infra().policyContext()));
        recipe(dev.bulwark.pipeline.HedgeStage.class, f -> new dev.bulwark.pipeline.HedgeStage(hedgeConfig()));
        recipe(dev.bulwark.pipeline.AdaptiveConcurrencyConfig.class, f -> dev.bulwark.pipeline.AdaptiveConcurrencyConfig.defaults());
        recipe(dev.bulwark.pipeline.AdaptiveConcurrencyConfig.Builder.class,
                f -> dev.bulwark.pipeline.AdaptiveConcurrencyConfig.builder());
        recipe(dev.bulwark.pipeline.AdaptiveConcurrency.class, f -> dev.bulwark.pipeline.AdaptiveConcurrency.of("harness",
                dev.bulwark.pipeline.AdaptiveConcurrencyConfig.defaults(), f.infra().policyContext()));
        recipe(dev.bulwark.pipeline.AdaptiveConcurrencyStage.class, f -> new dev.bulwark.pipeline.AdaptiveConcurrencyStage(
                dev.bulwark.pipeline.AdaptiveConcurrencyConfig.defaults()));
        recipe(dev.bulwark.pipeline.FallbackStage.Runtime.class, f -> new dev.bulwark.pipeline.FallbackStage(FallbackConfig.ofValue("v"))
                .create(f.stageContext()));
    }

    private static dev.bulwark.pipeline.HedgeConfig hedgeConfig() {
        return dev.bulwark.pipeline.HedgeConfig.builder().idempotent().delay(Duration.ofMillis(10)).build();
    }
}
