package dev.bulwark.benchmarks.ratelimit;

import dev.bulwark.Infrastructure;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.ratelimit.RateLimiter;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
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
 * Random keys among {@value #KEYS}: each call picks a pre-built entity id at random (a per-thread
 * xorshift, the same sequence for both) and takes one permit for it. Every key is created in setup,
 * so this measures lookups and updates spread over a table much larger than the CPU caches.
 *
 * <ul>
 * <li>{@code bulwark}: {@code RateLimiter.tryAcquire(entity, operation, rule)}, default algorithm;</li>
 * <li>{@code bucket4jMap}: a Bucket4j bucket per key in a {@code ConcurrentHashMap}
 * ({@code computeIfAbsent(key, newBucket).tryConsume(1)}), the usual way to key Bucket4j.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class RandomKeysBenchmark {

    static final int KEYS = 100_000;
    private static final long PERMITS = 1_000_000_000L;
    private static final RateLimit RULE = RateLimit.of("random", PERMITS, Duration.ofSeconds(1));

    private Infrastructure infra;
    private RateLimiter limiter;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    private String[] entityIds;

    /** Per-thread random index source. */
    @State(Scope.Thread)
    public static class Picker {
        private int x = (int) System.nanoTime() | 1;

        int next() {
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            return (x & Integer.MAX_VALUE) % KEYS;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        infra = Infrastructure.builder().build();
        limiter = infra.rateLimiter();
        entityIds = new String[KEYS];
        for (int i = 0; i < KEYS; i++) {
            entityIds[i] = "user-" + i;
            limiter.tryAcquire(entityIds[i], "search", RULE);
            buckets.computeIfAbsent(entityIds[i], k -> newBucket()).tryConsume(1);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        infra.close();
    }

    static Bucket newBucket() {
        return Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(PERMITS).refillGreedy(PERMITS, Duration.ofSeconds(1)).build())
                .build();
    }

    @Benchmark
    public boolean bulwark(Picker picker) {
        return limiter.tryAcquire(entityIds[picker.next()], "search", RULE);
    }

    @Benchmark
    public boolean bucket4jMap(Picker picker) {
        return buckets.computeIfAbsent(entityIds[picker.next()], k -> newBucket()).tryConsume(1);
    }
}
