package dev.bulwark.circuit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Result;
import dev.bulwark.error.InfraError;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.time.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;

/**
 * A breaker's history never depends on how often anyone looks at it (docs/circuit-breakers.md,
 * "Time-caused transitions"): random command sequences — calls that succeed, fail or are ignored,
 * time passing, permits taken and reported late, resets, disables and enables — run twice on two
 * breakers with the same configuration and the same clock schedule, once with {@code state()} and
 * {@code stats()} read after every step and once without. Both runs must answer every step alike,
 * emit the same state changes (from, to, trigger) and end with equal stats.
 */
class ReadIndependenceProperties {

    enum Kind { SUCCESS, FAILURE, IGNORED }

    sealed interface Step permits Call, Advance, Acquire, Report, GiveBack, Reset, Disable, Enable {
    }

    /** A call through {@code execute} that lasts {@code millis}. */
    record Call(Kind kind, long millis) implements Step {
    }

    record Advance(long millis) implements Step {
    }

    /** {@code tryAcquire()}; a granted permit waits for a {@link Report} or {@link GiveBack}. */
    record Acquire() implements Step {
    }

    /** {@code millis} pass, then the oldest outstanding permit reports its outcome. */
    record Report(Kind kind, long millis) implements Step {
    }

    /** {@code millis} pass, then the oldest outstanding permit is given back with {@code onIgnored()}. */
    record GiveBack(long millis) implements Step {
    }

    record Reset() implements Step {
    }

    record Disable() implements Step {
    }

    record Enable() implements Step {
    }

    /** One configuration family and its numbers; {@link #build()} makes a fresh config (its own seeded Random). */
    record Settings(String family, int count, long windowMillis, boolean countWindow, boolean halfOpen, long openMillis,
                    int trials, int successes, long trialTimeoutMillis, double multiplier, double jitter, long seed) {

        CircuitBreakerConfig build() {
            CircuitBreakerConfig.Builder b = CircuitBreakerConfig.builder().ignoreExceptions(IllegalStateException.class);
            SlidingWindow window = countWindow ? SlidingWindow.ofCalls(Math.max(1, count + 2))
                    : SlidingWindow.ofDuration(Duration.ofMillis(windowMillis));
            switch (family) {
                case "failureCount" -> b.failureCount(count, Duration.ofMillis(windowMillis));
                case "failureRate" -> b.failureRate(50, window, Math.max(1, Math.min(count + 1,
                        countWindow ? count + 2 : Integer.MAX_VALUE)));
                case "slowCallRate" -> b.slowCallRate(Duration.ofMillis(100), 50, window, 1).failureCount(count + 1,
                        Duration.ofMillis(windowMillis));
                case "consecutive" -> b.consecutiveFailures(count + 1);
                default -> b.failureCount(count, Duration.ofMillis(windowMillis)).consecutiveFailures(count + 2)
                        .failureRate(60, window, 1);
            }
            if (halfOpen) {
                b.halfOpen(Duration.ofMillis(openMillis), trials, Math.min(successes, trials))
                        .trialTimeout(Duration.ofMillis(trialTimeoutMillis));
            } else {
                b.reset(Duration.ofMillis(openMillis));
            }
            if (multiplier > 1.0) {
                b.backoff(multiplier, Duration.ofMillis(openMillis * 8));
            }
            if (jitter > 0.0) {
                b.jitter(jitter).random(new Random(seed));
            }
            return b.build();
        }
    }

    record Scenario(Settings settings, List<Step> steps) {
    }

    /** What one run saw: the answer of every step, every state change, and the end. */
    record Trace(List<String> answers, List<String> stateChanges, State state, Stats stats) {
    }

    @Property(tries = 500, shrinking = ShrinkingMode.BOUNDED)
    void readingStateOrStatsChangesNothing(@ForAll("scenarios") Scenario scenario) {
        Trace unread = run(scenario, false);
        Trace read = run(scenario, true);
        assertThat(unread.answers()).as("answers of %s", scenario).isEqualTo(read.answers());
        assertThat(unread.stateChanges()).as("state changes of %s", scenario).isEqualTo(read.stateChanges());
        assertThat(unread.state()).as("final state of %s", scenario).isEqualTo(read.state());
        assertThat(unread.stats()).as("final stats of %s", scenario).isEqualTo(read.stats());
    }

    private static Trace run(Scenario scenario, boolean readAfterEveryStep) {
        ManualClock clock = new ManualClock();
        try (Telemetry telemetry = Telemetry.create()) {
            List<String> stateChanges = new ArrayList<>();
            telemetry.attach("changes", telemetry.name(Events.CIRCUIT_BREAKER_STATE_CHANGE), (name, m, md) ->
                    stateChanges.add(md.get("from") + ">" + md.get("to") + ":" + md.get("trigger")));
            CircuitBreaker cb = CircuitBreakers.create(clock, telemetry).install("b", scenario.settings().build());
            Deque<Long> permits = new ArrayDeque<>();
            List<String> answers = new ArrayList<>();
            for (Step step : scenario.steps()) {
                answers.add(apply(step, cb, clock, permits));
                if (readAfterEveryStep) {
                    cb.state();
                    cb.stats();
                }
            }
            State state = cb.state();
            return new Trace(answers, stateChanges, state, cb.stats());
        }
    }

    private static String apply(Step step, CircuitBreaker cb, ManualClock clock, Deque<Long> permits) {
        if (step instanceof Call call) {
            Result<String> result = cb.execute(() -> {
                clock.advance(Duration.ofMillis(call.millis()));
                return switch (call.kind()) {
                    case SUCCESS -> "ok";
                    case FAILURE -> throw new IOException("down");
                    case IGNORED -> throw new IllegalStateException("not the dependency's fault");
                };
            });
            return result.errValue().map(InfraError::code).map(String::valueOf).orElse("ok");
        }
        if (step instanceof Advance advance) {
            clock.advance(Duration.ofMillis(advance.millis()));
            return "advanced";
        }
        if (step instanceof Acquire) {
            boolean granted = cb.tryAcquire();
            if (granted) {
                permits.addLast(clock.nanoTime());
            }
            return granted ? "permit" : "refused";
        }
        if (step instanceof Report report) {
            if (permits.isEmpty()) {
                return "no permit";
            }
            clock.advance(Duration.ofMillis(report.millis()));
            long duration = clock.nanoTime() - permits.removeFirst();
            switch (report.kind()) {
                case SUCCESS -> cb.onSuccess(duration);
                case FAILURE -> cb.onFailure(duration, new IOException("down"));
                case IGNORED -> cb.onFailure(duration, new IllegalStateException("ignored"));
            }
            return "reported";
        }
        if (step instanceof GiveBack giveBack) {
            if (permits.isEmpty()) {
                return "no permit";
            }
            clock.advance(Duration.ofMillis(giveBack.millis()));
            permits.removeFirst();
            cb.onIgnored();
            return "given back";
        }
        if (step instanceof Reset) {
            return "reset " + cb.reset();
        }
        if (step instanceof Disable) {
            return "disable " + cb.disable();
        }
        return "enable " + cb.enable();
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        return Combinators.combine(settings(), steps().list().ofMinSize(1).ofMaxSize(60)).as(Scenario::new);
    }

    private static Arbitrary<Step> steps() {
        Arbitrary<Long> millis = Arbitraries.of(0L, 0L, 1L, 50L, 150L, 1_000L, 2_500L);
        Arbitrary<Kind> kinds = Arbitraries.of(Kind.class);
        return Arbitraries.frequencyOf(
                Tuple.of(10, Combinators.combine(kinds, millis).as(Call::new)),
                Tuple.of(5, Arbitraries.of(1L, 999L, 1_000L, 1_001L, 3_000L, 10_000L).map(Advance::new)),
                Tuple.of(4, Arbitraries.just(new Acquire())),
                Tuple.of(4, Combinators.combine(kinds, millis).as(Report::new)),
                Tuple.of(1, millis.map(GiveBack::new)),
                Tuple.of(1, Arbitraries.just(new Reset())),
                Tuple.of(1, Arbitraries.just(new Disable())),
                Tuple.of(1, Arbitraries.just(new Enable())));
    }

    private static Arbitrary<Settings> settings() {
        Arbitrary<String> family = Arbitraries.of("failureCount", "failureRate", "slowCallRate", "consecutive", "combined");
        Arbitrary<Integer> count = Arbitraries.integers().between(0, 3);
        Arbitrary<Long> windowMillis = Arbitraries.of(1L, 1_000L, 5_000L, 20_000L);
        Arbitrary<Boolean> countWindow = Arbitraries.of(true, false);
        Arbitrary<Boolean> halfOpen = Arbitraries.of(true, false);
        Arbitrary<Long> openMillis = Arbitraries.of(1L, 1_000L, 3_000L);
        Arbitrary<Integer> trials = Arbitraries.integers().between(1, 3);
        Arbitrary<Long> trialTimeout = Arbitraries.of(500L, 2_000L, 60_000L);
        Arbitrary<Double> multiplier = Arbitraries.of(1.0, 2.0);
        Arbitrary<Double> jitter = Arbitraries.of(0.0, 0.2);
        Arbitrary<Long> seed = Arbitraries.longs();
        return Combinators.combine(family, count, windowMillis, countWindow, halfOpen, openMillis, trials, trials)
                .flatAs((f, c, w, cw, ho, o, t, s) -> Combinators.combine(trialTimeout, multiplier, jitter, seed)
                        .as((tt, m, j, sd) -> new Settings(f, c, w, cw, ho, o, t, s, tt, m, j, sd)));
    }
}
