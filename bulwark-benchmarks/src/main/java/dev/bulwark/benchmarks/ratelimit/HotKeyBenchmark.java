package dev.bulwark.benchmarks.ratelimit;

import dev.bulwark.Infrastructure;
import dev.bulwark.Result;
import dev.bulwark.ratelimit.Decision;
import dev.bulwark.ratelimit.InMemoryLimitStore;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.time.Clock;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
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
 * One hot key, allowed path: every call is admitted (the limits are far above the achievable
 * rate), so each measures the cost of a permit. Run with {@code -t 1} and {@code -t 2}: with two
 * threads every library contends on its one state.
 *
 * <ul>
 * <li>{@code bulwarkTryAcquire}: {@code RateLimiter.tryAcquire(entity, operation, rule)}, the keyed
 * primitive path (key lookup included), default algorithm (sliding window);</li>
 * <li>{@code bulwarkCheckRate}: the same through {@code checkRate}, returning {@code Result<Decision>};</li>
 * <li>{@code bulwarkGcraTryAcquire}: the keyed primitive path with GCRA (one word of state);</li>
 * <li>{@code bulwarkStoreFrozenClock}: the store's primitive path on a clock that does not move
 * (Bulwark's own cost, without the clock read);</li>
 * <li>{@code bulwarkTryAcquireTickingClock}: the keyed primitive path on an infrastructure built
 * with {@code tickingClock(1 ms)}, whose clock reads cost a memory load;</li>
 * <li>{@code bulwarkTryAcquireFrozenClock}: {@code RateLimiter.tryAcquire} on a store with the
 * frozen clock (the keyed API's own cost, without the clock read);</li>
 * <li>{@code baselineNanoTime}: {@code System.nanoTime()} alone, the clock read all of them pay;</li>
 * <li>peers without any key lookup: a bare Bucket4j bucket, Resilience4j's
 * {@code AtomicRateLimiter}, Guava's {@code RateLimiter}, Failsafe's bursty {@code RateLimiter}.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HotKeyBenchmark {

    /** One per nanosecond (the most Bucket4j accepts): far above what a core reaches, so every call is admitted. */
    static final long PERMITS_PER_SECOND = 1_000_000_000L;

    private static final RateLimit RULE = RateLimit.of("hot", PERMITS_PER_SECOND, Duration.ofSeconds(1));
    private static final RateLimit GCRA = RULE.withAlgorithm(dev.bulwark.ratelimit.Algorithm.GCRA);

    private Infrastructure infra;
    /** An infrastructure on a {@link dev.bulwark.time.TickingClock} of 1 ms: a clock read is a memory load. */
    private Infrastructure tickingInfra;
    private RateLimiter tickingLimiter;
    private InMemoryLimitStore frozenStore;
    private RateLimiter frozenLimiter;
    private RateLimiter limiter;
    private Bucket bucket4j;
    private AtomicRateLimiter resilience4j;
    private com.google.common.util.concurrent.RateLimiter guava;
    private dev.failsafe.RateLimiter<Object> failsafe;

    @Setup(Level.Trial)
    public void setUp() {
        infra = Infrastructure.builder().build();
        limiter = infra.rateLimiter();
        tickingInfra = Infrastructure.builder().tickingClock(Duration.ofMillis(1)).build();
        tickingLimiter = tickingInfra.rateLimiter();
        FrozenClock frozen = new FrozenClock();
        frozenStore = InMemoryLimitStore.builder().clock(frozen).build();
        frozenLimiter = RateLimiter.builder(InMemoryLimitStore.builder().clock(frozen).build()).clock(frozen).ownsStore(true).build();
        bucket4j = Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(PERMITS_PER_SECOND).refillGreedy(PERMITS_PER_SECOND, Duration.ofSeconds(1)).build())
                .build();
        resilience4j = new AtomicRateLimiter("hot", RateLimiterConfig.custom()
                .limitForPeriod((int) PERMITS_PER_SECOND)
                .limitRefreshPeriod(Duration.ofSeconds(1))
                .timeoutDuration(Duration.ZERO)
                .build());
        guava = com.google.common.util.concurrent.RateLimiter.create(PERMITS_PER_SECOND);
        failsafe = dev.failsafe.RateLimiter.burstyBuilder(PERMITS_PER_SECOND, Duration.ofSeconds(1)).build();
    }

    /** A clock stuck at one instant (the rule's limit is far above the calls of one benchmark run). */
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

    @TearDown(Level.Trial)
    public void tearDown() {
        frozenLimiter.close();
        infra.close();
        tickingInfra.close();
    }

    /** The floor every limiter here pays: one read of the monotonic clock. */
    @Benchmark
    public long baselineNanoTime() {
        return System.nanoTime();
    }

    @Benchmark
    public boolean bulwarkTryAcquire() {
        return limiter.tryAcquire("user-1", "search", RULE);
    }

    @Benchmark
    public Result<Decision> bulwarkCheckRate() {
        return limiter.checkRate("user-1", "search", RULE);
    }

    @Benchmark
    public boolean bulwarkGcraTryAcquire() {
        return limiter.tryAcquire("user-1", "search", GCRA);
    }

    /**
     * The keyed primitive path of the store on a clock that always answers the same instant: what
     * Bulwark itself costs, without the clock read.
     */
    @Benchmark
    public long bulwarkStoreFrozenClock() {
        return frozenStore.tryAcquire("user-1", "search", RULE, 1);
    }

    /** The keyed primitive path on an infrastructure built with {@code tickingClock(1 ms)}. */
    @Benchmark
    public boolean bulwarkTryAcquireTickingClock() {
        return tickingLimiter.tryAcquire("user-1", "search", RULE);
    }

    /**
     * The keyed primitive path through {@code RateLimiter.tryAcquire} on a frozen clock: the whole
     * keyed API's own cost (the limiter's telemetry check and the store call included), without
     * the clock read.
     */
    @Benchmark
    public boolean bulwarkTryAcquireFrozenClock() {
        return frozenLimiter.tryAcquire("user-1", "search", RULE);
    }

    @Benchmark
    public boolean bucket4jBareBucket() {
        return bucket4j.tryConsume(1);
    }

    @Benchmark
    public boolean resilience4jAtomicRateLimiter() {
        return resilience4j.acquirePermission();
    }

    @Benchmark
    public boolean guavaRateLimiter() {
        return guava.tryAcquire();
    }

    @Benchmark
    public boolean failsafeRateLimiter() {
        return failsafe.tryAcquirePermit();
    }
}
