package dev.bulwark.harness;

import dev.bulwark.Protection;
import dev.bulwark.ThrowingSupplier;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.circuit.SlidingWindow;
import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.error.ErrorCode;
import dev.bulwark.error.InfraError;
import dev.bulwark.pipeline.BulkheadConfig;
import dev.bulwark.pipeline.FallbackConfig;
import dev.bulwark.pipeline.PolicyContext;
import dev.bulwark.pipeline.RetryBudget;
import dev.bulwark.pipeline.RetryConfig;
import dev.bulwark.pipeline.RetryStage;
import dev.bulwark.pipeline.TimeoutConfig;
import dev.bulwark.ratelimit.Decision;
import dev.bulwark.ratelimit.InMemoryLimitStore;
import dev.bulwark.ratelimit.LimitStore;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.spi.BulwarkModule;
import dev.bulwark.spi.Call;
import dev.bulwark.spi.ModuleContext;
import dev.bulwark.spi.RegistryListener;
import dev.bulwark.spi.Slot;
import dev.bulwark.spi.StageSpec;
import dev.bulwark.telemetry.EventName;
import dev.bulwark.telemetry.EventType;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.telemetry.TelemetryHandler;
import dev.bulwark.telemetry.Unit;
import dev.bulwark.time.Clock;
import dev.bulwark.time.ManualClock;
import dev.bulwark.time.Timer;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * For each parameter type of Bulwark's public entry points: one valid value (the baseline every
 * case starts from) and the bad values a careless or hostile caller passes (nulls, blanks, control
 * characters, huge and negative numbers and durations, empty and null-holding collections).
 */
final class Values {

    private Values() {
    }

    static final String LONG_TEXT = "x".repeat(10_000);

    /** Valid values for parameters whose name says more than their type (a multiplier is not any double). */
    private static final Map<String, Object> BY_NAME = Map.of(
            "multiplier", 2.0,
            "order", 650,
            "retryRatio", 0.1,
            "what", "name",
            "tolerance", 1.25,
            "percentile", 95.0);

    /** A valid value for the parameter, by its name when the type alone does not tell. */
    static Object valid(java.lang.reflect.Executable entry, java.lang.reflect.Parameter p, Fixture f) {
        String owner = entry.getDeclaringClass().getSimpleName() + "." + entry.getName();
        if (owner.startsWith("Durations.") && p.getType() == String.class) {
            return "value";   // the name the message quotes for the duration
        }
        if (owner.equals("Builder.maxAttempts") && entry.getDeclaringClass() == dev.bulwark.pipeline.HedgeConfig.Builder.class) {
            return 2;   // a hedge makes at least two attempts
        }
        if (owner.equals("ErrorType.of")) {
            return "HARNESS_TYPE";
        }
        if (owner.equals("CoreErrorCode.of")) {
            return 5004;
        }
        if (owner.equals("Slot.of") && p.getType() == String.class) {
            return "audit";
        }
        if (owner.equals("RegistryListeners.subscribe") && p.getType() == Supplier.class) {
            return (Supplier<Map<String, Object>>) Map::of;
        }
        if (p.getType() == Class[].class) {
            return new Class<?>[] {java.io.IOException.class};
        }
        if (owner.equals("Result.flatMap")) {
            return (Function<Object, Object>) x -> dev.bulwark.Result.ok("v");
        }
        if (owner.equals("Result.mapError")) {
            return (Function<Object, Object>) e -> InfraError.of(CoreErrorCode.UNKNOWN, "mapped");
        }
        Object byName = BY_NAME.get(p.getName());
        return byName != null ? byName : valid(p.getType(), p.getParameterizedType(), f);
    }

    /** A valid value for {@code type}, or {@link #NONE} when the harness has none. */
    static Object valid(Class<?> type, Type generic, Fixture f) {
        if (type == String.class) {
            return "harness";
        }
        if (type == int.class || type == Integer.class) {
            return 1;
        }
        if (type == long.class || type == Long.class) {
            return 1L;
        }
        if (type == double.class || type == Double.class) {
            return 0.5;
        }
        if (type == boolean.class || type == Boolean.class) {
            return true;
        }
        if (type == Duration.class) {
            return Duration.ofSeconds(1);
        }
        if (type == Instant.class) {
            return Instant.EPOCH;
        }
        if (type.isEnum()) {
            return type.getEnumConstants()[0];
        }
        if (type == ThrowingSupplier.class) {
            return (ThrowingSupplier<Object>) () -> "v";
        }
        if (type == Supplier.class) {
            return (Supplier<Object>) () -> CompletableFuture.completedFuture("v");
        }
        if (type == java.util.function.BooleanSupplier.class) {
            return (java.util.function.BooleanSupplier) () -> false;
        }
        if (type == dev.bulwark.health.HealthConfig.class) {
            return dev.bulwark.health.HealthConfig.defaults();
        }
        if (type == dev.bulwark.health.HealthCheckConfig.class) {
            return dev.bulwark.health.HealthCheckConfig.defaults();
        }
        if (type == dev.bulwark.health.Health.class) {
            return dev.bulwark.health.Health.up();
        }
        if (type == dev.bulwark.health.HealthGroup.class) {
            return dev.bulwark.health.HealthGroup.READINESS;
        }
        if (type == dev.bulwark.health.HealthCheck.class) {
            return (dev.bulwark.health.HealthCheck) dev.bulwark.health.Health::up;
        }
        if (type == dev.bulwark.memory.MemoryConfig.class) {
            return dev.bulwark.memory.MemoryConfig.defaults();
        }
        if (type == dev.bulwark.memory.MemorySource.class) {
            return (dev.bulwark.memory.MemorySource) () -> dev.bulwark.memory.MemoryReading.ofOccupancy(0.5);
        }
        if (type == java.util.Collection.class) {
            return List.of();
        }
        if (type == dev.bulwark.time.Scheduler.class) {
            return f.infra().scheduler();
        }
        if (type == java.util.Set.class) {
            return java.util.Set.of();
        }
        if (type == Runnable.class) {
            return (Runnable) () -> { };
        }
        if (type == Predicate.class) {
            return (Predicate<Object>) x -> false;
        }
        if (type == Function.class) {
            return (Function<Object, Object>) x -> "v";
        }
        if (type == TelemetryHandler.class) {
            return (TelemetryHandler) (n, m, md) -> { };
        }
        if (type == RegistryListener.class) {
            return new RegistryListener<Object>() {
                @Override
                public void added(String name, Object entry) {
                }

                @Override
                public void removed(String name, Object entry) {
                }
            };
        }
        if (type == Clock.class || type == ManualClock.class) {
            return f.clock;
        }
        if (type == Timer.class) {
            return f.clock;
        }
        if (type == Executor.class) {
            return (Executor) Runnable::run;
        }
        if (type == Random.class) {
            return new Random(1);
        }
        if (type == RandomGenerator.class) {
            return new Random(1);
        }
        if (type == Telemetry.class) {
            return Telemetry.create();
        }
        if (type == EventName.class) {
            return EventName.of("harness", "event");
        }
        if (type == EventType.class) {
            return Events.PROTECTION_EXECUTED;
        }
        if (type == Unit.class) {
            return Unit.COUNT;
        }
        if (type == RateLimit.class) {
            return RateLimit.perSecond(5);
        }
        if (type == Decision.class) {
            return InMemoryLimitStore.builder().clock(f.clock).build().acquire("e", "op", RateLimit.perSecond(5), 1);
        }
        if (type == LimitStore.class || type == InMemoryLimitStore.class) {
            return InMemoryLimitStore.builder().clock(f.clock).build();
        }
        if (type == CircuitBreakerConfig.class) {
            return CircuitBreakerConfig.defaults();
        }
        if (type == SlidingWindow.class) {
            return SlidingWindow.ofCalls(10);
        }
        if (type == RetryConfig.class) {
            return RetryConfig.builder().noBackoff().build();
        }
        if (type == RetryBudget.class) {
            return RetryBudget.of(0.1, 10);
        }
        if (type == BulkheadConfig.class) {
            return BulkheadConfig.of(2);
        }
        if (type == TimeoutConfig.class) {
            return TimeoutConfig.of(Duration.ofSeconds(1));
        }
        if (type == dev.bulwark.pipeline.HedgeConfig.class) {
            return dev.bulwark.pipeline.HedgeConfig.builder().idempotent().delay(Duration.ofMillis(10)).build();
        }
        if (type == dev.bulwark.pipeline.AdaptiveConcurrencyConfig.class) {
            return dev.bulwark.pipeline.AdaptiveConcurrencyConfig.defaults();
        }
        if (type == FallbackConfig.class) {
            return FallbackConfig.ofValue("v");
        }
        if (type == PolicyContext.class) {
            return f.infra().policyContext();
        }
        if (type == Protection.class) {
            return Protection.circuitBreaker("harness");
        }
        if (type == StageSpec.class) {
            return new RetryStage(RetryConfig.defaults());
        }
        if (type == Slot.class) {
            return Slot.RETRY;
        }
        if (type == Call.class) {
            return Call.of(() -> "v", "e", dev.bulwark.pipeline.Criticality.DEFAULT);
        }
        if (type == ErrorCode.class || type == CoreErrorCode.class) {
            return CoreErrorCode.UNKNOWN;
        }
        if (type == InfraError.class) {
            return InfraError.of(CoreErrorCode.UNKNOWN, "m");
        }
        if (type == Throwable.class || type == Exception.class) {
            return new java.io.IOException("harness");
        }
        if (type == BulwarkModule.class) {
            return new BulwarkModule() {
                @Override
                public String name() {
                    return "harness_module";
                }

                @Override
                public void install(ModuleContext context) {
                }
            };
        }
        if (type == Class.class) {
            return CoreErrorCode.class;
        }
        if (type == Object.class) {
            return "v";
        }
        if (type == List.class) {
            Class<?> element = elementType(generic);
            Object one = element == null ? NONE : valid(element, element, f);
            return one == NONE ? NONE : List.of(one);
        }
        if (type == Map.class) {
            return Map.of("k", "v");
        }
        if (type.isArray()) {
            Object one = valid(type.getComponentType(), type.getComponentType(), f);
            if (one == NONE) {
                return NONE;
            }
            Object array = java.lang.reflect.Array.newInstance(type.getComponentType(), 1);
            java.lang.reflect.Array.set(array, 0, one);
            return array;
        }
        if (type == dev.bulwark.spi.StageContext.class) {
            return f.stageContext();
        }
        if (type == dev.bulwark.spi.Stage.class) {
            return new RetryStage(RetryConfig.defaults()).create(f.stageContext());
        }
        if (type == dev.bulwark.spi.Step.class) {
            return dev.bulwark.spi.Step.call();
        }
        if (type == dev.bulwark.spi.AsyncStep.class) {
            return dev.bulwark.spi.AsyncStep.call();
        }
        if (type == dev.bulwark.Result.class) {
            return dev.bulwark.Result.ok("v");
        }
        if (type == java.util.function.Consumer.class) {
            return (java.util.function.Consumer<Object>) x -> { };
        }
        if (type == CompletionStage.class) {
            return CompletableFuture.completedFuture("v");
        }
        return NONE;
    }

    /** The bad values for a parameter of {@code type}. */
    static List<Object> bad(Class<?> type, Type generic, Fixture f) {
        List<Object> out = new ArrayList<>();
        if (type == String.class) {
            out.addAll(Arrays.asList(null, "", "   ", "a\u0000b\n", LONG_TEXT));
        } else if (type == int.class) {
            out.addAll(List.of(-1, 0, Integer.MIN_VALUE, Integer.MAX_VALUE));
        } else if (type == long.class) {
            out.addAll(List.of(-1L, 0L, Long.MIN_VALUE, Long.MAX_VALUE));
        } else if (type == double.class) {
            out.addAll(List.of(-1.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e300));
        } else if (type == Duration.class) {
            out.addAll(Arrays.asList(null, Duration.ZERO, Duration.ofNanos(-1), Duration.ofSeconds(Long.MAX_VALUE),
                    Duration.ofDays(1_000_000)));
        } else if (type == List.class) {
            Object valid = valid(type, generic, f);
            out.add(null);
            out.add(List.of());
            if (valid != NONE) {
                out.add(Arrays.asList((Object) null));
            }
        } else if (type.isArray()) {
            out.add(null);
            out.add(java.lang.reflect.Array.newInstance(type.getComponentType(), 1));   // holding null
        } else if (!type.isPrimitive()) {
            out.add(null);
        }
        return out;
    }

    private static Class<?> elementType(Type generic) {
        if (generic instanceof ParameterizedType p && p.getActualTypeArguments().length == 1) {
            Type arg = p.getActualTypeArguments()[0];
            if (arg instanceof Class<?> c) {
                return c;
            }
            if (arg instanceof java.lang.reflect.WildcardType w && w.getUpperBounds()[0] instanceof Class<?> c) {
                return c;
            }
        }
        return null;
    }

    /** No valid value is known for the type. */
    static final Object NONE = new Object() {
        @Override
        public String toString() {
            return "<none>";
        }
    };
}
