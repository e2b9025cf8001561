package dev.bulwark.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testkit.ReferenceModel;
import dev.bulwark.time.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * For every algorithm, over random arrival times, costs and sweeps: the in-memory store decides
 * exactly as the slow {@link ReferenceModel} (through both {@code acquire} and {@code tryAcquire}),
 * and the units admitted in any interval of one window never exceed the worst case documented on
 * {@link Algorithm}.
 */
class RateLimitAlgorithmProperties {

    /** One request: the time since the previous one, its cost, whether a sweep runs first, which path it takes. */
    record Arrival(long gapNanos, long cost, boolean sweepFirst, boolean primitive) {
    }

    record Scenario(long limit, long windowNanos, List<Arrival> arrivals) {
    }

    @Property(tries = 300)
    void fixedWindowMatchesTheModelAndAdmitsAtMostTwiceTheLimit(@ForAll("scenarios") Scenario scenario) {
        check(Algorithm.FIXED_WINDOW, scenario);
    }

    @Property(tries = 300)
    void slidingWindowMatchesTheModelAndAdmitsFewerThanTwiceTheLimit(@ForAll("scenarios") Scenario scenario) {
        check(Algorithm.SLIDING_WINDOW, scenario);
    }

    @Property(tries = 300)
    void tokenBucketMatchesTheModelAndAdmitsFewerThanTwiceTheLimit(@ForAll("scenarios") Scenario scenario) {
        check(Algorithm.TOKEN_BUCKET, scenario);
    }

    @Property(tries = 300)
    void leakyBucketMatchesTheModelAndAdmitsAtMostTheLimitPlusOneRequest(@ForAll("scenarios") Scenario scenario) {
        check(Algorithm.LEAKY_BUCKET, scenario);
    }

    @Property(tries = 300)
    void gcraMatchesTheModelAndAdmitsFewerThanTwiceTheLimit(@ForAll("scenarios") Scenario scenario) {
        check(Algorithm.GCRA, scenario);
    }

    @Property(tries = 200)
    void twoRulesOfAnyAlgorithmsMatchTheModel(@ForAll("scenarios") Scenario scenario,
                                              @ForAll Algorithm first, @ForAll Algorithm second) {
        ManualClock clock = new ManualClock();
        InMemoryLimitStore store = InMemoryLimitStore.create(clock);
        ReferenceModel model = new ReferenceModel();
        RateLimit a = RateLimit.of("a", scenario.limit(), Duration.ofNanos(scenario.windowNanos()), first);
        RateLimit b = RateLimit.of("b", scenario.limit() + 3, Duration.ofNanos(3 * scenario.windowNanos() + 1), second);
        List<RateLimit> rules = List.of(a, b);
        for (Arrival arrival : scenario.arrivals()) {
            clock.advanceNanos(arrival.gapNanos());
            if (arrival.sweepFirst()) {
                store.sweepExpired();
            }
            long now = clock.nanoTime();
            assertThat(store.acquire("e", "op", rules, arrival.cost()))
                    .isEqualTo(model.acquire("e", "op", rules, arrival.cost(), now));
        }
    }

    /** The most units the algorithm may admit in any interval of one window, as documented on {@link Algorithm}. */
    static long worstCase(Algorithm algorithm, long limit, long largestCost) {
        switch (algorithm) {
            case FIXED_WINDOW:
                return 2 * limit;
            case LEAKY_BUCKET:
                return limit - 1 + largestCost;
            default:
                return 2 * limit - 1;
        }
    }

    private static void check(Algorithm algorithm, Scenario scenario) {
        ManualClock clock = new ManualClock();
        InMemoryLimitStore store = InMemoryLimitStore.create(clock);
        ReferenceModel model = new ReferenceModel();
        RateLimit rule = RateLimit.of(scenario.limit(), Duration.ofNanos(scenario.windowNanos()), algorithm);
        List<long[]> admitted = new ArrayList<>();
        long largestCost = 1;

        for (Arrival arrival : scenario.arrivals()) {
            clock.advanceNanos(arrival.gapNanos());
            if (arrival.sweepFirst()) {
                store.sweepExpired();
            }
            long now = clock.nanoTime();
            Decision expected = model.acquire("e", "op", List.of(rule), arrival.cost(), now);
            boolean allowed;
            if (arrival.primitive()) {
                long wait = store.tryAcquire("e", "op", rule, arrival.cost());
                assertThat(wait).isEqualTo(expected.allowed() ? 0 : expected.retryAfterNanos());
                allowed = wait == 0;
            } else {
                Decision actual = store.acquire("e", "op", List.of(rule), arrival.cost());
                assertThat(actual).isEqualTo(expected);
                allowed = actual.allowed();
            }
            if (allowed) {
                admitted.add(new long[] {now, arrival.cost()});
                largestCost = Math.max(largestCost, arrival.cost());
            }
        }

        long bound = worstCase(algorithm, scenario.limit(), largestCost);
        for (long[] start : admitted) {
            long inWindow = 0;
            for (long[] other : admitted) {
                if (other[0] >= start[0] && other[0] - start[0] < scenario.windowNanos()) {
                    inWindow += other[1];
                }
            }
            assertThat(inWindow).as("units admitted in [%d, %d + W)", start[0], start[0]).isLessThanOrEqualTo(bound);
        }
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        Arbitrary<Long> limits = Arbitraries.longs().between(1, 12);
        Arbitrary<Long> windows = Arbitraries.of(1L, 7L, 10L, 1_000L, 999_983L, 1_000_000_000L, 60_000_000_000L);
        return limits.flatMap(limit -> windows.flatMap(window ->
                arrivals(limit, window).list().ofMinSize(1).ofMaxSize(120)
                        .map(list -> new Scenario(limit, window, list))));
    }

    private static Arbitrary<Arrival> arrivals(long limit, long window) {
        long interval = Math.max(1, (window + limit - 1) / limit);
        Arbitrary<Long> gaps = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.just(0L)),
                Tuple.of(2, Arbitraries.longs().between(1, 3)),
                Tuple.of(3, Arbitraries.longs().between(Math.max(0, interval - 2), interval + 2)),
                Tuple.of(2, Arbitraries.longs().between(Math.max(0, window - 2), window + 2)),
                Tuple.of(3, Arbitraries.longs().between(0, 3 * window)));
        Arbitrary<Long> costs = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.just(1L)),
                Tuple.of(3, Arbitraries.longs().between(1, limit)),
                Tuple.of(1, Arbitraries.just(limit + 1)));
        Arbitrary<Boolean> sweeps = Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(true)), Tuple.of(9, Arbitraries.just(false)));
        return Combinators.combine(gaps, costs, sweeps, Arbitraries.of(true, false)).as(Arrival::new);
    }
}
