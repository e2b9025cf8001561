package dev.bulwark.benchmarks.circuit;

import dev.bulwark.Infrastructure;
import dev.bulwark.Result;
import dev.bulwark.ThrowingSupplier;
import dev.bulwark.circuit.CircuitBreaker;
import dev.bulwark.error.InfraException;
import dev.failsafe.CircuitBreakerOpenException;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.function.CheckedSupplier;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
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
 * The open rejection path: a call refused by an open breaker (open for 60 s, so it stays open for
 * the whole run). Each benchmark returns what the caller gets: Bulwark's 5004 {@code Err} or
 * exception (no stack trace), Resilience4j's {@code CallNotPermittedException} (its default fills
 * the stack trace; the {@code NoStackTrace} variants switch that off), Failsafe's
 * {@code CircuitBreakerOpenException}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class OpenRejectionBenchmark {

    private static final ThrowingSupplier<String> BULWARK_OPERATION = () -> "ok";
    private static final Supplier<String> SUPPLIER = () -> "ok";
    private static final CheckedSupplier<String> FAILSAFE_OPERATION = () -> "ok";

    private Infrastructure infra;
    /** The same breakers on a {@link dev.bulwark.time.TickingClock} of 1 ms: a clock read is a memory load. */
    private Infrastructure tickingInfra;
    private CircuitBreaker bulwarkFuseTicking;
    private CircuitBreaker bulwarkCountRateTicking;
    private CircuitBreaker bulwarkTimeRateTicking;
    private CircuitBreaker bulwarkFuse;
    private CircuitBreaker bulwarkCountRate;
    private CircuitBreaker bulwarkTimeRate;
    private dev.failsafe.CircuitBreaker<String> failsafeBreaker;
    private FailsafeExecutor<String> failsafe;
    private Supplier<String> resilience4jCount;
    private Supplier<String> resilience4jCountNoStackTrace;
    private Supplier<String> resilience4jTime;
    private Supplier<String> resilience4jTimeNoStackTrace;

    @Setup
    public void setUp() {
        infra = Infrastructure.builder().build();
        bulwarkFuse = trip(Breakers.bulwarkFuse(infra));
        bulwarkCountRate = trip(Breakers.bulwarkCountRate(infra));
        bulwarkTimeRate = trip(Breakers.bulwarkTimeRate(infra));
        tickingInfra = Infrastructure.builder().tickingClock(Duration.ofMillis(1)).build();
        bulwarkFuseTicking = trip(Breakers.bulwarkFuse(tickingInfra));
        bulwarkCountRateTicking = trip(Breakers.bulwarkCountRate(tickingInfra));
        bulwarkTimeRateTicking = trip(Breakers.bulwarkTimeRate(tickingInfra));
        failsafeBreaker = Breakers.failsafeTimeThreshold();
        failsafeBreaker.open();
        failsafe = Breakers.failsafeExecutor(failsafeBreaker);
        resilience4jCount = openResilience4j(
                Breakers.resilience4jCountBased(SlidingWindowSynchronizationStrategy.SYNCHRONIZED, true));
        resilience4jCountNoStackTrace = openResilience4j(
                Breakers.resilience4jCountBased(SlidingWindowSynchronizationStrategy.SYNCHRONIZED, false));
        resilience4jTime = openResilience4j(
                Breakers.resilience4jTimeBased(SlidingWindowSynchronizationStrategy.SYNCHRONIZED, true));
        resilience4jTimeNoStackTrace = openResilience4j(
                Breakers.resilience4jTimeBased(SlidingWindowSynchronizationStrategy.SYNCHRONIZED, false));
    }

    /** Opens a Bulwark breaker the way production does: by failing calls until a policy trips. */
    private static CircuitBreaker trip(CircuitBreaker breaker) {
        for (int i = 0; i < 1_000 && breaker.state() == dev.bulwark.circuit.State.CLOSED; i++) {
            breaker.execute(() -> {
                throw new java.io.IOException("down");
            });
        }
        if (breaker.state() != dev.bulwark.circuit.State.OPEN) {
            throw new IllegalStateException(breaker + " did not open");
        }
        return breaker;
    }

    private static Supplier<String> openResilience4j(io.github.resilience4j.circuitbreaker.CircuitBreaker breaker) {
        breaker.transitionToOpenState();
        return io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateSupplier(breaker, SUPPLIER);
    }

    @TearDown
    public void tearDown() {
        infra.close();
        tickingInfra.close();
    }

    // fuse count policy vs Failsafe's time-based failure threshold

    @Benchmark
    public Object fuseBulwarkCall() {
        try {
            return bulwarkFuse.call(BULWARK_OPERATION);
        } catch (InfraException rejected) {
            return rejected;
        }
    }

    @Benchmark
    public Object fuseBulwarkCallTickingClock() {
        try {
            return bulwarkFuseTicking.call(BULWARK_OPERATION);
        } catch (InfraException rejected) {
            return rejected;
        }
    }

    @Benchmark
    public Result<String> fuseBulwarkExecute() {
        return bulwarkFuse.execute(BULWARK_OPERATION);
    }

    @Benchmark
    public boolean fuseBulwarkPermit() {
        return bulwarkFuse.tryAcquire();
    }

    @Benchmark
    public Object fuseFailsafe() {
        try {
            return failsafe.get(FAILSAFE_OPERATION);
        } catch (CircuitBreakerOpenException rejected) {
            return rejected;
        }
    }

    @Benchmark
    public boolean fuseFailsafePermit() {
        return failsafeBreaker.tryAcquirePermit();
    }

    // failure rate over the last 100 calls vs Resilience4j COUNT_BASED

    @Benchmark
    public Object countBulwarkCall() {
        try {
            return bulwarkCountRate.call(BULWARK_OPERATION);
        } catch (InfraException rejected) {
            return rejected;
        }
    }

    @Benchmark
    public Object countBulwarkCallTickingClock() {
        try {
            return bulwarkCountRateTicking.call(BULWARK_OPERATION);
        } catch (InfraException rejected) {
            return rejected;
        }
    }

    @Benchmark
    public Result<String> countBulwarkExecute() {
        return bulwarkCountRate.execute(BULWARK_OPERATION);
    }

    @Benchmark
    public Object countResilience4j() {
        try {
            return resilience4jCount.get();
        } catch (CallNotPermittedException rejected) {
            return rejected;
        }
    }

    @Benchmark
    public Object countResilience4jNoStackTrace() {
        try {
            return resilience4jCountNoStackTrace.get();
        } catch (CallNotPermittedException rejected) {
            return rejected;
        }
    }

    // failure rate over the last 60 s vs Resilience4j TIME_BASED

    @Benchmark
    public Object timeBulwarkCall() {
        try {
            return bulwarkTimeRate.call(BULWARK_OPERATION);
        } catch (InfraException rejected) {
            return rejected;
        }
    }

    @Benchmark
    public Object timeBulwarkCallTickingClock() {
        try {
            return bulwarkTimeRateTicking.call(BULWARK_OPERATION);
        } catch (InfraException rejected) {
            return rejected;
        }
    }

    @Benchmark
    public Result<String> timeBulwarkExecute() {
        return bulwarkTimeRate.execute(BULWARK_OPERATION);
    }

    @Benchmark
    public Object timeResilience4j() {
        try {
            return resilience4jTime.get();
        } catch (CallNotPermittedException rejected) {
            return rejected;
        }
    }

    @Benchmark
    public Object timeResilience4jNoStackTrace() {
        try {
            return resilience4jTimeNoStackTrace.get();
        } catch (CallNotPermittedException rejected) {
            return rejected;
        }
    }
}
