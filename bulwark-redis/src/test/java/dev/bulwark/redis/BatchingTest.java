package dev.bulwark.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.ratelimit.Algorithm;
import dev.bulwark.ratelimit.Decision;
import dev.bulwark.ratelimit.InMemoryLimitStore;
import dev.bulwark.ratelimit.LimitStoreUnavailableException;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.redis.support.RedisAvailability;
import dev.bulwark.redis.support.RequiresRedis;
import dev.bulwark.redis.support.TestRedis;
import dev.bulwark.testkit.TcpProxy;
import dev.bulwark.time.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Batching of concurrent decisions: many threads on one key are admitted exactly the limit; a burst
 * of requests mixing keys, rules and costs, which queue into batches, is decided exactly as the
 * unbatched store and the in-memory store decide the same requests one by one; an error on one key
 * fails only its own request; and when Redis fails under a batch, every waiter gets its failure
 * policy's answer within the command timeout.
 */
@RequiresRedis
class BatchingTest {

    private static final Duration TIMEOUT = Duration.ofMillis(250);
    /** Slack over the command timeout for a loaded machine: the bound checked is "no hang", not speed. */
    private static final Duration SLACK = Duration.ofMillis(750);

    private TestRedis redis;
    private final List<AutoCloseable> closeLater = new ArrayList<>();

    @BeforeEach
    void setUp() {
        redis = new TestRedis();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeLater) {
            c.close();
        }
        redis.close();
    }

    private <T extends AutoCloseable> T closing(T c) {
        closeLater.add(0, c);
        return c;
    }

    private RedisLimitStore.Builder builder() {
        return RedisLimitStore.builder().uri(RedisAvailability.URI).keyPrefix(redis.prefix());
    }

    @ParameterizedTest
    @EnumSource(value = Algorithm.class, names = {"FIXED_WINDOW", "SLIDING_WINDOW", "TOKEN_BUCKET", "GCRA"})
    void manyThreadsOnOneKeyAreAdmittedExactlyTheLimit(Algorithm algorithm) throws Exception {
        RedisLimitStore store = closing(builder().commandTimeout(Duration.ofSeconds(10))
                .failurePolicy(FailurePolicy.FAIL_CLOSED).denyCacheCapacity(0).maxBatchesInFlight(1).build());
        // an hour: nothing refills during the run, and small enough for the fast (batched) script
        RateLimit rule = RateLimit.of("hour", 300, Duration.ofHours(1), algorithm);
        int threads = 32;
        int attempts = 20;
        AtomicLong admitted = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            done.add(CompletableFuture.runAsync(() -> {
                awaitQuietly(start);
                for (int i = 0; i < attempts; i++) {
                    boolean allowed = thread % 3 == 0
                            ? store.acquireAsync("hot", "op", List.of(rule), 1).toCompletableFuture().join().allowed()
                            : store.acquire("hot", "op", List.of(rule), 1).allowed();
                    if (allowed) {
                        admitted.incrementAndGet();
                    }
                }
            }, command -> new Thread(command).start()));
        }
        start.countDown();
        CompletableFuture.allOf(done.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);

        assertThat(admitted.get()).isEqualTo(rule.limit());
        assertThat(store.peek("hot", "op", List.of(rule)).allowed()).isFalse();
        RedisLimitStore.Status status = store.status();
        assertThat(status.redisDecisions()).isEqualTo(threads * attempts + 1L);
        assertThat(status.batchedRequests()).isEqualTo(threads * attempts + 1L);
        assertThat(status.batchCalls()).as("calls for %d decisions", status.batchedRequests())
                .isLessThan(status.batchedRequests());
    }

    @Test
    void aBurstMixingKeysRulesAndCostsIsDecidedAsOneByOne() {
        ManualClock clock = new ManualClock();
        RedisLimitStore batched = closing(builder().clock(clock).useClientClockForTesting().denyCacheCapacity(0)
                .keyPrefix(redis.prefix() + "b:").maxBatchesInFlight(1).commandTimeout(Duration.ofSeconds(10))
                .failurePolicy(FailurePolicy.FAIL_CLOSED).build());
        RedisLimitStore unbatched = closing(builder().clock(clock).useClientClockForTesting().denyCacheCapacity(0)
                .keyPrefix(redis.prefix() + "u:").batching(false).commandTimeout(Duration.ofSeconds(10))
                .failurePolicy(FailurePolicy.FAIL_CLOSED).build());
        InMemoryLimitStore model = closing(InMemoryLimitStore.builder().clock(clock).build());
        List<List<RateLimit>> ruleSets = List.of(
                List.of(RateLimit.of(5, Duration.ofSeconds(1), Algorithm.FIXED_WINDOW)),
                List.of(RateLimit.of(7, Duration.ofSeconds(2), Algorithm.SLIDING_WINDOW)),
                List.of(RateLimit.of(6, Duration.ofSeconds(1), Algorithm.TOKEN_BUCKET)),
                List.of(RateLimit.of(4, Duration.ofSeconds(1), Algorithm.GCRA)),
                List.of(RateLimit.of(3, Duration.ofSeconds(1), Algorithm.LEAKY_BUCKET)),
                List.of(RateLimit.of(9, Duration.ofSeconds(1), Algorithm.TOKEN_BUCKET),
                        RateLimit.of(15, Duration.ofSeconds(4), Algorithm.SLIDING_WINDOW)));
        Random random = new Random(7);
        int requests = 0;
        for (int round = 0; round < 30; round++) {
            clock.advanceMillis(random.nextInt(600));
            // one thread submits a burst: the first request goes alone, the rest queue behind it
            // and go in batches, in submission order
            record Req(String entity, String op, List<RateLimit> rules, long cost, boolean peek) {
            }
            List<Req> burst = new ArrayList<>();
            List<CompletableFuture<Decision>> replies = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int set = random.nextInt(ruleSets.size());
                Req r = new Req("e" + random.nextInt(3), "op" + set, ruleSets.get(set), 1 + random.nextInt(3),
                        random.nextInt(6) == 0);
                burst.add(r);
                replies.add(r.peek
                        ? CompletableFuture.supplyAsync(() -> batched.peek(r.entity, r.op, r.rules), Runnable::run)
                        : batched.acquireAsync(r.entity, r.op, r.rules, r.cost).toCompletableFuture());
            }
            for (int i = 0; i < burst.size(); i++) {
                Req r = burst.get(i);
                Decision got = replies.get(i).join();
                Decision alone = r.peek ? unbatched.peek(r.entity, r.op, r.rules)
                        : unbatched.acquire(r.entity, r.op, r.rules, r.cost);
                Decision expected = r.peek ? model.peek(r.entity, r.op, r.rules)
                        : model.acquire(r.entity, r.op, r.rules, r.cost);
                assertThat(got).as("request %d of round %d: %s", i, round, r).isEqualTo(alone).isEqualTo(expected);
                requests++;
            }
        }
        RedisLimitStore.Status status = batched.status();
        assertThat(status.batchedRequests()).isEqualTo(requests);
        assertThat(status.batchCalls()).as("batches formed").isLessThan(requests);
    }

    @Test
    void aKeyThatIsNotAHashFailsOnlyItsOwnRequestOfABatch() {
        RedisLimitStore store = closing(builder().maxBatchesInFlight(1).denyCacheCapacity(0)
                .commandTimeout(Duration.ofSeconds(10)).failurePolicy(FailurePolicy.FAIL_CLOSED).build());
        RateLimit rule = RateLimit.of(100, Duration.ofMinutes(1), Algorithm.TOKEN_BUCKET);
        redis.commands().set(redis.prefix() + "{broken}:op", "not a hash");
        List<CompletableFuture<Decision>> replies = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            replies.add(store.acquireAsync(i % 10 == 5 ? "broken" : "fine" + (i % 4), "op", List.of(rule), 1)
                    .toCompletableFuture());
        }
        for (int i = 0; i < replies.size(); i++) {
            CompletableFuture<Decision> reply = replies.get(i);
            if (i % 10 == 5) {
                assertThatThrownBy(reply::join).isInstanceOf(CompletionException.class)
                        .hasCauseInstanceOf(LimitStoreUnavailableException.class)
                        .hasMessageContaining("(error)");
            } else {
                assertThat(reply.join().allowed()).isTrue();
            }
        }
        assertThat(store.peek("fine0", "op", List.of(rule)).remaining()).isEqualTo(90);
    }

    enum Outage { CUT, BLACKHOLE }

    @ParameterizedTest
    @EnumSource(Outage.class)
    void whenRedisFailsUnderABatchEveryWaiterGetsItsPolicysAnswerWithinTheTimeout(Outage outage) throws Exception {
        TcpProxy proxy = closing(new TcpProxy(RedisAvailability.HOST, RedisAvailability.PORT));
        RedisLimitStore store = closing(RedisLimitStore.builder().uri(proxy.uri()).keyPrefix(redis.prefix())
                .commandTimeout(TIMEOUT).connectTimeout(TIMEOUT).maxBatchesInFlight(1).denyCacheCapacity(0)
                .failurePolicy(FailurePolicy.FALLBACK_LOCAL)
                .failurePolicy("open", FailurePolicy.FAIL_OPEN)
                .failurePolicy("closed", FailurePolicy.FAIL_CLOSED)
                // the breaker must not answer for Redis here: every waiter goes through a failed call
                .circuitBreaker(CircuitBreakerConfig.builder().consecutiveFailures(1_000_000).build())
                .build());
        RateLimit two = RateLimit.of(2, Duration.ofHours(1), Algorithm.FIXED_WINDOW);
        // warm up until Redis itself answers (a cold connection may take longer than the timeout, and
        // the policy would answer for it); the counts below start from here
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            store.peek("warm-up", "open", List.of(two));
            return store.status().redisDecisions() > 0;
        });
        long fromRedis = store.status().redisDecisions();
        long byPolicyBefore = store.status().policyDecisions();
        if (outage == Outage.CUT) {
            proxy.cut();
        } else {
            proxy.blackhole();
        }

        String[] ops = {"open", "closed", "local"};
        int threads = 24;
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<String>> outcomes = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String op = ops[t % 3];
            boolean async = t % 2 == 0;
            outcomes.add(CompletableFuture.supplyAsync(() -> {
                awaitQuietly(start);
                long begin = System.nanoTime();
                String outcome;
                try {
                    // three acquires of cost 1 on a limit of 2: the third tells counted from uncounted
                    Decision last = null;
                    for (int i = 0; i < 3; i++) {
                        last = async ? store.acquireAsync("e" + op, op, List.of(two), 1).toCompletableFuture().join()
                                : store.acquire("e" + op, op, List.of(two), 1);
                    }
                    outcome = last.allowed() ? "allowed" : "denied";
                } catch (LimitStoreUnavailableException | CompletionException e) {
                    Throwable cause = e instanceof CompletionException ? e.getCause() : e;
                    outcome = cause instanceof LimitStoreUnavailableException ? "refused" : "unexpected " + cause;
                }
                long took = System.nanoTime() - begin;
                return took <= 3 * TIMEOUT.plus(SLACK).toNanos() ? outcome : "too slow: " + took / 1_000_000 + " ms";
            }, command -> new Thread(command).start()));
        }
        start.countDown();
        for (int t = 0; t < threads; t++) {
            String expected = switch (ops[t % 3]) {
                case "open" -> "allowed";      // admitted, nothing counted
                case "closed" -> "refused";    // 6010 in the rate limiter
                default -> null;               // the local store counts: allowed or denied, never refused
            };
            String outcome = outcomes.get(t).get(30, TimeUnit.SECONDS);
            if (expected != null) {
                assertThat(outcome).as("caller %d (%s)", t, ops[t % 3]).isEqualTo(expected);
            } else {
                assertThat(outcome).as("caller %d (local)", t).isIn("allowed", "denied");
            }
        }
        assertThat(store.status().redisDecisions()).isEqualTo(fromRedis);
        // fail closed ends a caller's loop at its first refusal
        assertThat(store.status().policyDecisions() - byPolicyBefore).isEqualTo(3L * (threads - threads / 3) + threads / 3);
        // the local store held its limit across the 8 "local" callers: 2 admitted in all
        assertThat(store.withFailurePolicy(FailurePolicy.FALLBACK_LOCAL).peek("elocal", "local", List.of(two)).allowed())
                .isFalse();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
