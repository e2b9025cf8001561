package dev.bulwark.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.circuit.State;
import dev.bulwark.ratelimit.Algorithm;
import dev.bulwark.ratelimit.Decision;
import dev.bulwark.ratelimit.LimitStoreUnavailableException;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.redis.support.RedisAvailability;
import dev.bulwark.redis.support.RequiresRedis;
import dev.bulwark.redis.support.TestRedis;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.testkit.TcpProxy;
import dev.bulwark.testkit.TelemetryCapture;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Redis goes away in the middle of a run and comes back: callers keep getting the answers of the
 * failure policy, none of them waits longer than the command timeout, and decisions come from Redis
 * again once it answers, with no action from anyone. The outage is made by a TCP proxy between the
 * store and the shared Redis, which the test cuts (connections closed and refused) or blackholes
 * (connections open, nothing goes through); the Redis server itself is never touched.
 */
@RequiresRedis
class OutageTest {

    private static final Duration TIMEOUT = Duration.ofMillis(250);
    /** Slack over the command timeout for a loaded CI machine: the bound checked is "no hang", not speed. */
    private static final Duration SLACK = Duration.ofMillis(750);
    private static final RateLimit GENEROUS = RateLimit.of("generous", 1_000_000, Duration.ofMinutes(1), Algorithm.TOKEN_BUCKET);
    private static final int CALLERS = 6;

    private final Telemetry telemetry = Telemetry.create();
    private TestRedis redis;
    private TcpProxy proxy;
    private RedisLimitStore store;

    @BeforeEach
    void setUp() throws Exception {
        redis = new TestRedis();
        proxy = new TcpProxy(RedisAvailability.HOST, RedisAvailability.PORT);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (store != null) {
            store.close();
        }
        proxy.close();
        redis.close();
    }

    private RedisLimitStore storeWith(FailurePolicy policy) {
        return RedisLimitStore.builder()
                .uri(proxy.uri())
                .keyPrefix(redis.prefix())
                .commandTimeout(TIMEOUT)
                .connectTimeout(TIMEOUT)
                .failurePolicy(policy)
                .telemetry(telemetry)
                .circuitBreaker(CircuitBreakerConfig.builder().consecutiveFailures(3)
                        .halfOpen(Duration.ofMillis(100), 1, 1).trialTimeout(Duration.ofSeconds(2)).build())
                .build();
    }

    enum Outage { CUT, BLACKHOLE }

    @ParameterizedTest
    @EnumSource(Outage.class)
    void failOpenAdmitsDuringTheOutageAndRedisDecidesAgainAfterIt(Outage outage) throws Exception {
        store = storeWith(FailurePolicy.FAIL_OPEN);
        try (TelemetryCapture events = TelemetryCapture.all(telemetry); Callers callers = new Callers(store)) {
            callers.awaitDecisionsFromRedis(50);

            breakRedis(outage);
            callers.awaitPolicyDecisions(200);
            assertThat(callers.unexpected).as("failures seen by callers").isEmpty();
            assertThat(callers.denied.get()).as("fail open denies nothing").isZero();
            assertThat(store.circuitBreaker().state()).isIn(State.OPEN, State.HALF_OPEN);

            proxy.restore();
            callers.awaitDecisionsFromRedis(50);
            await().atMost(Duration.ofSeconds(10)).until(() -> events.count(Events.RATE_LIMITER_BACKEND_RECOVERED) >= 1);
            assertThat(store.circuitBreaker().state()).isEqualTo(State.CLOSED);

            callers.stop();
            assertThat(callers.slowest()).as("longest wait of any caller").isLessThan(TIMEOUT.plus(SLACK));
            assertThat(events.named(Events.RATE_LIMITER_BACKEND_FAILURE))
                    .allSatisfy(e -> assertThat(e.metadata()).containsEntry("policy", "FAIL_OPEN"));
        }
    }

    @ParameterizedTest
    @EnumSource(Outage.class)
    void failClosedRefusesDuringTheOutageAndAdmitsAgainAfterIt(Outage outage) throws Exception {
        store = storeWith(FailurePolicy.FAIL_CLOSED);
        try (Callers callers = new Callers(store)) {
            callers.awaitDecisionsFromRedis(50);

            breakRedis(outage);
            await().atMost(Duration.ofSeconds(10)).until(() -> callers.refused.get() >= 200);

            proxy.restore();
            long refusedAtRestore = callers.refused.get();
            callers.awaitDecisionsFromRedis(50);
            callers.stop();
            assertThat(callers.unexpected).isEmpty();
            assertThat(callers.refused.get()).isGreaterThanOrEqualTo(refusedAtRestore);
            assertThat(callers.slowest()).isLessThan(TIMEOUT.plus(SLACK));
        }
    }

    @ParameterizedTest
    @EnumSource(Outage.class)
    void fallbackLocalLimitsInProcessDuringTheOutage(Outage outage) throws Exception {
        store = storeWith(FailurePolicy.FALLBACK_LOCAL);
        RateLimit three = RateLimit.of("three", 3, Duration.ofHours(1), Algorithm.FIXED_WINDOW);
        assertThat(store.acquire("local", "op", List.of(three), 1).allowed()).isTrue();

        breakRedis(outage);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            store.acquire("probe", "op", List.of(GENEROUS), 1);
            return store.circuitBreaker().state() == State.OPEN;
        });

        // the local store starts empty: three more, then denied with the local wait
        assertThat(store.acquire("local", "op", List.of(three), 1).allowed()).isTrue();
        assertThat(store.acquire("local", "op", List.of(three), 1).allowed()).isTrue();
        assertThat(store.acquire("local", "op", List.of(three), 1).allowed()).isTrue();
        Decision denied = store.acquire("local", "op", List.of(three), 1);
        assertThat(denied.allowed()).isFalse();
        assertThat(denied.retryAfterNanos()).isPositive();

        proxy.restore();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            long before = store.status().redisDecisions();
            store.acquire("probe", "op", List.of(GENEROUS), 1);
            return store.status().redisDecisions() > before;
        });
        // Redis kept its own count: one admitted before the outage
        assertThat(store.acquire("local", "op", List.of(three), 1).remaining()).isEqualTo(1);
    }

    private void breakRedis(Outage outage) {
        if (outage == Outage.CUT) {
            proxy.cut();
        } else {
            proxy.blackhole();
        }
    }

    /** Callers that keep acquiring on one key from several threads, recording what they get and how long they wait. */
    private static final class Callers implements AutoCloseable {
        final AtomicLong allowed = new AtomicLong();
        final AtomicLong denied = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
        final ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        private final LongAccumulator slowestNanos = new LongAccumulator(Math::max, 0);
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final CountDownLatch finished = new CountDownLatch(CALLERS);
        private final RedisLimitStore store;

        Callers(RedisLimitStore store) {
            this.store = store;
            for (int i = 0; i < CALLERS; i++) {
                Thread t = new Thread(this::run, "outage-caller-" + i);
                t.setDaemon(true);
                t.start();
            }
        }

        private void run() {
            try {
                while (running.get()) {
                    long start = System.nanoTime();
                    try {
                        Decision d = store.acquire("hot", "op", List.of(GENEROUS), 1);
                        (d.allowed() ? allowed : denied).incrementAndGet();
                    } catch (LimitStoreUnavailableException e) {
                        refused.incrementAndGet();
                    } catch (RuntimeException e) {
                        unexpected.add(e);
                    }
                    slowestNanos.accumulate(System.nanoTime() - start);
                }
            } finally {
                finished.countDown();
            }
        }

        void awaitDecisionsFromRedis(long count) {
            long target = store.status().redisDecisions() + count;
            await().atMost(Duration.ofSeconds(15)).until(() -> store.status().redisDecisions() >= target);
        }

        void awaitPolicyDecisions(long count) {
            long target = store.status().policyDecisions() + count;
            await().atMost(Duration.ofSeconds(15)).until(() -> store.status().policyDecisions() >= target);
        }

        Duration slowest() {
            return Duration.ofNanos(slowestNanos.get());
        }

        void stop() throws InterruptedException {
            running.set(false);
            assertThat(finished.await(10, TimeUnit.SECONDS)).as("every caller returned").isTrue();
        }

        @Override
        public void close() {
            running.set(false);
            try {
                finished.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
