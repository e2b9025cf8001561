package dev.bulwark.benchmarks.observability;

import dev.bulwark.Infrastructure;
import dev.bulwark.Protection;
import dev.bulwark.Result;
import dev.bulwark.ThrowingSupplier;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.circuit.SlidingWindow;
import dev.bulwark.micrometer.BulwarkMetrics;
import dev.bulwark.pipeline.RetryConfig;
import dev.bulwark.ratelimit.RateLimit;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.decorators.Decorators;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRateLimiterMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.retry.RetryRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What metrics cost on the hot path: the closed-breaker call and the pipeline (rate limit → retry →
 * breaker, every call a success), each without meters and with its library's Micrometer binding on
 * the same {@link SimpleMeterRegistry}: Bulwark with {@code BulwarkMetrics} (the module), Resilience4j
 * with resilience4j-micrometer's {@code Tagged*Metrics} bound to its registries. The added cost of
 * each library is its "Metrics" row minus its "Bare" row. The "NoopListener" rows have no binder but a
 * handler that does nothing on the events the binder listens to: "Metrics" minus "NoopListener" is
 * the binder's own share, "NoopListener" minus "Bare" core's cost of timing and emitting the events.
 * The "NoopPrimitiveListener" rows have a {@code PrimitiveEventHandler} that does nothing instead:
 * core's cost on the path the binder takes. {@code clockPair} is two {@code System.nanoTime()} reads.
 * The "TickingClock" rows run on {@code tickingClock(1 ms)}, whose reads are a memory load.
 *
 * <p>Both breakers use a count window of 100 calls; both rate limiters admit a billion per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MetricsOverheadBenchmark {

    static final long PERMITS_PER_SECOND = 1_000_000_000L;
    private static final ThrowingSupplier<String> CALL = () -> "ok";
    private static final Supplier<String> SUPPLIER = () -> "ok";

    private MeterRegistry registry;
    private Infrastructure bare;
    private Infrastructure metered;
    /** No binder, a no-op handler on the events the binder listens to: what core's emission costs alone. */
    private Infrastructure listened;
    /** No binder, a no-op primitive handler on the same events: core's cost on the path a binder takes. */
    private Infrastructure listenedPrimitive;
    private dev.bulwark.circuit.CircuitBreaker listenedPrimitiveBreaker;
    private Infrastructure tickingBare;
    private Infrastructure tickingMetered;
    private dev.bulwark.circuit.CircuitBreaker listenedBreaker;
    private dev.bulwark.circuit.CircuitBreaker tickingBareBreaker;
    private dev.bulwark.circuit.CircuitBreaker tickingMeteredBreaker;
    private dev.bulwark.circuit.CircuitBreaker bareBreaker;
    private dev.bulwark.circuit.CircuitBreaker meteredBreaker;
    private Supplier<String> r4jBareBreaker;
    private Supplier<String> r4jMeteredBreaker;
    private Supplier<String> r4jBarePipeline;
    private Supplier<String> r4jMeteredPipeline;

    static Protection protection() {
        return Protection.builder()
                .rateLimit("user-1", "search", RateLimit.of("search", PERMITS_PER_SECOND, Duration.ofSeconds(1)))
                .retry(RetryConfig.builder().maxAttempts(3).fixedBackoff(Duration.ofMillis(100)).build())
                .circuitBreaker("search", CircuitBreakerConfig.builder()
                        .failureRate(50, SlidingWindow.ofCalls(100), 100).build())
                .build();
    }

    private static dev.bulwark.circuit.CircuitBreaker breaker(Infrastructure infra) {
        return infra.circuitBreakers().install("count-rate", CircuitBreakerConfig.builder()
                .failureRate(50, SlidingWindow.ofCalls(100), 100).build());
    }

    @Setup(Level.Trial)
    public void setUp() {
        registry = new SimpleMeterRegistry();
        bare = Infrastructure.builder().build();
        metered = Infrastructure.builder().install(BulwarkMetrics.bindTo(registry)).build();
        bareBreaker = breaker(bare);
        meteredBreaker = breaker(metered);
        bare.configureProtection("search", protection()).getOrThrow();
        metered.configureProtection("search", protection()).getOrThrow();
        listened = Infrastructure.builder().build();
        for (dev.bulwark.telemetry.EventType type : java.util.List.of(dev.bulwark.telemetry.Events.CIRCUIT_BREAKER_CALL_EXECUTED,
                dev.bulwark.telemetry.Events.RATE_LIMITER_REQUEST_ALLOWED, dev.bulwark.telemetry.Events.PROTECTION_EXECUTED)) {
            listened.telemetry().attach("noop:" + type.suffix(), listened.telemetry().name(type), (e, m, md) -> { });
        }
        listenedBreaker = breaker(listened);
        listenedPrimitive = Infrastructure.builder().build();
        for (dev.bulwark.telemetry.EventType type : java.util.List.of(dev.bulwark.telemetry.Events.CIRCUIT_BREAKER_CALL_EXECUTED,
                dev.bulwark.telemetry.Events.RATE_LIMITER_REQUEST_ALLOWED, dev.bulwark.telemetry.Events.PROTECTION_EXECUTED)) {
            listenedPrimitive.telemetry().attach("noop:" + type.suffix(), listenedPrimitive.telemetry().name(type), new NoopPrimitive());
        }
        listenedPrimitiveBreaker = breaker(listenedPrimitive);
        listenedPrimitive.configureProtection("search", protection()).getOrThrow();
        listened.configureProtection("search", protection()).getOrThrow();
        tickingBare = Infrastructure.builder().tickingClock(Duration.ofMillis(1)).build();
        tickingMetered = Infrastructure.builder().tickingClock(Duration.ofMillis(1))
                .install(BulwarkMetrics.bindTo(registry)).build();
        tickingBareBreaker = breaker(tickingBare);
        tickingMeteredBreaker = breaker(tickingMetered);
        tickingBare.configureProtection("search", protection()).getOrThrow();
        tickingMetered.configureProtection("search", protection()).getOrThrow();

        r4jBareBreaker = CircuitBreaker.decorateSupplier(r4jBreakers(null).circuitBreaker("count-rate"), SUPPLIER);
        r4jMeteredBreaker = CircuitBreaker.decorateSupplier(r4jBreakers(registry).circuitBreaker("count-rate"), SUPPLIER);
        r4jBarePipeline = r4jPipeline(null);
        r4jMeteredPipeline = r4jPipeline(registry);
    }

    private static CircuitBreakerRegistry r4jBreakers(MeterRegistry meters) {
        CircuitBreakerRegistry breakers = CircuitBreakerRegistry.of(
                io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.custom()
                        .slidingWindowType(io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                        .slidingWindowSize(100).minimumNumberOfCalls(100).failureRateThreshold(50).build());
        if (meters != null) {
            TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(meters);
        }
        return breakers;
    }

    private static Supplier<String> r4jPipeline(MeterRegistry meters) {
        CircuitBreakerRegistry breakers = r4jBreakers(meters);
        RetryRegistry retries = RetryRegistry.of(io.github.resilience4j.retry.RetryConfig.custom()
                .maxAttempts(3).waitDuration(Duration.ofMillis(100)).build());
        RateLimiterRegistry limiters = RateLimiterRegistry.of(RateLimiterConfig.custom()
                .limitForPeriod((int) PERMITS_PER_SECOND).limitRefreshPeriod(Duration.ofSeconds(1))
                .timeoutDuration(Duration.ZERO).build());
        if (meters != null) {
            TaggedRetryMetrics.ofRetryRegistry(retries).bindTo(meters);
            TaggedRateLimiterMetrics.ofRateLimiterRegistry(limiters).bindTo(meters);
        }
        String name = meters == null ? "search-bare" : "search";
        return Decorators.ofSupplier(SUPPLIER)
                .withCircuitBreaker(breakers.circuitBreaker(name))
                .withRetry(retries.retry(name))
                .withRateLimiter(limiters.rateLimiter(name))
                .decorate();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        bare.close();
        metered.close();
        listened.close();
        listenedPrimitive.close();
        tickingBare.close();
        tickingMetered.close();
    }

    @Benchmark
    public String breakerBulwarkBare() {
        return bareBreaker.call(CALL);
    }

    @Benchmark
    public String breakerBulwarkMetrics() {
        return meteredBreaker.call(CALL);
    }

    @Benchmark
    public String breakerBulwarkNoopListener() {
        return listenedBreaker.call(CALL);
    }

    @Benchmark
    public String breakerBulwarkNoopPrimitiveListener() {
        return listenedPrimitiveBreaker.call(CALL);
    }

    /** Two reads of the system clock: what timing one call costs on this machine before anything is recorded. */
    @Benchmark
    public long clockPair() {
        long start = System.nanoTime();
        return System.nanoTime() - start;
    }

    @Benchmark
    public String breakerBulwarkBareTickingClock() {
        return tickingBareBreaker.call(CALL);
    }

    @Benchmark
    public String breakerBulwarkMetricsTickingClock() {
        return tickingMeteredBreaker.call(CALL);
    }

    @Benchmark
    public String breakerResilience4jBare() {
        return r4jBareBreaker.get();
    }

    @Benchmark
    public String breakerResilience4jMetrics() {
        return r4jMeteredBreaker.get();
    }

    @Benchmark
    public Result<String> pipelineBulwarkBare() {
        return bare.executeProtected("search", CALL);
    }

    @Benchmark
    public Result<String> pipelineBulwarkMetrics() {
        return metered.executeProtected("search", CALL);
    }

    @Benchmark
    public Result<String> pipelineBulwarkNoopListener() {
        return listened.executeProtected("search", CALL);
    }

    @Benchmark
    public Result<String> pipelineBulwarkNoopPrimitiveListener() {
        return listenedPrimitive.executeProtected("search", CALL);
    }

    @Benchmark
    public Result<String> pipelineBulwarkBareTickingClock() {
        return tickingBare.executeProtected("search", CALL);
    }

    @Benchmark
    public Result<String> pipelineBulwarkMetricsTickingClock() {
        return tickingMetered.executeProtected("search", CALL);
    }

    @Benchmark
    public String pipelineResilience4jBare() {
        return r4jBarePipeline.get();
    }

    @Benchmark
    public String pipelineResilience4jMetrics() {
        return r4jMeteredPipeline.get();
    }

    /** A primitive handler that does nothing. */
    static final class NoopPrimitive implements dev.bulwark.telemetry.PrimitiveEventHandler {
        @Override
        public void handle(dev.bulwark.telemetry.EventName event, long firstMeasurement, java.util.Map<String, Object> metadata) {
        }

        @Override
        public void handle(dev.bulwark.telemetry.EventName event, java.util.Map<String, Number> measurements,
                           java.util.Map<String, Object> metadata) {
        }
    }
}
