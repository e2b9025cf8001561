package dev.bulwark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Infrastructure;
import dev.bulwark.Protection;
import dev.bulwark.Result;
import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.error.InfraError;
import dev.bulwark.pipeline.AdaptiveConcurrencyConfig.Algorithm;
import dev.bulwark.spi.Slot;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.testkit.TelemetryCapture;
import dev.bulwark.time.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The adaptive limit in front of a simulated queueing service ({@link QueueingService}): 50
 * servers of 10 ms ± 10 %, so the knee is 50 calls in flight and the capacity 5000 calls/s; the
 * latency grows linearly with the queue past the knee. Windows of 100 ms, everything on a manual
 * clock, deterministic (seed 7; {@code -Dsim.seed=n} runs the same scenarios on another draw).
 */
class AdaptiveConcurrencyTest {

    private static final int KNEE = 50;
    private static final long SERVICE = 10_000_000L;
    /** p99 of the service time alone (10 ms ± 10 %), measured unloaded: see {@link #unloadedP99()}. */
    private static final long UNLOADED_P99 = unloadedP99();

    private final ManualClock clock = new ManualClock();
    private final Telemetry telemetry = Telemetry.create();

    private AdaptiveConcurrency limit(UnaryOperator<AdaptiveConcurrencyConfig.Builder> tweak) {
        AdaptiveConcurrencyConfig config = tweak.apply(AdaptiveConcurrencyConfig.builder().window(Duration.ofMillis(100)))
                .build();
        return AdaptiveConcurrency.of("sim", config, TestContexts.direct(clock, telemetry));
    }

    private QueueingService service(AdaptiveConcurrency limit) {
        return new QueueingService(clock, limit, KNEE, SERVICE, Long.getLong("sim.seed", 7));
    }

    private static long unloadedP99() {
        ManualClock c = new ManualClock();
        AdaptiveConcurrency never = AdaptiveConcurrency.of("unloaded", AdaptiveConcurrencyConfig.builder()
                .initialLimit(1000).limits(1000, 1000).build(), TestContexts.direct(c, Telemetry.create()));
        QueueingService s = new QueueingService(c, never, KNEE, SERVICE, 11);
        return s.run(0.2 * s.capacity(), 5).percentile(99);
    }

    private static void assertServesNearCapacity(QueueingService s, QueueingService.Phase phase) {
        assertThat(phase.goodput()).as("goodput of %s", phase).isGreaterThanOrEqualTo(0.9 * s.capacity());
        assertThat(phase.percentile(99)).as("p99 of %s vs unloaded %d", phase, UNLOADED_P99)
                .isLessThanOrEqualTo(2 * UNLOADED_P99);
    }

    // ---------------------------------------------------------------- convergence

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void convergesNearTheKneeFromBelowWhenTheOfferedLoadIsTwiceTheCapacity(Algorithm algorithm) {
        AdaptiveConcurrency limit = limit(b -> b.algorithm(algorithm).initialLimit(5));
        QueueingService s = service(limit);
        s.run(2 * s.capacity(), 2);

        QueueingService.Phase steady = s.run(2 * s.capacity(), 8);

        assertThat(steady.meanLimit()).isBetween(0.9 * KNEE, 1.5 * KNEE);
        assertThat(steady.minLimit()).isGreaterThanOrEqualTo((int) (0.7 * KNEE));
        assertServesNearCapacity(s, steady);
        assertThat(limit.stats().baselineLatency()).isBetween(Duration.ofMillis(9), Duration.ofMillis(11));
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void convergesNearTheKneeFromAboveWhenTheOfferedLoadIsTwiceTheCapacity(Algorithm algorithm) {
        AdaptiveConcurrency limit = limit(b -> b.algorithm(algorithm).initialLimit(200));
        QueueingService s = service(limit);
        s.run(2 * s.capacity(), 1.5);
        assertThat(limit.limit()).as("after 1.5 s").isLessThanOrEqualTo((int) (1.5 * KNEE));

        QueueingService.Phase steady = s.run(2 * s.capacity(), 8);

        assertThat(steady.meanLimit()).isBetween(0.9 * KNEE, 1.5 * KNEE);
        assertServesNearCapacity(s, steady);
    }

    @Test
    void recoversWhenTheLoadDropsAndHoldsWhenItComesBack() {
        AdaptiveConcurrency limit = limit(b -> b.initialLimit(5));
        QueueingService s = service(limit);
        s.run(2 * s.capacity(), 5);
        s.run(0.5 * s.capacity(), 0.5);

        QueueingService.Phase light = s.run(0.5 * s.capacity(), 5);
        assertThat(light.rejected()).isZero();
        assertThat(light.percentile(99)).isLessThanOrEqualTo(UNLOADED_P99 * 11 / 10);
        assertThat(light.minLimit()).as("no collapse while app-limited").isGreaterThanOrEqualTo((int) (0.8 * KNEE));
        assertThat(light.maxLimit()).as("growth only while used: bounded by twice the peak in flight")
                .isLessThanOrEqualTo(4 * KNEE);

        QueueingService.Phase again = s.run(2 * s.capacity(), 3);
        assertServesNearCapacity(s, again);
    }

    @Test
    void followsACapacityDropFromAbove() {
        AdaptiveConcurrency limit = limit(b -> b.initialLimit(5));
        QueueingService s = service(limit);
        s.run(2 * s.capacity(), 3);
        s.servers = KNEE / 2;
        s.run(2 * s.capacity(), 2);

        QueueingService.Phase halved = s.run(2 * s.capacity(), 6);

        assertThat(halved.meanLimit()).isBetween(0.9 * KNEE / 2, 1.5 * KNEE / 2);
        assertServesNearCapacity(s, halved);
    }

    @Test
    void acceptsADependencyThatBecameSlowerInsteadOfSqueezingItToTheFloorAndFollowsItsRecovery() {
        AdaptiveConcurrency limit = limit(b -> b.initialLimit(5));
        QueueingService s = service(limit);
        s.run(2 * s.capacity(), 3);

        s.serviceNanos = 3 * SERVICE; // the same 50 servers, three times slower: the knee is still 50
        s.run(2 * s.capacity(), 3);
        QueueingService.Phase slow = s.run(2 * s.capacity(), 6);
        assertThat(slow.goodput()).isGreaterThanOrEqualTo(0.9 * s.capacity());
        assertThat(slow.meanLimit()).isBetween(0.9 * KNEE, 1.5 * KNEE);
        assertThat(limit.stats().baselineLatency()).isBetween(Duration.ofMillis(27), Duration.ofMillis(33));

        s.serviceNanos = SERVICE;
        s.run(2 * s.capacity(), 1);
        QueueingService.Phase recovered = s.run(2 * s.capacity(), 5);
        assertServesNearCapacity(s, recovered);
        assertThat(limit.stats().baselineLatency()).isBetween(Duration.ofMillis(9), Duration.ofMillis(11));
    }

    // ---------------------------------------------------------------- the pitfalls of earlier limiters

    /** Netflix concurrency-limits #35: Vegas without slow start ramps up far too slowly. */
    @Test
    void slowStartReachesAHighKneeInALogarithmicNumberOfWindows() {
        int knee = 400;
        AdaptiveConcurrency withSlowStart = limit(b -> b.algorithm(Algorithm.AIMD).initialLimit(5));
        QueueingService s = new QueueingService(clock, withSlowStart, knee, SERVICE, 3);
        s.run(2 * s.capacity(), 1.2);
        assertThat(withSlowStart.limit()).as("12 windows with slow start").isGreaterThanOrEqualTo((int) (0.8 * knee));

        ManualClock other = new ManualClock();
        AdaptiveConcurrency without = AdaptiveConcurrency.of("linear", AdaptiveConcurrencyConfig.builder()
                .algorithm(Algorithm.AIMD).initialLimit(5).window(Duration.ofMillis(100)).slowStart(false).build(),
                TestContexts.direct(other, telemetry));
        QueueingService linear = new QueueingService(other, without, knee, SERVICE, 3);
        linear.run(2 * linear.capacity(), 1.2);
        assertThat(without.limit()).as("12 windows of +1 without").isLessThan(knee / 10);
    }

    /** Netflix concurrency-limits #134: under modest overload Gradient2's queue allowance grows the limit without end. */
    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void modestOverloadForAMinuteDoesNotGrowTheLimit(Algorithm algorithm) {
        AdaptiveConcurrency limit = limit(b -> b.algorithm(algorithm).initialLimit(5));
        QueueingService s = service(limit);
        s.run(1.2 * s.capacity(), 5);
        List<QueueingService.Phase> minutes = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            minutes.add(s.run(1.2 * s.capacity(), 10));
        }
        for (QueueingService.Phase p : minutes) {
            assertThat(p.maxLimit()).as("%s", p).isLessThanOrEqualTo(2 * KNEE);
            assertServesNearCapacity(s, p);
        }
        assertThat(minutes.get(5).meanLimit()).as("no drift: last 10 s vs first 10 s")
                .isLessThanOrEqualTo(minutes.get(0).meanLimit() * 1.1);
        assertThat(limit.stats().baselineLatency()).isBetween(Duration.ofMillis(9), Duration.ofMillis(11));
    }

    /** Netflix concurrency-limits #125: low-traffic windows (health checks) poison the minimum latency. */
    @Test
    void aQuietPeriodOfFastHealthChecksDoesNotPoisonTheBaseline() {
        AdaptiveConcurrency limit = limit(b -> b.initialLimit(5));
        QueueingService s = service(limit);
        s.run(2 * s.capacity(), 3);
        AdaptiveConcurrencyStats before = limit.stats();

        s.serviceNanos = 100_000L; // health checks: 0.1 ms, 10 per window (fewer than minSamples)
        s.run(100, 10);
        assertThat(limit.stats().baselineLatency()).isEqualTo(before.baselineLatency());
        assertThat(limit.limit()).as("only the window holding the last real calls counted")
                .isBetween((int) (0.8 * before.limit()), (int) (1.2 * before.limit()) + 1);

        s.serviceNanos = SERVICE;
        assertServesNearCapacity(s, s.run(2 * s.capacity(), 2));

    }

    /** Envoy #8337: re-measuring the minimum latency drops the allowed concurrency to 1. */
    @Test
    void probesOfTheUnloadedLatencyNeverPinTheLimitAndCostNoGoodput() {
        AdaptiveConcurrency limit = limit(b -> b.initialLimit(5));
        QueueingService s = service(limit);
        s.run(2 * s.capacity(), 2);
        try (TelemetryCapture events = TelemetryCapture.all(telemetry)) {
            for (int second = 0; second < 30; second++) {
                QueueingService.Phase p = s.run(2 * s.capacity(), 1);
                assertThat(p.minLimit()).as("second %d: %s", second, p).isGreaterThanOrEqualTo((int) (0.7 * KNEE));
                assertThat(p.goodput()).as("second %d: %s", second, p).isGreaterThanOrEqualTo(0.9 * s.capacity());
            }
            long probeStarts = events.named(Events.OVERLOAD_LIMIT_CHANGED).stream()
                    .filter(e -> "probe".equals(e.metadata().get("reason")))
                    .filter(e -> ((Number) e.measurements().get("limit")).intValue()
                            < ((Number) e.measurements().get("previous_limit")).intValue())
                    .count();
            assertThat(probeStarts).as("a probe every 30 windows, each one or two steps down").isBetween(9L, 25L);
            assertThat(events.undeclared()).isEmpty();
        }
    }

    /** Envoy #14997: a minimum computed over an empty histogram is huge. */
    @Test
    void anIdleMinuteComputesNothingAndTheNextWindowsDecideAsBefore() {
        AdaptiveConcurrency limit = limit(b -> b.initialLimit(5));
        QueueingService s = service(limit);
        s.run(2 * s.capacity(), 3);
        AdaptiveConcurrencyStats before = limit.stats();

        try (TelemetryCapture events = TelemetryCapture.all(telemetry)) {
            s.idle(60);
            s.run(5, 1); // a lone call after the gap closes the old window, then windows of too few samples

            // only the windows holding the last calls' real latencies count (the tail of ~15 ms spans
            // at most two windows, closed lazily by the next call to end); the empty minute, nothing
            assertThat(events.count(Events.OVERLOAD_LIMIT_CHANGED)).isLessThanOrEqualTo(2);
        }
        AdaptiveConcurrencyStats after = limit.stats();
        assertThat(after.baselineLatency()).isEqualTo(before.baselineLatency());
        assertThat(after.windowLatency()).isLessThan(Duration.ofMillis(20));
        assertServesNearCapacity(s, s.run(2 * s.capacity(), 2));
    }

    // ---------------------------------------------------------------- bounds, permits, errors

    @Test
    void theLimitStaysWithinTheFloorAndTheCeiling() {
        AdaptiveConcurrency capped = limit(b -> b.initialLimit(10).limits(10, 30));
        QueueingService s = service(capped);
        QueueingService.Phase p = s.run(2 * s.capacity(), 5);
        assertThat(p.maxLimit()).isLessThanOrEqualTo(30);
        assertThat(p.minLimit()).isGreaterThanOrEqualTo(10);

        ManualClock other = new ManualClock();
        AdaptiveConcurrency floored = AdaptiveConcurrency.of("floored", AdaptiveConcurrencyConfig.builder()
                .initialLimit(20).limits(20, 100).window(Duration.ofMillis(100)).build(), TestContexts.direct(other, telemetry));
        QueueingService small = new QueueingService(other, floored, 5, SERVICE, 5);
        QueueingService.Phase q = small.run(4 * small.capacity(), 5);
        assertThat(q.minLimit()).isEqualTo(20);
    }

    @Test
    void aTimedOutCallIsADropThatCutsTheGradientLimitInHalf() {
        AdaptiveConcurrency limit = limit(b -> b.initialLimit(40));
        QueueingService s = service(limit);
        s.run(0.6 * s.capacity(), 3);
        int before = limit.limit();
        long permit = limit.tryAcquire();
        clock.advance(Duration.ofMillis(100));
        limit.onDropped(permit);
        s.run(0.6 * s.capacity(), 0.15);
        assertThat(limit.limit()).isBetween(before / 2 - 1, before / 2 + 1);
        assertThat(limit.stats().dropped()).isEqualTo(1);
    }

    @Test
    void permitsAreCountedAndARejectionIs7202WithTheLimitInItsContextAndNoStackTrace() {
        AdaptiveConcurrency limit = limit(b -> b.initialLimit(2).limits(1, 2));
        long first = limit.tryAcquire();
        long second = limit.tryAcquire();
        assertThat(first).isNotEqualTo(AdaptiveConcurrency.NO_PERMIT);
        assertThat(second).isNotEqualTo(AdaptiveConcurrency.NO_PERMIT);
        assertThat(limit.tryAcquire()).isEqualTo(AdaptiveConcurrency.NO_PERMIT);

        Result<String> rejected = limit.execute(() -> "never runs");
        InfraError error = ((Result.Err<String>) rejected).error();
        assertThat(error.code()).isEqualTo(CoreErrorCode.CONCURRENCY_LIMITED.code());
        assertThat(error.isRejection()).isTrue();
        assertThat(error.httpStatus()).isEqualTo(503);
        assertThat(error.context()).containsEntry("limit", 2).containsEntry("name", "sim");
        assertThat(error.retryAfter()).isPositive();
        assertThat(error.toException().getStackTrace()).isEmpty();

        limit.onIgnored(first);
        assertThat(limit.execute(() -> "runs")).isEqualTo(Result.ok("runs"));
        limit.onSuccess(second);
        AdaptiveConcurrencyStats stats = limit.stats();
        assertThat(stats.inFlight()).isZero();
        assertThat(stats.admitted()).isEqualTo(3);
        assertThat(stats.rejected()).isEqualTo(2);
    }

    @Test
    void throughAProtectionTheStageAdmitsReportsItsStatusAndEmitsDeclaredEvents() {
        try (Infrastructure infra = Infrastructure.builder().clock(clock).executor(Runnable::run).build();
             TelemetryCapture events = TelemetryCapture.all(infra.telemetry())) {
            infra.configureProtection("search", Protection.builder()
                    .adaptiveConcurrency(AdaptiveConcurrencyConfig.builder().initialLimit(4).window(Duration.ofMillis(100))
                            .minSamples(5).build())
                    .build());
            for (int i = 0; i < 200; i++) {
                Result<String> r = infra.executeProtected("search", () -> {
                    clock.advance(Duration.ofMillis(10));
                    return "ok";
                });
                assertThat(r).isEqualTo(Result.ok("ok"));
            }
            AdaptiveConcurrencyStats stats = infra.protectionStatus("search").getOrThrow()
                    .stage(Slot.ADAPTIVE_CONCURRENCY, AdaptiveConcurrencyStats.class);
            assertThat(stats.admitted()).isEqualTo(200);
            assertThat(stats.baselineLatency()).isBetween(Duration.ofMillis(9), Duration.ofMillis(11));
            assertThat(stats.algorithm()).isEqualTo(Algorithm.GRADIENT);
            assertThat(events.undeclared()).isEmpty();

            // a reconfiguration keeps the limit's state under a new ceiling
            infra.configureProtection("search", Protection.builder()
                    .adaptiveConcurrency(AdaptiveConcurrencyConfig.builder().initialLimit(2).limits(1, 2)
                            .window(Duration.ofMillis(100)).minSamples(5).build())
                    .build());
            AdaptiveConcurrencyStats kept = infra.protectionStatus("search").getOrThrow()
                    .stage(Slot.ADAPTIVE_CONCURRENCY, AdaptiveConcurrencyStats.class);
            assertThat(kept.admitted()).isEqualTo(200);
            assertThat(kept.limit()).isEqualTo(2);
            assertThat(kept.baselineLatency()).isEqualTo(stats.baselineLatency());
        }
    }

    @Test
    void configsValidateAndCompareByValue() {
        AdaptiveConcurrencyConfig a = AdaptiveConcurrencyConfig.builder().initialLimit(10).limits(2, 50).build();
        assertThat(a).isEqualTo(AdaptiveConcurrencyConfig.builder().limits(2, 50).initialLimit(10).build())
                .hasSameHashCodeAs(AdaptiveConcurrencyConfig.builder().limits(2, 50).initialLimit(10).build())
                .isNotEqualTo(a.toBuilder().algorithm(Algorithm.AIMD).build());
        assertThat(a.toBuilder().build()).isEqualTo(a);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AdaptiveConcurrencyConfig.builder().limits(5, 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4").hasMessageContaining("5");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AdaptiveConcurrencyConfig.builder().initialLimit(100)
                .limits(1, 50).build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("100");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AdaptiveConcurrencyConfig.builder().tolerance(1.0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1.0");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AdaptiveConcurrencyConfig.builder().window(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
    }
}
