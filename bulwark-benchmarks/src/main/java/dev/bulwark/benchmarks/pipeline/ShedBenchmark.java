package dev.bulwark.benchmarks.pipeline;

import dev.bulwark.Infrastructure;
import dev.bulwark.Protection;
import dev.bulwark.Result;
import dev.bulwark.ThrowingSupplier;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.circuit.SlidingWindow;
import dev.bulwark.pipeline.RetryConfig;
import dev.bulwark.ratelimit.RateLimit;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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
 * What the {@code shed} stage costs while memory pressure is NORMAL: the same protections with and
 * without it, in the same run. Target: at most 5 ns more.
 *
 * <ul>
 *   <li>{@code pipeline} / {@code pipelineWithShed}: rate limit → retry → circuit breaker (the
 *       configuration of {@link PipelineBenchmark}), and the same with {@code .shed()};</li>
 *   <li>{@code breaker} / {@code breakerWithShed}: a circuit breaker alone, and with {@code .shed()}
 *       (the smallest protection, where the stage's share is largest).</li>
 * </ul>
 * Every call is admitted and succeeds; the infrastructure reads the JVM's heap, whose level is
 * NORMAL throughout.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ShedBenchmark {

    private static final ThrowingSupplier<String> CALL = () -> "ok";

    private Infrastructure infra;
    private Protection pipeline;
    private Protection pipelineWithShed;
    private Protection breaker;
    private Protection breakerWithShed;

    @Setup(Level.Trial)
    public void setUp() {
        infra = Infrastructure.builder().build();
        pipeline = Protection.builder()
                .rateLimit("user-1", "search", RateLimit.of("search", PipelineBenchmark.PERMITS_PER_SECOND, Duration.ofSeconds(1)))
                .retry(RetryConfig.builder().maxAttempts(3).fixedBackoff(PipelineBenchmark.BACKOFF).build())
                .circuitBreaker("bench", CircuitBreakerConfig.builder()
                        .failureRate(50, SlidingWindow.ofCalls(100), 100).build())
                .build();
        pipelineWithShed = pipeline.toBuilder().shed().build();
        breaker = Protection.builder().circuitBreaker("alone", CircuitBreakerConfig.builder()
                .failureRate(50, SlidingWindow.ofCalls(100), 100).build()).build();
        breakerWithShed = breaker.toBuilder().shed().build();
        if (infra.memory().level() != dev.bulwark.memory.MemoryPressure.NORMAL) {
            throw new IllegalStateException("memory pressure is " + infra.memory().level() + ", not NORMAL");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        infra.close();
    }

    @Benchmark
    public Result<String> pipeline() {
        return infra.executeProtected(pipeline, CALL);
    }

    @Benchmark
    public Result<String> pipelineWithShed() {
        return infra.executeProtected(pipelineWithShed, CALL);
    }

    @Benchmark
    public Result<String> breaker() {
        return infra.executeProtected(breaker, CALL);
    }

    @Benchmark
    public Result<String> breakerWithShed() {
        return infra.executeProtected(breakerWithShed, CALL);
    }
}
