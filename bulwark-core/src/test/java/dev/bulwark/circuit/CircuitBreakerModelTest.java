package dev.bulwark.circuit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Result;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.time.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;

/**
 * Model-based test: random configurations and random sequences of successes, failures, slow calls,
 * ignored calls, time advances, resets, disables and enables, run against {@link CircuitBreaker}
 * and against {@link ReferenceBreaker}. After every step both must agree on the state, and on
 * whether the call was admitted.
 */
class CircuitBreakerModelTest {

    sealed interface Step permits Call, Advance, Reset, Disable, Enable {
    }

    /** A call lasting {@code millis} that succeeds, fails (IOException) or is ignored (IllegalStateException). */
    record Call(Kind kind, long millis) implements Step {
    }

    enum Kind { SUCCESS, FAILURE, IGNORED }

    record Advance(long millis) implements Step {
    }

    record Reset() implements Step {
    }

    record Disable() implements Step {
    }

    record Enable() implements Step {
    }

    record Scenario(ReferenceBreaker.Settings settings, List<Step> steps) {
    }

    @Property(tries = 400, shrinking = ShrinkingMode.BOUNDED)
    void breakerAgreesWithTheReferenceModel(@ForAll("scenarios") Scenario scenario) {
        ManualClock clock = new ManualClock();
        try (Telemetry telemetry = Telemetry.create()) {
            CircuitBreaker breaker = CircuitBreakers.create(clock, telemetry).install("model", toConfig(scenario.settings()));
            ReferenceBreaker model = new ReferenceBreaker(scenario.settings(), clock.nanoTime());
            int stepNumber = 0;
            for (Step step : scenario.steps()) {
                stepNumber++;
                String where = "step " + stepNumber + " " + step + " of " + scenario;
                long now = clock.nanoTime();
                if (step instanceof Call call) {
                    boolean admitted = model.admits(now);
                    Result<String> result = breaker.execute(() -> {
                        clock.advance(Duration.ofMillis(call.millis()));
                        if (call.kind() == Kind.FAILURE) {
                            throw new IOException("down");
                        }
                        if (call.kind() == Kind.IGNORED) {
                            throw new IllegalStateException("not the dependency's fault");
                        }
                        return "ok";
                    });
                    boolean rejected = result.errValue().map(e -> e.code() == 5004).orElse(false);
                    assertThat(!rejected).as("admitted at " + where).isEqualTo(admitted);
                    if (admitted) {
                        model.record(clock.nanoTime(), Duration.ofMillis(call.millis()).toNanos(),
                                call.kind() == Kind.FAILURE, call.kind() == Kind.IGNORED);
                    }
                } else if (step instanceof Advance advance) {
                    clock.advance(Duration.ofMillis(advance.millis()));
                } else if (step instanceof Reset) {
                    breaker.reset();
                    model.reset(now);
                } else if (step instanceof Disable) {
                    breaker.disable();
                    model.disable(now);
                } else if (step instanceof Enable) {
                    breaker.enable();
                    model.enable(now);
                }
                assertThat(breaker.state()).as("state after " + where).isEqualTo(model.state(clock.nanoTime()));
            }
        }
    }

    private static CircuitBreakerConfig toConfig(ReferenceBreaker.Settings s) {
        CircuitBreakerConfig.Builder b = CircuitBreakerConfig.builder().ignoreExceptions(IllegalStateException.class);
        if (s.maxMelts() != null) {
            b.failureCount(s.maxMelts(), Duration.ofNanos(s.meltWindow()));
        }
        if (s.failureRate() != null) {
            b.failureRate(s.failureRate(), window(s.rateWindowCalls(), s.rateWindowNanos()), s.rateMinimum());
        }
        if (s.slowRate() != null) {
            b.slowCallRate(Duration.ofNanos(s.slowerThan()), s.slowRate(),
                    window(s.slowWindowCalls(), s.slowWindowNanos()), s.slowMinimum());
        }
        if (s.consecutive() > 0) {
            b.consecutiveFailures(s.consecutive());
        }
        if (s.halfOpen()) {
            b.halfOpen(Duration.ofNanos(s.open()), s.trialCalls(), s.successThreshold());
        } else {
            b.reset(Duration.ofNanos(s.open()));
        }
        b.trialTimeout(Duration.ofNanos(s.trialTimeout()));
        if (s.multiplier() > 1.0) {
            b.backoff(s.multiplier(), Duration.ofNanos(s.maxOpen()));
        }
        return b.build();
    }

    private static SlidingWindow window(Integer calls, long nanos) {
        return calls != null ? SlidingWindow.ofCalls(calls) : SlidingWindow.ofDuration(Duration.ofNanos(nanos));
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        return Combinators.combine(settings(), steps().list().ofMinSize(1).ofMaxSize(80)).as(Scenario::new);
    }

    private static Arbitrary<Step> steps() {
        Arbitrary<Long> callMillis = Arbitraries.of(0L, 0L, 0L, 40L, 400L, 2_500L);
        return Arbitraries.frequencyOf(
                Tuple.of(12, Combinators.combine(Arbitraries.of(Kind.class), callMillis).as(Call::new)),
                Tuple.of(4, Arbitraries.longs().between(0, 25_000).map(Advance::new)),
                Tuple.of(1, Arbitraries.just(new Reset())),
                Tuple.of(1, Arbitraries.just(new Disable())),
                Tuple.of(1, Arbitraries.just(new Enable())));
    }

    private static Arbitrary<ReferenceBreaker.Settings> settings() {
        Arbitrary<Long> seconds = Arbitraries.longs().between(1, 30).map(s -> Duration.ofSeconds(s).toNanos());
        Arbitrary<Integer> windowCalls = Arbitraries.integers().between(1, 8);
        Arbitrary<Double> percent = Arbitraries.of(10.0, 25.0, 50.0, 60.0, 75.0, 100.0);

        Arbitrary<Tuple.Tuple2<Integer, Long>> failureCount =
                Combinators.combine(Arbitraries.integers().between(0, 4), seconds).as(Tuple::of).injectNull(0.5);
        Arbitrary<Tuple.Tuple4<Double, Integer, Long, Integer>> failureRate = Combinators.combine(
                percent, windowCalls.injectNull(0.5), seconds, Arbitraries.integers().between(1, 8))
                .as(Tuple::of).injectNull(0.5);
        Arbitrary<Tuple.Tuple5<Long, Double, Integer, Long, Integer>> slowRate = Combinators.combine(
                Arbitraries.of(100L, 1_000L).map(ms -> Duration.ofMillis(ms).toNanos()), percent,
                windowCalls.injectNull(0.5), seconds, Arbitraries.integers().between(1, 8))
                .as(Tuple::of).injectNull(0.6);
        Arbitrary<Integer> consecutive = Arbitraries.integers().between(1, 4).injectNull(0.6);
        Arbitrary<Tuple.Tuple5<Boolean, Long, Integer, Integer, Long>> recovery = Combinators.combine(
                Arbitraries.of(true, false), seconds, Arbitraries.integers().between(1, 4),
                Arbitraries.integers().between(1, 4), seconds).as(Tuple::of);
        Arbitrary<Double> multiplier = Arbitraries.of(1.0, 2.0, 3.0);

        return Combinators.combine(failureCount, failureRate, slowRate, consecutive, recovery, multiplier)
                .as((fc, fr, sr, consec, rec, mult) -> {
                    boolean anyPolicy = fc != null || fr != null || sr != null || consec != null;
                    Tuple.Tuple2<Integer, Long> melts = anyPolicy ? fc : Tuple.of(2, Duration.ofSeconds(10).toNanos());
                    int trialCalls = rec.get3();
                    int successThreshold = Math.min(rec.get4(), trialCalls);
                    long open = rec.get2();
                    return new ReferenceBreaker.Settings(
                            melts == null ? null : melts.get1(), melts == null ? 0 : melts.get2(),
                            fr == null ? null : fr.get1(), fr == null ? null : fr.get2(), fr == null ? 0 : fr.get3(),
                            fr == null ? 0 : minimum(fr.get4(), fr.get2()),
                            sr == null ? null : sr.get1(), sr == null ? null : sr.get2(), sr == null ? null : sr.get3(),
                            sr == null ? 0 : sr.get4(), sr == null ? 0 : minimum(sr.get5(), sr.get3()),
                            consec == null ? 0 : consec,
                            rec.get1(), open, trialCalls, successThreshold, rec.get5(),
                            mult, open * 5);
                });
    }

    private static int minimum(int wanted, Integer windowCalls) {
        return windowCalls == null ? wanted : Math.min(wanted, windowCalls);
    }
}
