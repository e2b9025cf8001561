package dev.bulwark.benchmarks.pipeline;

import dev.bulwark.Infrastructure;
import dev.bulwark.Protection;
import dev.bulwark.Result;
import dev.bulwark.ThrowingSupplier;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.circuit.SlidingWindow;
import dev.bulwark.pipeline.RetryConfig;
import dev.bulwark.ratelimit.RateLimit;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.RetryPolicy;
import dev.failsafe.function.CheckedSupplier;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.decorators.Decorators;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.retry.Retry;
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
 * The unified pipeline's success path: rate limit → retry → circuit breaker around a trivial call,
 * in Bulwark and the same composition in Resilience4j ({@code Decorators}) and Failsafe
 * ({@code Failsafe.with(rateLimiter, retryPolicy, circuitBreaker)}). Every call is admitted (the
 * limit is far above the reachable rate) and succeeds at its first attempt, so each figure is the
 * cost of the protection itself.
 *
 * <p>Same configuration everywhere: a limit of 10^9 per second on one key; 3 attempts with a
 * 100 ms backoff; a breaker on the failure rate (50 %) of the last 100 calls. Each pipeline is built
 * once in the setup, as an application would.
 *
 * <ul>
 *   <li>{@code bulwarkProtection}: {@code infra.executeProtected(protection, call)} with a
 *       {@link Protection} built once;</li>
 *   <li>{@code bulwarkNamed}: {@code infra.executeProtected("key", call)}, the named protection;</li>
 *   <li>{@code ...TickingClock}: the same two on an infrastructure built with
 *       {@code tickingClock(1 ms)}, whose clock reads cost a memory load;</li>
 *   <li>{@code resilience4jDecorators}: a supplier decorated once with rate limiter, retry and breaker;</li>
 *   <li>{@code failsafeExecutor}: a {@code FailsafeExecutor} built once;</li>
 *   <li>{@code bulwarkPartsByHand}: the same three Bulwark parts called by hand
 *       ({@code limiter.tryAcquire}, {@code retry.apply(() -> breaker.execute(call))}): the pipeline's
 *       own overhead is the difference with {@code bulwarkProtection}.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PipelineBenchmark {

    static final long PERMITS_PER_SECOND = 1_000_000_000L;
    static final Duration BACKOFF = Duration.ofMillis(100);

    private static final ThrowingSupplier<String> BULWARK_CALL = () -> "ok";
    private static final Supplier<String> SUPPLIER = () -> "ok";
    private static final CheckedSupplier<String> FAILSAFE_CALL = () -> "ok";

    private Infrastructure infra;
    /** The same protection on a {@link dev.bulwark.time.TickingClock} of 1 ms: a clock read is a memory load. */
    private Infrastructure tickingInfra;
    private Protection protection;
    private dev.bulwark.ratelimit.RateLimiter limiter;
    private RateLimit rule;
    private dev.bulwark.pipeline.Retry retry;
    private dev.bulwark.circuit.CircuitBreaker breaker;
    private Supplier<String> resilience4j;
    private FailsafeExecutor<String> failsafe;

    @Setup(Level.Trial)
    public void setUp() {
        infra = Infrastructure.builder().build();
        protection = Protection.builder()
                .rateLimit("user-1", "search", RateLimit.of("search", PERMITS_PER_SECOND, Duration.ofSeconds(1)))
                .retry(RetryConfig.builder().maxAttempts(3).fixedBackoff(BACKOFF).build())
                .circuitBreaker("bench", CircuitBreakerConfig.builder()
                        .failureRate(50, SlidingWindow.ofCalls(100), 100).build())
                .build();
        infra.configureProtection("search", protection).getOrThrow();
        tickingInfra = Infrastructure.builder().tickingClock(Duration.ofMillis(1)).build();
        tickingInfra.configureProtection("search", protection).getOrThrow();
        limiter = infra.rateLimiter();
        rule = protection.rateLimit().rule();
        retry = dev.bulwark.pipeline.Retry.of("by-hand", protection.retry(), infra.policyContext());
        breaker = infra.circuitBreakers().get("bench").orElseThrow();

        RateLimiter r4jLimiter = RateLimiter.of("search", RateLimiterConfig.custom()
                .limitForPeriod((int) PERMITS_PER_SECOND)
                .limitRefreshPeriod(Duration.ofSeconds(1))
                .timeoutDuration(Duration.ZERO)
                .build());
        Retry r4jRetry = Retry.of("search", io.github.resilience4j.retry.RetryConfig.custom()
                .maxAttempts(3).waitDuration(BACKOFF).build());
        CircuitBreaker r4jBreaker = CircuitBreaker.of("search", io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.custom()
                .slidingWindowType(io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(100).minimumNumberOfCalls(100).failureRateThreshold(50).build());
        // Decorators nest in call order: the last one added is the outermost.
        resilience4j = Decorators.ofSupplier(SUPPLIER)
                .withCircuitBreaker(r4jBreaker)
                .withRetry(r4jRetry)
                .withRateLimiter(r4jLimiter)
                .decorate();

        failsafe = Failsafe.with(
                dev.failsafe.RateLimiter.<String>burstyBuilder(PERMITS_PER_SECOND, Duration.ofSeconds(1)).build(),
                RetryPolicy.<String>builder().withMaxAttempts(3).withDelay(BACKOFF).build(),
                dev.failsafe.CircuitBreaker.<String>builder().withFailureRateThreshold(50, 100, Duration.ofMinutes(1)).build());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        infra.close();
        tickingInfra.close();
    }

    @Benchmark
    public Result<String> bulwarkProtection() {
        return infra.executeProtected(protection, BULWARK_CALL);
    }

    @Benchmark
    public Result<String> bulwarkNamed() {
        return infra.executeProtected("search", BULWARK_CALL);
    }

    @Benchmark
    public Result<String> bulwarkProtectionTickingClock() {
        return tickingInfra.executeProtected(protection, BULWARK_CALL);
    }

    @Benchmark
    public Result<String> bulwarkNamedTickingClock() {
        return tickingInfra.executeProtected("search", BULWARK_CALL);
    }

    @Benchmark
    public Result<String> bulwarkPartsByHand() {
        if (!limiter.tryAcquire("user-1", "search", rule)) {
            return null;
        }
        return retry.apply(() -> breaker.execute(BULWARK_CALL));
    }

    @Benchmark
    public String resilience4jDecorators() {
        return resilience4j.get();
    }

    @Benchmark
    public String failsafeExecutor() {
        return failsafe.get(FAILSAFE_CALL);
    }
}
