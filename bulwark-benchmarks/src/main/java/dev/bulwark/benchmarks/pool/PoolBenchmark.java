package dev.bulwark.benchmarks.pool;

import dev.bulwark.Infrastructure;
import dev.bulwark.Result;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.pool.Lease;
import dev.bulwark.pool.Pool;
import dev.bulwark.pool.PoolConfig;
import dev.bulwark.pool.Pools;
import dev.bulwark.pool.ResourceFactory;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
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
 * What a Bulwark pool adds to Commons Pool 2, its engine (issue 12's targets: the round trip at
 * most 15 % over bare Commons Pool; a rejection while the creation breaker is open at most 1 µs).
 * Every pool holds 8 trivial resources and is never exhausted at 1 or 2 threads, so each figure is
 * the cost of the pooling itself:
 *
 * <ul>
 *   <li>{@code commonsBorrowReturn}: bare {@code GenericObjectPool} (maxTotal 8, the defaults
 *       otherwise: no validation, evictor off), {@code borrowObject()} then {@code returnObject()};</li>
 *   <li>{@code bulwarkWithResource}: {@code pool.withResource(r -> r.token)}, the same pool
 *       size, on an infrastructure with the system clock (checkout timeout 1 s: the place, the
 *       breaker permit, Commons Pool's borrow, the lease, the return);</li>
 *   <li>{@code bulwarkCheckoutCheckin}: {@code checkout(ZERO)} then {@code lease.checkin()};</li>
 *   <li>{@code bulwarkBreakerOpenRejection}: {@code checkout} on a pool whose factory fails and
 *       whose breaker is open (half-open after an hour): the 7102 answer, built with its context;</li>
 * </ul>
 *
 * <p>Run: {@code java -jar bulwark-benchmarks/target/bulwark-benchmarks.jar 'PoolBenchmark' -t 1 -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc}
 * (and {@code -t 2}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PoolBenchmark {

    static final int SIZE = 8;

    /** A trivial resource. */
    public static final class Resource {
        public final int token;

        Resource(int token) {
            this.token = token;
        }
    }

    private final AtomicInteger tokens = new AtomicInteger();
    private Infrastructure infra;
    private Pool<Resource> pool;
    private Pool<Resource> broken;
    private GenericObjectPool<Resource> commons;

    @Setup
    public void setUp() throws Exception {
        ResourceFactory<Resource> factory = () -> new Resource(tokens.incrementAndGet());
        ResourceFactory<Resource> failing = () -> {
            throw new IOException("connection refused");
        };
        infra = Infrastructure.builder()
                .install(Pools.builder()
                        .pool("bench", factory, PoolConfig.builder().maxSize(SIZE).build())
                        .pool("broken", failing, PoolConfig.builder().maxSize(SIZE)
                                .breaker(CircuitBreakerConfig.builder().consecutiveFailures(1)
                                        .halfOpen(Duration.ofHours(1), 1, 1).build())
                                .build())
                        .asModule())
                .build();
        Pools pools = infra.component(Pools.class).orElseThrow();
        pool = pools.pool("bench");
        broken = pools.pool("broken");
        broken.checkout(Duration.ZERO); // the creation failure that opens its breaker
        if (broken.checkout(Duration.ZERO).errValue().map(e -> !"breaker_open".equals(e.context().get("reason")))
                .orElse(true)) {
            throw new IllegalStateException("the broken pool's breaker did not open");
        }

        GenericObjectPoolConfig<Resource> config = new GenericObjectPoolConfig<>();
        config.setMaxTotal(SIZE);
        config.setMaxIdle(SIZE);
        config.setJmxEnabled(false);
        commons = new GenericObjectPool<>(new BasePooledObjectFactory<>() {
            @Override
            public Resource create() {
                return new Resource(tokens.incrementAndGet());
            }

            @Override
            public PooledObject<Resource> wrap(Resource resource) {
                return new DefaultPooledObject<>(resource);
            }
        }, config);
    }

    @TearDown
    public void tearDown() {
        commons.close();
        infra.close();
    }

    @Benchmark
    public int commonsBorrowReturn() throws Exception {
        Resource resource = commons.borrowObject();
        int token = resource.token;
        commons.returnObject(resource);
        return token;
    }

    @Benchmark
    public Result<Integer> bulwarkWithResource() {
        return pool.withResource(r -> r.token);
    }

    @Benchmark
    public int bulwarkCheckoutCheckin() {
        Lease<Resource> lease = pool.checkout(Duration.ZERO).getOrThrow();
        int token = lease.resource().token;
        lease.checkin();
        return token;
    }

    @Benchmark
    public Result<Lease<Resource>> bulwarkBreakerOpenRejection() {
        return broken.checkout(Duration.ZERO);
    }
}
