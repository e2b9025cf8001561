package dev.bulwark.testkit;

import static dev.bulwark.ratelimit.Algorithm.FIXED_WINDOW;
import static dev.bulwark.ratelimit.Algorithm.GCRA;
import static dev.bulwark.ratelimit.Algorithm.LEAKY_BUCKET;
import static dev.bulwark.ratelimit.Algorithm.SLIDING_WINDOW;
import static dev.bulwark.ratelimit.Algorithm.TOKEN_BUCKET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.ratelimit.Algorithm;
import dev.bulwark.ratelimit.Decision;
import dev.bulwark.ratelimit.LimitStore;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.time.Clock;
import dev.bulwark.time.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The conformance suite every {@link LimitStore} must pass: the decisions of each algorithm at its
 * boundaries, exact {@code retryAfter}, {@code remaining} and {@code resetAfter}, limit 0, costs
 * above the limit, cost-weighted hits, atomic multi-rule checks, {@code peek}, {@code reset},
 * argument checks, and a long randomised comparison of both {@code acquire} forms, {@code tryAcquire},
 * {@code peek} and {@code reset} with {@link ReferenceModel}.
 *
 * <p>To run it against a store, extend it and build the store on the given clock (bulwark-core
 * publishes this class in its test-jar):
 *
 * <pre>{@code
 * class RedisLimitStoreConformanceTest extends LimitStoreConformanceTest {
 *     protected LimitStore createStore(Clock clock) { return RedisLimitStore.forTesting(redis, clock); }
 * }
 * }</pre>
 *
 * Each test gets a fresh {@link ManualClock} and a fresh store; keys are unique per test run
 * ({@link #entity(String)}) so a shared backend needs no flushing.
 */
public abstract class LimitStoreConformanceTest {

    protected static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    protected ManualClock clock;
    protected LimitStore store;
    private final String runId = Long.toHexString(System.nanoTime());

    /** A new, empty store that reads time from {@code clock}. */
    protected abstract LimitStore createStore(Clock clock);

    /** Whether the store implements {@link LimitStore#inspect}; override to return false if not. */
    protected boolean supportsInspect() {
        return true;
    }

    /** Steps of each randomised comparison with the reference model; a remote store may lower it. */
    protected int randomisedSteps() {
        return 400;
    }

    @BeforeEach
    void createStoreOnManualClock() {
        clock = new ManualClock();
        store = createStore(clock);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    /** An entity id unique to this test run. */
    protected String entity(String name) {
        return "conformance-" + runId + "-" + name;
    }

    /** Moves the clock to the start of the next window of {@code windowNanos} (aligned on the store's time). */
    protected void alignToWindow(long windowNanos) {
        long into = Math.floorMod(clock.nanoTime(), windowNanos);
        clock.advanceNanos(windowNanos - into);
    }

    protected Decision acquire(String entity, long cost, RateLimit... rules) {
        return store.acquire(entity, "op", List.of(rules), cost);
    }

    private static RateLimit rule(long limit, long windowNanos, Algorithm algorithm) {
        return RateLimit.of(limit, Duration.ofNanos(windowNanos), algorithm);
    }

    /**
     * Checks that {@code decision} is a denial with the exact wait: 1 ns earlier the request is
     * denied with a wait of exactly 1 ns, at the wait it is admitted. With one rule both checks go
     * through {@link LimitStore#tryAcquire} (the decision came from {@code acquire}), so both paths
     * are held to the boundary.
     */
    private void assertExactWait(String entity, long cost, Decision decision, RateLimit... rules) {
        assertThat(decision.allowed()).as("denied").isFalse();
        long wait = decision.retryAfterNanos();
        if (wait > 1) {
            clock.advanceNanos(wait - 1);
            long before = rules.length == 1
                    ? store.tryAcquire(entity, "op", rules[0], cost)
                    : acquire(entity, cost, rules).retryAfterNanos();
            assertThat(before).as("wait 1 ns before retryAfter").isEqualTo(1);
            clock.advanceNanos(1);
        } else {
            clock.advanceNanos(wait);
        }
        if (rules.length == 1) {
            assertThat(store.tryAcquire(entity, "op", rules[0], cost)).as("tryAcquire at retryAfter").isZero();
        } else {
            assertThat(acquire(entity, cost, rules).allowed()).as("at retryAfter").isTrue();
        }
    }

    // ---------------------------------------------------------------- fixed window

    @Test
    void fixedWindowAdmitsTheLimitThenDeniesUntilTheNextAlignedWindow() {
        RateLimit rule = rule(3, 10 * SECOND, FIXED_WINDOW);
        alignToWindow(10 * SECOND);
        clock.advanceNanos(2 * SECOND);
        String e = entity("fixed");

        assertThat(acquire(e, 1, rule)).isEqualTo(Decision.allowed(rule, 2, 8 * SECOND));
        assertThat(acquire(e, 1, rule)).isEqualTo(Decision.allowed(rule, 1, 8 * SECOND));
        assertThat(acquire(e, 1, rule)).isEqualTo(Decision.allowed(rule, 0, 8 * SECOND));
        assertThat(acquire(e, 1, rule)).isEqualTo(Decision.denied(rule, 0, 8 * SECOND, 8 * SECOND));

        clock.advanceNanos(8 * SECOND - 1);
        assertThat(acquire(e, 1, rule)).isEqualTo(Decision.denied(rule, 0, 1, 1));
        clock.advanceNanos(1);
        assertThat(acquire(e, 1, rule)).isEqualTo(Decision.allowed(rule, 2, 10 * SECOND));
    }

    @Test
    void fixedWindowAdmitsTwiceTheLimitAcrossABoundary() {
        RateLimit rule = rule(3, 10 * SECOND, FIXED_WINDOW);
        alignToWindow(10 * SECOND);
        clock.advanceNanos(10 * SECOND - 1);
        String e = entity("fixed-boundary");

        assertThat(acquire(e, 3, rule).allowed()).isTrue();
        assertThat(acquire(e, 1, rule).retryAfterNanos()).isEqualTo(1);
        clock.advanceNanos(1);
        assertThat(acquire(e, 3, rule).allowed()).isTrue();
    }

    // ---------------------------------------------------------------- sliding window

    @Test
    void slidingWindowWeighsThePreviousWindowByItsOverlap() {
        RateLimit rule = rule(10, 10 * SECOND, SLIDING_WINDOW);
        alignToWindow(10 * SECOND);
        String e = entity("sliding");
        assertThat(acquire(e, 10, rule)).isEqualTo(Decision.allowed(rule, 0, 20 * SECOND));

        clock.advanceNanos(10 * SECOND); // next window, the previous one overlaps fully
        Decision denied = acquire(e, 1, rule);
        // est(e) = 0 + ceil(10 × (W − e) / W) <= 9  <=>  e >= 1 s
        assertThat(denied).isEqualTo(Decision.denied(rule, 0, SECOND, 10 * SECOND));

        clock.advanceNanos(4 * SECOND); // 40 % elapsed: the previous window weighs 6
        assertThat(acquire(e, 4, rule)).isEqualTo(Decision.allowed(rule, 0, 16 * SECOND));
        Decision full = acquire(e, 1, rule);
        // est(e) = 4 + ceil(10 × (W − e) / W) <= 9  <=>  e >= 5 s
        assertThat(full).isEqualTo(Decision.denied(rule, 0, SECOND, 16 * SECOND));
        assertExactWait(e, 1, full, rule);
    }

    @Test
    void slidingWindowRetryAfterIsExactWithinTheWindow() {
        RateLimit rule = rule(10, 10 * SECOND, SLIDING_WINDOW);
        alignToWindow(10 * SECOND);
        String e = entity("sliding-within");
        acquire(e, 10, rule);
        clock.advanceNanos(10 * SECOND);

        Decision denied = acquire(e, 1, rule);
        assertThat(denied.retryAfterNanos()).isEqualTo(SECOND);
        assertExactWait(e, 1, denied, rule);
    }

    @Test
    void slidingWindowRetryAfterSpansIntoTheNextWindowWhenTheCurrentOneIsFull() {
        RateLimit rule = rule(5, 10 * SECOND, SLIDING_WINDOW);
        alignToWindow(10 * SECOND);
        String e = entity("sliding-next");
        assertThat(acquire(e, 5, rule).allowed()).isTrue();

        Decision denied = acquire(e, 1, rule);
        // next window after 10 s, where the previous count 5 must weigh <= 4: e >= 2 s
        assertThat(denied).isEqualTo(Decision.denied(rule, 0, 12 * SECOND, 20 * SECOND));
        assertExactWait(e, 1, denied, rule);
    }

    @Test
    void slidingWindowForgetsEverythingAfterTwoWindows() {
        RateLimit rule = rule(5, 10 * SECOND, SLIDING_WINDOW);
        alignToWindow(10 * SECOND);
        String e = entity("sliding-forget");
        acquire(e, 5, rule);
        clock.advanceNanos(20 * SECOND);
        assertThat(acquire(e, 5, rule)).isEqualTo(Decision.allowed(rule, 0, 20 * SECOND));
    }

    // ---------------------------------------------------------------- token bucket

    @Test
    void tokenBucketStartsFullAndRefillsOneTokenPerWindowOverLimit() {
        RateLimit rule = rule(4, 8 * SECOND, TOKEN_BUCKET);
        String e = entity("token");
        assertThat(acquire(e, 1, rule)).isEqualTo(Decision.allowed(rule, 3, 2 * SECOND));
        assertThat(acquire(e, 3, rule)).isEqualTo(Decision.allowed(rule, 0, 8 * SECOND));
        Decision denied = acquire(e, 1, rule);
        assertThat(denied).isEqualTo(Decision.denied(rule, 0, 2 * SECOND, 8 * SECOND));
        assertExactWait(e, 1, denied, rule);

        clock.advanceNanos(8 * SECOND); // idle for a window: exactly full again
        assertThat(acquire(e, 4, rule).allowed()).isTrue();
    }

    @Test
    void tokenBucketRefillIsExactWhenTheWindowIsNotAMultipleOfTheLimit() {
        RateLimit rule = rule(3, 10 * SECOND, TOKEN_BUCKET);
        String e = entity("token-fraction");
        acquire(e, 3, rule);
        Decision denied = acquire(e, 1, rule);
        assertThat(denied.retryAfterNanos()).isEqualTo(3_333_333_334L); // ceil(10 s / 3)
        assertExactWait(e, 1, denied, rule);
        // two more tokens arrive at exactly 20/3 s and 10 s after the bucket emptied
        Decision next = acquire(e, 1, rule);
        assertThat(next.retryAfterNanos()).isEqualTo(6_666_666_667L - 3_333_333_334L);
    }

    @Test
    void tokenBucketWaitsForAllTokensOfACostlyRequest() {
        RateLimit rule = rule(4, 8 * SECOND, TOKEN_BUCKET);
        String e = entity("token-cost");
        assertThat(acquire(e, 3, rule)).isEqualTo(Decision.allowed(rule, 1, 6 * SECOND));
        Decision denied = acquire(e, 2, rule);
        assertThat(denied).isEqualTo(Decision.denied(rule, 1, 2 * SECOND, 6 * SECOND));
        assertExactWait(e, 2, denied, rule);
    }

    // ---------------------------------------------------------------- GCRA

    @Test
    void gcraAdmitsABurstOfTheLimitThenOneUnitPerEmissionInterval() {
        RateLimit rule = rule(4, 8 * SECOND, GCRA);
        String e = entity("gcra");
        assertThat(acquire(e, 4, rule)).isEqualTo(Decision.allowed(rule, 0, 8 * SECOND));
        Decision denied = acquire(e, 1, rule);
        assertThat(denied).isEqualTo(Decision.denied(rule, 0, 2 * SECOND, 8 * SECOND));
        assertExactWait(e, 1, denied, rule);
        Decision afterOne = acquire(e, 1, rule);
        assertThat(afterOne.retryAfterNanos()).isEqualTo(2 * SECOND);
    }

    @Test
    void gcraRoundsTheEmissionIntervalUpSoItIsNeverFasterThanTheRule() {
        RateLimit rule = rule(3, SECOND, GCRA); // T = ceil(1 s / 3) = 333 333 334 ns
        String e = entity("gcra-rounding");
        assertThat(acquire(e, 3, rule)).isEqualTo(Decision.allowed(rule, 0, 1_000_000_002L));
        clock.advanceNanos(SECOND);
        assertThat(store.peek(e, "op", List.of(rule)).remaining()).isEqualTo(2);
        clock.advanceNanos(2);
        assertThat(store.peek(e, "op", List.of(rule)).remaining()).isEqualTo(3);
    }

    // ---------------------------------------------------------------- leaky bucket

    @Test
    void leakyBucketSpacesRequestsByTheEmissionInterval() {
        RateLimit rule = rule(4, 8 * SECOND, LEAKY_BUCKET);
        String e = entity("leaky");
        assertThat(acquire(e, 1, rule)).isEqualTo(Decision.allowed(rule, 0, 2 * SECOND));
        Decision denied = acquire(e, 1, rule);
        assertThat(denied).isEqualTo(Decision.denied(rule, 0, 2 * SECOND, 2 * SECOND));
        assertExactWait(e, 1, denied, rule);
    }

    @Test
    void leakyBucketChargesACostlyRequestItsWholeDrainTime() {
        RateLimit rule = rule(4, 8 * SECOND, LEAKY_BUCKET);
        String e = entity("leaky-cost");
        assertThat(acquire(e, 3, rule)).isEqualTo(Decision.allowed(rule, 0, 6 * SECOND));
        Decision denied = acquire(e, 1, rule);
        assertThat(denied.retryAfterNanos()).isEqualTo(6 * SECOND);
        assertExactWait(e, 1, denied, rule);
    }

    // ---------------------------------------------------------------- every algorithm

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void limitZeroDeniesForeverAndRecordsNothing(Algorithm algorithm) {
        RateLimit rule = rule(0, SECOND, algorithm);
        String e = entity("zero-" + algorithm);
        assertThat(acquire(e, 1, rule)).isEqualTo(Decision.denied(rule, 0, Decision.NEVER, 0));
        assertThat(acquire(e, 1, rule).canSucceedLater()).isFalse();
        assertThat(store.reset(e, "op")).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void aCostAboveTheLimitIsDeniedForeverWithoutTouchingState(Algorithm algorithm) {
        RateLimit rule = rule(5, 10 * SECOND, algorithm);
        String e = entity("too-costly-" + algorithm);
        assertThat(acquire(e, 6, rule)).isEqualTo(Decision.denied(rule, 5, Decision.NEVER, 0));
        assertThat(acquire(e, 1, rule).allowed()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void aFreshKeyAdmitsAtLeastOneRequestOfAnyCostUpToTheLimit(Algorithm algorithm) {
        RateLimit rule = rule(5, 10 * SECOND, algorithm);
        assertThat(acquire(entity("fresh-" + algorithm), 5, rule).allowed()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void entitiesAndOperationsAreIndependentKeys(Algorithm algorithm) {
        RateLimit rule = rule(1, 10 * SECOND, algorithm);
        String a = entity("a-" + algorithm);
        String b = entity("b-" + algorithm);
        assertThat(store.acquire(a, "read", List.of(rule), 1).allowed()).isTrue();
        assertThat(store.acquire(a, "read", List.of(rule), 1).allowed()).isFalse();
        assertThat(store.acquire(a, "write", List.of(rule), 1).allowed()).isTrue();
        assertThat(store.acquire(b, "read", List.of(rule), 1).allowed()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void peekRecordsNothing(Algorithm algorithm) {
        RateLimit rule = rule(2, 10 * SECOND, algorithm);
        String e = entity("peek-" + algorithm);
        acquire(e, 1, rule);
        Decision peeked = store.peek(e, "op", List.of(rule));
        assertThat(store.peek(e, "op", List.of(rule))).isEqualTo(peeked);
        assertThat(acquire(e, 1, rule).allowed()).isEqualTo(algorithm != LEAKY_BUCKET);
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void resetForgetsEveryRuleOfTheKeyAndNothingElse(Algorithm algorithm) {
        RateLimit perSecond = rule(1, SECOND, algorithm);
        RateLimit perMinute = rule(1, 60 * SECOND, algorithm);
        String e = entity("reset-" + algorithm);
        String other = entity("reset-other-" + algorithm);
        acquire(e, 1, perSecond, perMinute);
        acquire(other, 1, perSecond);

        assertThat(store.reset(e, "op")).isTrue();
        assertThat(store.reset(e, "op")).isFalse();
        assertThat(acquire(e, 1, perSecond, perMinute).allowed()).isTrue();
        assertThat(acquire(other, 1, perSecond).allowed()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void tryAcquireDecidesExactlyAsAcquire(Algorithm algorithm) {
        RateLimit rule = rule(3, 10 * SECOND, algorithm);
        String viaDecision = entity("decision-" + algorithm);
        String viaPrimitive = entity("primitive-" + algorithm);
        for (int i = 0; i < 6; i++) {
            Decision d = acquire(viaDecision, 1, rule);
            long wait = store.tryAcquire(viaPrimitive, "op", rule, 1);
            assertThat(wait).isEqualTo(d.allowed() ? 0 : d.retryAfterNanos());
            clock.advanceNanos(SECOND);
        }
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void acquireAsyncCompletesWithTheSameDecision(Algorithm algorithm) throws Exception {
        RateLimit rule = rule(1, 10 * SECOND, algorithm);
        String e = entity("async-" + algorithm);
        Decision first = store.acquireAsync(e, "op", List.of(rule), 1).toCompletableFuture().get(5, TimeUnit.SECONDS);
        Decision second = store.acquireAsync(e, "op", List.of(rule), 1).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(first.allowed()).isTrue();
        assertThat(second.allowed()).isFalse();
    }

    // ---------------------------------------------------------------- several rules

    @Test
    void severalRulesAreAllOrNothing() {
        RateLimit burst = RateLimit.of("burst", 2, Duration.ofSeconds(1), FIXED_WINDOW);
        RateLimit hourly = RateLimit.of("hourly", 3, Duration.ofHours(1), FIXED_WINDOW);
        alignToWindow(Duration.ofHours(1).toNanos());
        String e = entity("multi");

        assertThat(acquire(e, 2, burst, hourly).rule()).isEqualTo(burst); // burst has 0 left, hourly 1
        Decision deniedByBurst = acquire(e, 1, burst, hourly);
        assertThat(deniedByBurst.rule()).isEqualTo(burst);
        assertThat(deniedByBurst.retryAfterNanos()).isEqualTo(SECOND);

        clock.advanceNanos(SECOND);
        Decision deniedByHourly = acquire(e, 2, burst, hourly); // burst would admit 2, hourly only 1
        assertThat(deniedByHourly.rule()).isEqualTo(hourly);
        assertThat(deniedByHourly.remaining()).isEqualTo(1);
        // nothing was recorded against burst by the denied request
        assertThat(acquire(e, 1, burst).remaining()).isEqualTo(1);
    }

    @Test
    void aDenialByTwoRulesWaitsForTheSlowerOne() {
        RateLimit fast = RateLimit.of("fast", 1, Duration.ofSeconds(1), GCRA);
        RateLimit slow = RateLimit.of("slow", 1, Duration.ofSeconds(10), GCRA);
        String e = entity("multi-wait");
        assertThat(acquire(e, 1, fast, slow).allowed()).isTrue();
        Decision denied = acquire(e, 1, fast, slow);
        assertThat(denied.rule()).isEqualTo(slow);
        assertThat(denied.retryAfterNanos()).isEqualTo(10 * SECOND);
        assertExactWait(e, 1, denied, fast, slow);
    }

    @Test
    void theAllowedDecisionReportsTheRuleWithTheLeastRemaining() {
        RateLimit loose = RateLimit.of("loose", 100, Duration.ofSeconds(1), TOKEN_BUCKET);
        RateLimit tight = RateLimit.of("tight", 5, Duration.ofSeconds(1), TOKEN_BUCKET);
        Decision d = acquire(entity("multi-remaining"), 2, loose, tight);
        assertThat(d).isEqualTo(Decision.allowed(tight, 3, 400_000_000L));
    }

    // ---------------------------------------------------------------- inspect and arguments

    @Test
    void inspectListsTheLiveRulesOfAKey() {
        org.junit.jupiter.api.Assumptions.assumeTrue(supportsInspect(), "store does not enumerate a key's rules");
        RateLimit perSecond = RateLimit.of("per-second", 5, Duration.ofSeconds(1), GCRA);
        RateLimit perMinute = RateLimit.of("per-minute", 50, Duration.ofMinutes(1), TOKEN_BUCKET);
        String e = entity("inspect");
        acquire(e, 2, perSecond, perMinute);

        List<Decision> live = store.inspect(e, "op");
        assertThat(live).extracting(d -> d.rule().limit(), Decision::remaining)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(5L, 3L),
                        org.assertj.core.groups.Tuple.tuple(50L, 48L));
        clock.advanceNanos(60 * SECOND);
        assertThat(store.inspect(e, "op")).isEmpty();
        assertThat(store.inspect(entity("never-seen"), "op")).isEmpty();
    }

    @Test
    void badArgumentsAreRejectedBeforeAnyStateIsTouched() {
        RateLimit rule = RateLimit.of(1, Duration.ofSeconds(1));
        String e = entity("arguments");
        assertThatThrownBy(() -> store.acquire(null, "op", List.of(rule), 1)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> store.acquire(e, null, List.of(rule), 1)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> store.acquire(e, "op", List.of(), 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.acquire(e, "op", List.of(rule), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.acquire(e, "op", List.of(rule, rule.named("same-state")), 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.tryAcquire(e, "op", rule, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(acquire(e, 1, rule).allowed()).isTrue();
    }

    // ---------------------------------------------------------------- randomised comparison

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void decisionsMatchTheReferenceModelOverARandomHistory(Algorithm algorithm) {
        Random random = new Random(42 + algorithm.ordinal());
        List<RateLimit> rules = List.of(
                rule(1, 7, algorithm), rule(3, 10, algorithm), rule(5, 1_000, algorithm),
                rule(7, 3 * SECOND, algorithm), rule(1_000, 60 * SECOND, algorithm));
        compareWithModel(random, rules, false);
    }

    @Test
    void multiRuleDecisionsMatchTheReferenceModelOverARandomHistory() {
        Random random = new Random(7);
        List<RateLimit> rules = new ArrayList<>();
        for (Algorithm a : Algorithm.values()) {
            rules.add(rule(2 + a.ordinal(), (5 + a.ordinal()) * 100, a));
            rules.add(rule(10 + a.ordinal(), (30 + a.ordinal()) * 1_000, a));
        }
        compareWithModel(random, rules, true);
    }

    private void compareWithModel(Random random, List<RateLimit> rules, boolean combine) {
        ReferenceModel model = new ReferenceModel();
        String[] entities = {entity("model-a"), entity("model-b")};
        for (int step = 0; step < randomisedSteps(); step++) {
            List<RateLimit> chosen = new ArrayList<>();
            chosen.add(rules.get(random.nextInt(rules.size())));
            if (combine && random.nextBoolean()) {
                RateLimit second = rules.get(random.nextInt(rules.size()));
                if (!second.sameState(chosen.get(0))) {
                    chosen.add(second);
                }
            }
            long limit = chosen.get(0).limit();
            long window = chosen.get(0).windowNanos();
            String e = entities[random.nextInt(entities.length)];
            long cost = 1 + (random.nextInt(4) == 0 ? random.nextInt((int) limit + 1) : 0);
            long now = clock.nanoTime();
            String what = "step " + step + " at " + now + ": " + e + " cost " + cost + " " + chosen;

            int action = random.nextInt(20);
            if (action == 0) {
                assertThat(store.peek(e, "op", chosen)).as(what).isEqualTo(model.peek(e, "op", chosen, now));
            } else if (action == 1) {
                assertThat(store.reset(e, "op")).as(what).isEqualTo(model.reset(e, "op", now));
            } else if (chosen.size() == 1 && action < 6) {
                assertThat(store.acquire(e, "op", chosen.get(0), cost)).as(what)
                        .isEqualTo(model.acquire(e, "op", chosen, cost, now));
            } else if (chosen.size() == 1 && action < 10) {
                Decision expected = model.acquire(e, "op", chosen, cost, now);
                assertThat(store.tryAcquire(e, "op", chosen.get(0), cost)).as(what)
                        .isEqualTo(expected.allowed() ? 0 : expected.retryAfterNanos());
            } else {
                assertThat(store.acquire(e, "op", chosen, cost)).as(what).isEqualTo(model.acquire(e, "op", chosen, cost, now));
            }
            clock.advanceNanos(randomAdvance(random, window, limit));
        }
    }

    private static long randomAdvance(Random random, long window, long limit) {
        switch (random.nextInt(8)) {
            case 0:
            case 1:
                return 0;
            case 2:
                return 1 + random.nextInt(3);
            case 3:
                return Math.max(1, window / Math.max(1, limit));
            case 4:
                return window - 1 + random.nextInt(3);
            case 5:
                return (long) (random.nextDouble() * 3 * window);
            default:
                return (long) (random.nextDouble() * window / 4);
        }
    }
}
