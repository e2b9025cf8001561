package dev.bulwark.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.time.ManualClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each algorithm's documented worst case (the most units admitted in an interval of one window)
 * is reached by a concrete arrival pattern, with L = 10 per W = 10 s. The property tests show it
 * is never exceeded.
 */
class AlgorithmWorstCaseTest {

    private static final long SECOND = 1_000_000_000L;
    private static final long W = 10 * SECOND;

    private final ManualClock clock = new ManualClock();
    private final InMemoryLimitStore store = InMemoryLimitStore.create(clock);

    /** Requests of {@code cost} at each offset (ns after the start of an aligned window); returns the units admitted. */
    private long admittedAt(RateLimit rule, long cost, long... offsets) {
        clock.advanceNanos(W - Math.floorMod(clock.nanoTime(), W));
        long start = clock.nanoTime();
        long admitted = 0;
        for (long offset : offsets) {
            clock.advanceNanos(start + offset - clock.nanoTime());
            while (store.tryAcquire("k", "op", rule, cost) == 0) {
                admitted += cost;
            }
        }
        return admitted;
    }

    private static RateLimit rule(Algorithm algorithm) {
        return RateLimit.of(10, Duration.ofNanos(W), algorithm);
    }

    @Test
    void fixedWindowAdmitsTwiceTheLimitAroundABoundary() {
        // [W − 1 ns, 2W − 1 ns) holds the end of one window and the start of the next
        assertThat(admittedAt(rule(Algorithm.FIXED_WINDOW), 1, W - 1, W)).isEqualTo(20);
    }

    @Test
    void slidingWindowAdmitsTwiceTheLimitLessOneWhenThePreviousWindowIsBunchedAtItsEnd() {
        // 10 at the last nanosecond of a window, then 9 when that window weighs ceil(10 × 2 / W) = 1
        assertThat(admittedAt(rule(Algorithm.SLIDING_WINDOW), 1, W - 1, 2 * W - 2)).isEqualTo(19);
    }

    @Test
    void tokenBucketAdmitsABurstThenTheRefillOfWMinusOneNanosecond() {
        assertThat(admittedAt(rule(Algorithm.TOKEN_BUCKET), 1, 0, SECOND, 2 * SECOND, 3 * SECOND, 4 * SECOND,
                5 * SECOND, 6 * SECOND, 7 * SECOND, 8 * SECOND, 9 * SECOND)).isEqualTo(19);
    }

    @Test
    void gcraAdmitsABurstThenOneUnitPerEmissionInterval() {
        assertThat(admittedAt(rule(Algorithm.GCRA), 1, 0, SECOND, 2 * SECOND, 3 * SECOND, 4 * SECOND,
                5 * SECOND, 6 * SECOND, 7 * SECOND, 8 * SECOND, 9 * SECOND)).isEqualTo(19);
    }

    @Test
    void leakyBucketAdmitsTheLimitForUnitCosts() {
        assertThat(admittedAt(rule(Algorithm.LEAKY_BUCKET), 1, 0, SECOND, 2 * SECOND, 3 * SECOND, 4 * SECOND,
                5 * SECOND, 6 * SECOND, 7 * SECOND, 8 * SECOND, 9 * SECOND)).isEqualTo(10);
    }

    @Test
    void leakyBucketAdmitsTheLimitLessOnePlusTheLargestCost() {
        RateLimit rule = rule(Algorithm.LEAKY_BUCKET);
        long units = admittedAt(rule, 1, 0, SECOND, 2 * SECOND, 3 * SECOND, 4 * SECOND, 5 * SECOND, 6 * SECOND,
                7 * SECOND, 8 * SECOND);
        clock.advanceNanos(SECOND); // 9 s after the first request, still within one window of it
        units += store.tryAcquire("k", "op", rule, 10) == 0 ? 10 : 0;
        assertThat(units).isEqualTo(19);
        assertThat(store.peek("k", "op", List.of(rule)).allowed()).isFalse();
    }
}
