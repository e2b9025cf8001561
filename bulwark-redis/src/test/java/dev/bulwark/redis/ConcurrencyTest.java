package dev.bulwark.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.ratelimit.Algorithm;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.redis.support.RedisAvailability;
import dev.bulwark.redis.support.RequiresRedis;
import dev.bulwark.redis.support.TestRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Many threads of one process on one key, synchronous and asynchronous calls mixed, with costs of
 * 1 to 3 and two rules checked together: the units admitted are exactly the tighter rule's limit,
 * and the looser rule recorded exactly the same (all or nothing). Windows of a day: nothing refills
 * during the run.
 */
@RequiresRedis
class ConcurrencyTest {

    private static final int THREADS = 16;
    private static final int ATTEMPTS = 40;

    private TestRedis redis;
    private RedisLimitStore store;

    @BeforeEach
    void setUp() {
        redis = new TestRedis();
        store = RedisLimitStore.builder().uri(RedisAvailability.URI).keyPrefix(redis.prefix())
                .commandTimeout(Duration.ofSeconds(10)).failurePolicy(FailurePolicy.FAIL_CLOSED).build();
    }

    @AfterEach
    void tearDown() {
        store.close();
        redis.close();
    }

    @ParameterizedTest
    @EnumSource(value = Algorithm.class, names = {"SLIDING_WINDOW", "TOKEN_BUCKET", "GCRA"})
    void manyThreadsOnOneKeyAdmitExactlyTheLimitAcrossBothRules(Algorithm algorithm) throws Exception {
        RateLimit tight = RateLimit.of("tight", 100, Duration.ofDays(1), algorithm);
        RateLimit loose = RateLimit.of("loose", 1_000, Duration.ofDays(2), algorithm);
        List<RateLimit> both = List.of(tight, loose);
        AtomicLong units = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            done.add(CompletableFuture.runAsync(() -> {
                await(start);
                for (int i = 0; i < ATTEMPTS; i++) {
                    long cost = 1 + (i + thread) % 3;
                    boolean allowed = thread % 2 == 0
                            ? store.acquire("hot", "op", both, cost).allowed()
                            : store.acquireAsync("hot", "op", both, cost).toCompletableFuture().join().allowed();
                    if (allowed) {
                        units.addAndGet(cost);
                    }
                }
            }, command -> new Thread(command).start()));
        }
        start.countDown();
        CompletableFuture.allOf(done.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);

        assertThat(units.get()).isBetween(tight.limit() - 2, tight.limit());
        assertThat(store.peek("hot", "op", List.of(tight)).remaining()).isEqualTo(tight.limit() - units.get());
        assertThat(store.peek("hot", "op", List.of(loose)).remaining()).isEqualTo(loose.limit() - units.get());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
