package dev.bulwark.functional;

import static dev.bulwark.functional.Dependency.Step.fail;
import static dev.bulwark.functional.Dependency.Step.ok;
import static dev.bulwark.functional.Dependency.Step.slow;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Infrastructure;
import dev.bulwark.Protection;
import dev.bulwark.Result;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.circuit.State;
import dev.bulwark.circuit.Stats;
import dev.bulwark.error.InfraError;
import dev.bulwark.pipeline.BulkheadConfig;
import dev.bulwark.pipeline.FallbackConfig;
import dev.bulwark.pipeline.RetryBudget;
import dev.bulwark.pipeline.RetryConfig;
import dev.bulwark.telemetry.Events;
import dev.bulwark.testing.TestThreads;
import dev.bulwark.testkit.TelemetryCapture;
import dev.bulwark.time.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each composition of the pipeline, run through the synchronous and the asynchronous path on a
 * manual clock: the outcome, the error code and how many times the breaker counted must be the
 * same on both, and the breaker must count each attempt exactly once.
 */
class PipelineScenarioTest {

    private static final String BREAKER = "inventory";
    /** Fuse: opens on the 11th failure within a minute, so it stays closed in most scenarios. */
    private static final CircuitBreakerConfig TOLERANT = CircuitBreakerConfig.builder()
            .failureCount(10, Duration.ofMinutes(1)).build();

    private final ManualClock clock = new ManualClock();
    private final ExecutorService pool = TestThreads.newExecutor();
    private Infrastructure infra;
    private TelemetryCapture everyEvent;

    @AfterEach
    void close() {
        if (infra != null) {
            infra.close();
            assertThat(everyEvent.undeclared()).as("events carry only what their declarations say").isEmpty();
            everyEvent.close();
        }
        pool.shutdownNow();
    }

    private Infrastructure start(Mode mode) {
        infra = mode.infrastructure(clock, pool);
        everyEvent = TelemetryCapture.all(infra.telemetry());
        return infra;
    }

    private Stats breaker() {
        return infra.circuitBreakers().status(BREAKER).getOrThrow();
    }

    private static InfraError error(Result<String> r) {
        return r.errValue().orElseThrow(() -> new AssertionError("expected an error, got " + r));
    }

    private static RetryConfig.Builder retry(int attempts) {
        return RetryConfig.builder().maxAttempts(attempts).noBackoff();
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aBreakerAloneCountsTheFailedCallOnceAndReturns5003(Mode mode) {
        start(mode);
        Protection p = Protection.builder().circuitBreaker(BREAKER, TOLERANT).build();
        Dependency dep = new Dependency(clock, fail());

        Result<String> r = mode.run(infra, clock, p, null, dep);

        assertThat(error(r).code()).isEqualTo(5003);
        assertThat(dep.calls()).isEqualTo(1);
        assertThat(breaker().meltCount()).isEqualTo(1);
        assertThat(breaker().okCount()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void theSeedsBreakerFormUsesTheInstalledBreakerAndFailsWith5005WhenThereIsNone(Mode mode) {
        start(mode);
        Dependency dep = new Dependency(clock, ok("v"));
        assertThat(error(mode.run(infra, clock, Protection.circuitBreaker("missing"), null, dep)).code()).isEqualTo(5005);
        assertThat(dep.calls()).isZero();

        infra.circuitBreakers().install("missing");
        assertThat(mode.run(infra, clock, Protection.circuitBreaker("missing"), null, dep)).isEqualTo(Result.ok("v"));
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aRetryAroundTheBreakerHasEveryAttemptCountedExactlyOnce(Mode mode) {
        start(mode);
        Protection p = Protection.builder().retry(retry(3).build()).circuitBreaker(BREAKER, TOLERANT).build();
        Dependency dep = new Dependency(clock, fail(), fail(), ok("third time"));

        assertThat(mode.run(infra, clock, p, null, dep)).isEqualTo(Result.ok("third time"));
        assertThat(dep.calls()).isEqualTo(3);
        assertThat(breaker().meltCount()).isEqualTo(2);
        assertThat(breaker().okCount()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void whenEveryAttemptFailsTheCallerGets7003AndTheBreakerOneMeltPerAttempt(Mode mode) {
        start(mode);
        Protection p = Protection.builder().retry(retry(4).build()).circuitBreaker(BREAKER, TOLERANT).build();
        Dependency dep = new Dependency(clock, fail());

        InfraError e = error(mode.run(infra, clock, p, null, dep));

        assertThat(e.code()).isEqualTo(7003);
        assertThat(e.context()).containsEntry("attempts", 4).containsEntry("last_error_code", 5003);
        assertThat(dep.calls()).isEqualTo(4);
        assertThat(breaker().meltCount()).isEqualTo(4);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aBreakerThatOpensDuringTheRetriesEndsThemWithItsRejection(Mode mode) {
        start(mode);
        CircuitBreakerConfig opensOnSecondFailure = CircuitBreakerConfig.builder()
                .failureCount(1, Duration.ofMinutes(1)).reset(Duration.ofMinutes(1)).build();
        Protection p = Protection.builder()
                .retry(RetryConfig.builder().maxAttempts(5).fixedBackoff(Duration.ofMillis(10))
                        .maxRetryAfter(Duration.ofSeconds(1)).build())
                .circuitBreaker(BREAKER, opensOnSecondFailure).build();
        Dependency dep = new Dependency(clock, fail());

        InfraError e = error(mode.run(infra, clock, p, null, dep));

        // Attempts 1 and 2 fail and open the breaker; attempt 3 is rejected with a minute to wait,
        // longer than the retry will wait, so the rejection is the answer.
        assertThat(e.code()).isEqualTo(5004);
        assertThat(e.retryAfter()).isEqualTo(Duration.ofMinutes(1).minusMillis(10));
        assertThat(dep.calls()).isEqualTo(2);
        assertThat(breaker().meltCount()).isEqualTo(2);
        assertThat(breaker().rejectedCount()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aRetryWaitsForTheBreakersRetryAfterAndSucceedsOnTheTrialCall(Mode mode) {
        start(mode);
        CircuitBreakerConfig halfOpensAfter200ms = CircuitBreakerConfig.builder()
                .consecutiveFailures(1).halfOpen(Duration.ofMillis(200), 1, 1).build();
        Protection p = Protection.builder()
                .retry(RetryConfig.builder().maxAttempts(3).fixedBackoff(Duration.ofMillis(10)).build())
                .circuitBreaker(BREAKER, halfOpensAfter200ms).build();
        Dependency dep = new Dependency(clock, fail(), ok("recovered"));

        Result<String> r = mode.run(infra, clock, p, null, dep);

        assertThat(r).isEqualTo(Result.ok("recovered"));
        // attempt 1 at 0 ms fails and opens; attempt 2 at 10 ms is rejected (retry after 190 ms);
        // attempt 3 at 200 ms is the half-open trial.
        assertThat(dep.callTimes()).containsExactly(Duration.ZERO, Duration.ofMillis(200));
        Stats stats = breaker();
        assertThat(stats.state()).isEqualTo(State.CLOSED);
        assertThat(stats.meltCount()).isEqualTo(1);
        assertThat(stats.rejectedCount()).isEqualTo(1);
        assertThat(stats.okCount()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void eachAttemptThatTimesOutIsOneFailureOfTheBreaker(Mode mode) {
        start(mode);
        Protection p = Protection.builder().retry(retry(3).build()).circuitBreaker(BREAKER, TOLERANT)
                .attemptTimeout(Duration.ofMillis(100)).build();
        Dependency dep = new Dependency(clock, slow(Duration.ofSeconds(1), "too late"));

        InfraError e = error(mode.run(infra, clock, p, null, dep));

        assertThat(e.code()).isEqualTo(7003);
        assertThat(e.context()).containsEntry("last_error_code", 7002);
        assertThat(dep.calls()).isEqualTo(3);
        assertThat(breaker().meltCount()).isEqualTo(3);
        assertThat(breaker().okCount()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void anAttemptThatEndsInTimeIsASuccess(Mode mode) {
        start(mode);
        Protection p = Protection.builder().circuitBreaker(BREAKER, TOLERANT).attemptTimeout(Duration.ofMillis(100)).build();
        Dependency dep = new Dependency(clock, slow(Duration.ofMillis(99), "in time"));
        assertThat(mode.run(infra, clock, p, null, dep)).isEqualTo(Result.ok("in time"));
        assertThat(breaker().okCount()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aTotalTimeoutBoundsTheRetriesAndTheirWaits(Mode mode) {
        start(mode);
        Protection p = Protection.builder()
                .totalTimeout(Duration.ofSeconds(1))
                .retry(RetryConfig.builder().maxAttempts(10).fixedBackoff(Duration.ofMillis(300)).build())
                .circuitBreaker(BREAKER, TOLERANT).build();
        Dependency dep = new Dependency(clock, fail());

        InfraError e = error(mode.run(infra, clock, p, null, dep));

        // attempts at 0, 300, 600 and 900 ms; the deadline at 1000 ms falls in the next wait.
        assertThat(e.code()).isEqualTo(7002);
        assertThat(e.context()).containsEntry("name", "inventory.total");
        assertThat(dep.callTimes()).containsExactly(Duration.ZERO, Duration.ofMillis(300), Duration.ofMillis(600),
                Duration.ofMillis(900));
        assertThat(breaker().meltCount()).isEqualTo(4);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aFullBulkheadRejectsWithoutCallingTheDependencyOrCountingTheBreaker(Mode mode) {
        start(mode);
        Protection p = Protection.builder().bulkhead(BulkheadConfig.of(1)).circuitBreaker(BREAKER, TOLERANT).build();
        CompletableFuture<String> neverAnswers = new CompletableFuture<>();
        infra.executeProtectedAsync(p, () -> neverAnswers);   // holds the only place
        Dependency dep = new Dependency(clock, ok("v"));

        InfraError e = error(mode.run(infra, clock, p, null, dep));

        assertThat(e.code()).isEqualTo(7001);
        assertThat(dep.calls()).isZero();
        assertThat(breaker().okCount() + breaker().meltCount()).isZero();
        neverAnswers.complete("done");
        assertThat(mode.run(infra, clock, p, null, dep)).isEqualTo(Result.ok("v"));
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void theFallbackAnswersWhateverComesOutWhileTheBreakerStillCountsEveryAttempt(Mode mode) {
        start(mode);
        Protection p = Protection.builder().fallback(FallbackConfig.ofValue("cached"))
                .retry(retry(2).build()).circuitBreaker(BREAKER, TOLERANT).build();
        Dependency dep = new Dependency(clock, fail());

        try (TelemetryCapture events = TelemetryCapture.all(infra.telemetry())) {
            assertThat(mode.run(infra, clock, p, null, dep)).isEqualTo(Result.ok("cached"));
            assertThat(events.named(Events.PROTECTION_EXECUTED)).singleElement().satisfies(ev -> {
                assertThat(ev.metadata()).containsEntry("outcome", "fallback").containsEntry("key", BREAKER)
                        .containsEntry("protections", List.of("fallback", "retry", "circuit_breaker"));
                assertThat(ev.measurements()).containsKey("duration_us");
            });
            assertThat(events.count(Events.FALLBACK_USED)).isEqualTo(1);
        }
        assertThat(breaker().meltCount()).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void theFallbackAnswersAnOpenBreaker(Mode mode) {
        start(mode);
        infra.circuitBreakers().install(BREAKER, TOLERANT);
        infra.circuitBreakers().disable(BREAKER);
        Protection p = Protection.builder().fallback(FallbackConfig.ofValue("degraded")).circuitBreaker(BREAKER).build();
        Dependency dep = new Dependency(clock, ok("fresh"));

        assertThat(mode.run(infra, clock, p, null, dep)).isEqualTo(Result.ok("degraded"));
        assertThat(dep.calls()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void theLastGoodValueIsServedThroughAnOutageUntilItAgesOut(Mode mode) {
        start(mode);
        Protection p = Protection.builder().fallback(FallbackConfig.ofLastGoodValue(Duration.ofSeconds(30)))
                .circuitBreaker(BREAKER, TOLERANT).build();
        Dependency dep = new Dependency(clock, ok("stock=7"), fail());

        assertThat(mode.run(infra, clock, p, null, dep)).isEqualTo(Result.ok("stock=7"));
        clock.advance(Duration.ofSeconds(30));
        assertThat(mode.run(infra, clock, p, null, dep)).isEqualTo(Result.ok("stock=7"));
        clock.advance(Duration.ofMillis(1));
        assertThat(error(mode.run(infra, clock, p, null, dep)).code()).isEqualTo(5003);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void anErrorThatCannotSucceedIsNotRetried(Mode mode) {
        start(mode);
        Protection p = Protection.builder().retry(retry(3).build()).circuitBreaker(BREAKER, TOLERANT).build();
        Dependency dep = new Dependency(clock, fail(new IllegalArgumentException("no such sku")));

        InfraError e = error(mode.run(infra, clock, p, null, dep));

        assertThat(e.code()).isEqualTo(5003);
        assertThat(e.isRetryable()).isFalse();
        assertThat(dep.calls()).isEqualTo(1);
        assertThat(breaker().meltCount()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void theRetryBudgetStopsRetriesDuringAPersistentOutage(Mode mode) {
        start(mode);
        Protection p = Protection.builder()
                .retry(retry(3).budget(RetryBudget.of(0.1, 1)).build())
                .circuitBreaker(BREAKER, CircuitBreakerConfig.builder().failureCount(1000, Duration.ofMinutes(1)).build())
                .build();
        Dependency dep = new Dependency(clock, fail());

        for (int i = 0; i < 10; i++) {
            assertThat(error(mode.run(infra, clock, p, null, dep)).code()).isEqualTo(7004);
        }
        // One token to start with (one retry), then 0.1 per call: 0.9 after nine more, not enough.
        assertThat(dep.calls()).isEqualTo(11);
        assertThat(breaker().meltCount()).isEqualTo(11);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void everyPartTogetherInTheDocumentedOrder(Mode mode) {
        start(mode);
        Protection p = Protection.builder()
                .attemptTimeout(Duration.ofMillis(100))
                .circuitBreaker(BREAKER, TOLERANT)
                .retry(RetryConfig.builder().maxAttempts(3).fixedBackoff(Duration.ofMillis(50)).build())
                .totalTimeout(Duration.ofSeconds(5))
                .bulkhead(BulkheadConfig.of(2))
                .fallback(FallbackConfig.ofValue("fallback"))
                .build();
        assertThat(p.parts()).containsExactly("fallback", "bulkhead", "total_timeout", "retry", "circuit_breaker",
                "attempt_timeout");
        Dependency dep = new Dependency(clock, slow(Duration.ofSeconds(1), "slow"), fail(), ok("third"));

        assertThat(mode.run(infra, clock, p, null, dep)).isEqualTo(Result.ok("third"));
        assertThat(dep.calls()).isEqualTo(3);
        assertThat(breaker().meltCount()).isEqualTo(2);
        assertThat(breaker().okCount()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void theSeedsRateLimitFormDeniesWith6001AndTheExactRetryAfter(Mode mode) {
        start(mode);
        Protection p = Protection.rateLimit("user:1", "search", 2, Duration.ofSeconds(1));
        Dependency dep = new Dependency(clock, ok("hits"));

        assertThat(mode.run(infra, clock, p, null, dep)).isEqualTo(Result.ok("hits"));
        assertThat(mode.run(infra, clock, p, null, dep)).isEqualTo(Result.ok("hits"));
        InfraError e = error(mode.run(infra, clock, p, null, dep));

        assertThat(e.code()).isEqualTo(6001);
        assertThat(e.httpStatus()).isEqualTo(429);
        // the sliding window's exact wait: the two calls weigh on the next window too
        assertThat(e.retryAfter()).isEqualTo(Duration.ofMillis(1500));
        assertThat(dep.calls()).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void retriesHappenInsideTheRateLimitSoACallUsesOneUnitHoweverManyAttemptsItMakes(Mode mode) {
        start(mode);
        Protection p = Protection.builder().rateLimit("user:1", "search", 1, Duration.ofMinutes(1))
                .retry(retry(3).build()).circuitBreaker(BREAKER, TOLERANT).build();
        Dependency dep = new Dependency(clock, fail(), fail(), ok("third"));

        assertThat(mode.run(infra, clock, p, null, dep)).isEqualTo(Result.ok("third"));
        assertThat(error(mode.run(infra, clock, p, null, dep)).code()).isEqualTo(6001);
        assertThat(dep.calls()).isEqualTo(3);
        assertThat(breaker().meltCount() + breaker().okCount()).isEqualTo(3);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aPerCallerLimitCountsEachEntityApartAndNeedsTheEntity(Mode mode) {
        start(mode);
        Protection p = Protection.builder().rateLimitPerCaller("search", 1, Duration.ofMinutes(1)).build();
        Dependency dep = new Dependency(clock, ok("v"));

        assertThat(mode.run(infra, clock, p, "alice", dep)).isEqualTo(Result.ok("v"));
        assertThat(mode.run(infra, clock, p, "bob", dep)).isEqualTo(Result.ok("v"));
        assertThat(error(mode.run(infra, clock, p, "alice", dep)).code()).isEqualTo(6001);
        assertThat(error(mode.run(infra, clock, p, null, dep)).code()).isEqualTo(6009);
        assertThat(dep.calls()).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void theFallbackAnswersARateLimitedCaller(Mode mode) {
        start(mode);
        Protection p = Protection.builder().fallback(FallbackConfig.ofFunction(err -> "retry in " + err.retryAfter().toMillis() + " ms"))
                .rateLimit("user:1", "search", 1, Duration.ofSeconds(1)).build();
        Dependency dep = new Dependency(clock, ok("v"));
        mode.run(infra, clock, p, null, dep);
        assertThat(mode.run(infra, clock, p, null, dep)).isEqualTo(Result.ok("retry in 2000 ms"));
    }
}
