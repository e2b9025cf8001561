package dev.bulwark.benchmarks.circuit;

import dev.bulwark.Infrastructure;
import dev.bulwark.Result;
import dev.bulwark.ThrowingSupplier;
import dev.bulwark.circuit.CircuitBreaker;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.function.CheckedSupplier;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowSynchronizationStrategy;
import java.time.Duration;
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
 * The closed success path: a trivial call through a closed breaker, every outcome a success. One
 * breaker per configuration shared by all benchmark threads (run with {@code -t 1} and {@code -t 2}).
 *
 * <p>Peers are used the fastest way each offers: Resilience4j through a supplier decorated once,
 * Failsafe through an executor built once (and, separately, its bare permit API).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class ClosedCallBenchmark {

    private static final ThrowingSupplier<String> BULWARK_OPERATION = () -> "ok";
    private static final Supplier<String> SUPPLIER = () -> "ok";
    private static final CheckedSupplier<String> FAILSAFE_OPERATION = () -> "ok";

    private Infrastructure infra;
    /** The same breakers on a {@link dev.bulwark.time.TickingClock} of 1 ms: a clock read is a memory load. */
    private Infrastructure tickingInfra;
    private CircuitBreaker bulwarkTimeRateTicking;
    private CircuitBreaker bulwarkFuse;
    private CircuitBreaker bulwarkCountRate;
    private CircuitBreaker bulwarkTimeRate;
    private dev.failsafe.CircuitBreaker<String> failsafeBreaker;
    private FailsafeExecutor<String> failsafe;
    private Supplier<String> resilience4jCount;
    private Supplier<String> resilience4jCountLockFree;
    private Supplier<String> resilience4jTime;
    private Supplier<String> resilience4jTimeLockFree;

    @Setup
    public void setUp() {
        infra = Infrastructure.builder().build();
        bulwarkFuse = Breakers.bulwarkFuse(infra);
        bulwarkCountRate = Breakers.bulwarkCountRate(infra);
        bulwarkTimeRate = Breakers.bulwarkTimeRate(infra);
        tickingInfra = Infrastructure.builder().tickingClock(Duration.ofMillis(1)).build();
        bulwarkTimeRateTicking = Breakers.bulwarkTimeRate(tickingInfra);
        failsafeBreaker = Breakers.failsafeTimeThreshold();
        failsafe = Breakers.failsafeExecutor(failsafeBreaker);
        resilience4jCount = io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateSupplier(
                Breakers.resilience4jCountBased(SlidingWindowSynchronizationStrategy.SYNCHRONIZED, true), SUPPLIER);
        resilience4jCountLockFree = io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateSupplier(
                Breakers.resilience4jCountBased(SlidingWindowSynchronizationStrategy.LOCK_FREE, true), SUPPLIER);
        resilience4jTime = io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateSupplier(
                Breakers.resilience4jTimeBased(SlidingWindowSynchronizationStrategy.SYNCHRONIZED, true), SUPPLIER);
        resilience4jTimeLockFree = io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateSupplier(
                Breakers.resilience4jTimeBased(SlidingWindowSynchronizationStrategy.LOCK_FREE, true), SUPPLIER);
    }

    @TearDown
    public void tearDown() {
        infra.close();
        tickingInfra.close();
    }

    // fuse count policy vs Failsafe's time-based failure threshold

    @Benchmark
    public String fuseBulwarkCall() {
        return bulwarkFuse.call(BULWARK_OPERATION);
    }

    @Benchmark
    public Result<String> fuseBulwarkExecute() {
        return bulwarkFuse.execute(BULWARK_OPERATION);
    }

    @Benchmark
    public boolean fuseBulwarkPermit() {
        boolean admitted = bulwarkFuse.tryAcquire();
        bulwarkFuse.onSuccess(0L);
        return admitted;
    }

    @Benchmark
    public String fuseFailsafe() {
        return failsafe.get(FAILSAFE_OPERATION);
    }

    @Benchmark
    public boolean fuseFailsafePermit() {
        boolean admitted = failsafeBreaker.tryAcquirePermit();
        failsafeBreaker.recordSuccess();
        return admitted;
    }

    // failure rate over the last 100 calls vs Resilience4j COUNT_BASED

    @Benchmark
    public String countBulwarkCall() {
        return bulwarkCountRate.call(BULWARK_OPERATION);
    }

    @Benchmark
    public Result<String> countBulwarkExecute() {
        return bulwarkCountRate.execute(BULWARK_OPERATION);
    }

    @Benchmark
    public String countResilience4j() {
        return resilience4jCount.get();
    }

    @Benchmark
    public String countResilience4jLockFree() {
        return resilience4jCountLockFree.get();
    }

    // failure rate over the last 60 s vs Resilience4j TIME_BASED

    @Benchmark
    public String timeBulwarkCall() {
        return bulwarkTimeRate.call(BULWARK_OPERATION);
    }

    @Benchmark
    public String timeBulwarkCallTickingClock() {
        return bulwarkTimeRateTicking.call(BULWARK_OPERATION);
    }

    @Benchmark
    public Result<String> timeBulwarkExecute() {
        return bulwarkTimeRate.execute(BULWARK_OPERATION);
    }

    @Benchmark
    public String timeResilience4j() {
        return resilience4jTime.get();
    }

    @Benchmark
    public String timeResilience4jLockFree() {
        return resilience4jTimeLockFree.get();
    }
}
