package dev.bulwark.benchmarks.pipeline;

import dev.bulwark.Infrastructure;
import dev.bulwark.Protection;
import dev.bulwark.Result;
import dev.bulwark.ThrowingSupplier;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.pipeline.AdaptiveConcurrency;
import dev.bulwark.pipeline.AdaptiveConcurrencyConfig;
import dev.bulwark.pipeline.Bulkhead;
import dev.bulwark.pipeline.BulkheadConfig;
import dev.bulwark.pipeline.HedgeConfig;
import dev.bulwark.pipeline.PolicyContext;
import dev.bulwark.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the tail-latency stages cost when they have nothing to do, each beside the same path
 * without them (the difference is the stage's cost):
 *
 * <ul>
 *   <li>{@code adaptiveAcquireRelease*}: {@code tryAcquire()} then {@code onSuccess(permit)} of an
 *       {@link AdaptiveConcurrency} limit far above the load, on the system clock and on a clock
 *       frozen at one instant (the limit's own cost without the two clock reads);
 *       {@code bulkheadPermitBaseline} is the bulkhead's permit pair, the simplest concurrency gate;</li>
 *   <li>{@code asyncBreaker} / {@code asyncHedgedBreaker}: {@code executeProtectedAsync} of an
 *       operation whose future is already complete, through a breaker, without and with a hedge
 *       stage (delay 10 ms) in front of it: the hedge's cost when the first attempt answers
 *       before the delay;</li>
 *   <li>{@code syncBreakerDirect} / {@code syncHedgedBreakerDirect}: the synchronous form on an
 *       infrastructure whose executor runs tasks on the calling thread (the stage's own work,
 *       without a thread handoff);</li>
 *   <li>{@code syncHedgedBreakerPooled} / {@code syncAttemptTimeoutPooled}: the synchronous form
 *       on the default executor, where every attempt is handed to a pool thread (the hedge's
 *       design: a hedge can answer while the first attempt is still blocked), beside the attempt
 *       timeout, which hands the call over the same way.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TailLatencyBenchmark {

    private static final ThrowingSupplier<String> OPERATION = () -> "ok";
    private static final CompletableFuture<String> DONE = CompletableFuture.completedFuture("ok");
    private static final Supplier<CompletionStage<String>> ASYNC_OPERATION = () -> DONE;

    private Infrastructure infra;
    private Infrastructure direct;
    private AdaptiveConcurrency adaptive;
    private AdaptiveConcurrency adaptiveFrozen;
    private Bulkhead bulkhead;
    private Protection breaker;
    private Protection hedgedBreaker;
    private Protection attemptTimeout;

    /** A clock stuck at one instant. */
    static final class FrozenClock implements Clock {
        @Override
        public long nanoTime() {
            return 1_000_000_000_000L;
        }

        @Override
        public long currentTimeMillis() {
            return 0;
        }
    }

    @Setup
    public void setUp() {
        infra = Infrastructure.builder().build();
        direct = Infrastructure.builder().executor(Runnable::run).build();
        AdaptiveConcurrencyConfig roomy = AdaptiveConcurrencyConfig.builder().initialLimit(1_000_000)
                .limits(1_000_000, 1_000_000).build();
        adaptive = AdaptiveConcurrency.of("bench", roomy, infra.policyContext());
        adaptiveFrozen = AdaptiveConcurrency.of("frozen", roomy,
                PolicyContext.builder().clock(new FrozenClock()).build());
        bulkhead = Bulkhead.of("bench", BulkheadConfig.of(1_000_000), infra.policyContext());
        CircuitBreakerConfig fuse = CircuitBreakerConfig.defaults();
        breaker = Protection.builder().circuitBreaker("bench", fuse).build();
        hedgedBreaker = Protection.builder()
                .hedge(HedgeConfig.builder().idempotent().delay(Duration.ofMillis(10)).build())
                .circuitBreaker("bench", fuse).build();
        attemptTimeout = Protection.builder().circuitBreaker("bench", fuse)
                .attemptTimeout(Duration.ofSeconds(1)).build();
    }

    @TearDown
    public void tearDown() {
        infra.close();
        direct.close();
    }

    @Benchmark
    public long adaptiveAcquireReleaseSystemClock() {
        long permit = adaptive.tryAcquire();
        adaptive.onSuccess(permit);
        return permit;
    }

    @Benchmark
    public long adaptiveAcquireReleaseFrozenClock() {
        long permit = adaptiveFrozen.tryAcquire();
        adaptiveFrozen.onSuccess(permit);
        return permit;
    }

    @Benchmark
    public boolean bulkheadPermitBaseline() {
        boolean admitted = bulkhead.tryAcquirePermit();
        bulkhead.releasePermit();
        return admitted;
    }

    @Benchmark
    public CompletionStage<Result<String>> asyncBreaker() {
        return direct.executeProtectedAsync(breaker, ASYNC_OPERATION);
    }

    @Benchmark
    public CompletionStage<Result<String>> asyncHedgedBreaker() {
        return direct.executeProtectedAsync(hedgedBreaker, ASYNC_OPERATION);
    }

    @Benchmark
    public Result<String> syncBreakerDirect() {
        return direct.executeProtected(breaker, OPERATION);
    }

    @Benchmark
    public Result<String> syncHedgedBreakerDirect() {
        return direct.executeProtected(hedgedBreaker, OPERATION);
    }

    @Benchmark
    public Result<String> syncHedgedBreakerPooled() {
        return infra.executeProtected(hedgedBreaker, OPERATION);
    }

    @Benchmark
    public Result<String> syncAttemptTimeoutPooled() {
        return infra.executeProtected(attemptTimeout, OPERATION);
    }
}
