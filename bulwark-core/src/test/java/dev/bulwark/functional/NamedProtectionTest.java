package dev.bulwark.functional;

import static dev.bulwark.functional.Dependency.Step.fail;
import static dev.bulwark.functional.Dependency.Step.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Infrastructure;
import dev.bulwark.Protection;
import dev.bulwark.ProtectionStatus;
import dev.bulwark.Result;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.circuit.State;
import dev.bulwark.error.InfraError;
import dev.bulwark.pipeline.BulkheadConfig;
import dev.bulwark.pipeline.BulkheadStats;
import dev.bulwark.pipeline.FallbackConfig;
import dev.bulwark.pipeline.RetryBudget;
import dev.bulwark.pipeline.RetryConfig;
import dev.bulwark.telemetry.Events;
import dev.bulwark.testing.TestThreads;
import dev.bulwark.testkit.TelemetryCapture;
import dev.bulwark.time.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NamedProtectionTest {

    private static final CircuitBreakerConfig OPENS_ON_SECOND_FAILURE = CircuitBreakerConfig.builder()
            .failureCount(1, Duration.ofMinutes(1)).reset(Duration.ofMinutes(1)).build();

    private final ManualClock clock = new ManualClock();
    private final ExecutorService pool = TestThreads.newExecutor();
    private final Infrastructure infra = Infrastructure.builder().clock(clock).executor(pool).build();

    @AfterEach
    void close() {
        infra.close();
        pool.shutdownNow();
    }

    private static InfraError error(Result<?> r) {
        return r.errValue().orElseThrow(() -> new AssertionError("expected an error, got " + r));
    }

    @Test
    void aConfiguredProtectionRunsByItsKeyAndReportsItsConfig() {
        Protection config = Protection.builder().retry(RetryConfig.builder().noBackoff().build())
                .circuitBreaker("payments", OPENS_ON_SECOND_FAILURE).build();

        assertThat(infra.configureProtection("payments", config)).isEqualTo(Result.ok(config));
        Dependency dep = new Dependency(clock, fail(), ok("paid"));

        assertThat(infra.executeProtected("payments", dep::sync)).isEqualTo(Result.ok("paid"));
        assertThat(infra.protectionConfig("payments")).isEqualTo(Result.ok(config));
        assertThat(infra.protectionKeys()).containsExactly("payments");
    }

    @Test
    void anUnknownKeyIs7006Everywhere() {
        infra.configureProtection("b", Protection.circuitBreaker("b"));
        infra.configureProtection("a", Protection.circuitBreaker("a"));
        InfraError e = error(infra.executeProtected("nope", () -> "x"));
        assertThat(e.code()).isEqualTo(7006);
        assertThat(e.context()).containsEntry("known_keys", List.of("a", "b"));
        assertThat(error(infra.protectionConfig("nope")).code()).isEqualTo(7006);
        assertThat(error(infra.protectionStatus("nope")).code()).isEqualTo(7006);
        assertThat(error(infra.executeProtectedAsync("nope", () -> CompletableFuture.completedFuture("x"))
                .toCompletableFuture().join()).code()).isEqualTo(7006);
        assertThat(error(infra.executeProtected((String) null, () -> "x")).code()).isEqualTo(7006);
    }

    @Test
    void anInvalidConfigurationIs7007AndChangesNothing() {
        assertThat(error(infra.configureProtection(" ", Protection.circuitBreaker("x"))).code()).isEqualTo(7007);
        assertThat(error(infra.configureProtection("k".repeat(257), Protection.circuitBreaker("x"))).code()).isEqualTo(7007);
        assertThat(error(infra.configureProtection("k", null)).code()).isEqualTo(7007);
        InfraError badBreaker = error(infra.configureProtection("k",
                Protection.builder().circuitBreaker("bad\nname", CircuitBreakerConfig.defaults()).build()));
        assertThat(badBreaker.code()).isEqualTo(7007);
        assertThat(badBreaker.message()).contains("cannot be configured");
        assertThat(infra.protectionKeys()).isEmpty();
        assertThat(error(infra.executeProtected((Protection) null, () -> "x")).code()).isEqualTo(7007);
        Protection unusable = Protection.builder().circuitBreaker("bad\nname", CircuitBreakerConfig.defaults()).build();
        assertThat(error(infra.executeProtected(unusable, () -> "x")).code()).isEqualTo(7007);
        assertThat(error(infra.executeProtectedAsync(unusable, () -> CompletableFuture.completedFuture("x"))
                .toCompletableFuture().join()).code()).isEqualTo(7007);
    }

    @Test
    void theStatusShowsTheRealStateOfEveryPart() {
        infra.configureProtection("catalog", Protection.builder()
                .fallback(FallbackConfig.ofLastGoodValue(Duration.ofMinutes(5)))
                .rateLimit("service:web", "catalog.read", 10, Duration.ofMinutes(1))
                .bulkhead(BulkheadConfig.of(3))
                .totalTimeout(Duration.ofSeconds(5))
                .retry(RetryConfig.builder().maxAttempts(2).noBackoff().budget(RetryBudget.of(0.5, 2)).build())
                .circuitBreaker("catalog", OPENS_ON_SECOND_FAILURE)
                .attemptTimeout(Duration.ofSeconds(1))
                .build());
        Dependency dep = new Dependency(clock, ok("page 1"), fail());

        infra.executeProtected("catalog", dep::sync);          // ok, kept as last good value
        clock.advance(Duration.ofSeconds(7));
        infra.executeProtected("catalog", dep::sync);          // two failures open the breaker; last good answers

        ProtectionStatus status = infra.protectionStatus("catalog").getOrThrow();
        assertThat(status.parts()).containsExactly("fallback", "rate_limit", "bulkhead", "total_timeout", "retry",
                "circuit_breaker", "attempt_timeout");
        assertThat(Protection.PART_ORDER).containsSubsequence(status.parts());
        assertThat(status.calls()).isEqualTo(2);
        assertThat(status.successes()).isEqualTo(1);
        assertThat(status.fallbacks()).isEqualTo(1);
        assertThat(status.circuitBreaker().state()).isEqualTo(State.OPEN);
        assertThat(status.circuitBreaker().meltCount()).isEqualTo(2);
        assertThat(status.rateLimit().remaining()).isEqualTo(8);
        assertThat(status.bulkhead()).isEqualTo(new BulkheadStats(3, 0, 0, 2, 0));
        assertThat(status.retry().retries()).isEqualTo(1);
        assertThat(status.retry().budgetTokens()).isEqualTo(1.0);   // full at 2, one retry
        assertThat(status.totalTimeout().calls()).isEqualTo(2);
        assertThat(status.attemptTimeout().calls()).isEqualTo(3);
        assertThat(status.fallback().lastGoodUsed()).isEqualTo(1);
        assertThat(status.fallback().lastGoodAge()).isEqualTo(Duration.ofSeconds(7));
        assertThat(infra.status().components()).containsKey("protections");
    }

    @Test
    void replacingAProtectionKeepsTheStateThatStillApplies() {
        RetryConfig retry = RetryConfig.builder().maxAttempts(2).noBackoff().budget(RetryBudget.of(0.1, 3)).build();
        Protection first = Protection.builder().bulkhead(BulkheadConfig.of(2)).retry(retry)
                .circuitBreaker("search", OPENS_ON_SECOND_FAILURE).build();
        infra.configureProtection("search", first);
        CompletableFuture<String> inFlight = new CompletableFuture<>();
        infra.executeProtectedAsync("search", () -> inFlight);
        infra.executeProtected("search", () -> {
            throw new java.io.IOException("down");
        });
        assertThat(infra.protectionStatus("search").getOrThrow().circuitBreaker().state()).isEqualTo(State.OPEN);

        // Same breaker and retry, a larger bulkhead, plus a fallback.
        infra.configureProtection("search", first.toBuilder().bulkhead(BulkheadConfig.of(5))
                .fallback(FallbackConfig.ofValue("cached")).build());

        ProtectionStatus status = infra.protectionStatus("search").getOrThrow();
        assertThat(status.circuitBreaker().state()).isEqualTo(State.OPEN);           // breaker state kept
        assertThat(status.retry().budgetTokens()).isEqualTo(2.0);                    // budget kept: 3 - 1 retry
        assertThat(status.bulkhead()).isEqualTo(new BulkheadStats(5, 1, 0, 2, 0));  // the call in flight kept
        assertThat(status.calls()).isEqualTo(1);                                      // finished calls: the one in flight is not
        assertThat(infra.executeProtected("search", () -> "fresh")).isEqualTo(Result.ok("cached"));

        inFlight.complete("done");
        assertThat(infra.protectionStatus("search").getOrThrow().bulkhead().inFlight()).isZero();
    }

    @Test
    void aReplacementIsAtomicForConcurrentCalls() throws Exception {
        Protection twoAttempts = Protection.builder().fallback(FallbackConfig.ofValue("A"))
                .retry(RetryConfig.builder().maxAttempts(2).noBackoff().build()).build();
        Protection fiveAttempts = Protection.builder().fallback(FallbackConfig.ofValue("B"))
                .retry(RetryConfig.builder().maxAttempts(5).noBackoff().build()).build();
        infra.configureProtection("flip", twoAttempts);
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService callers = TestThreads.newExecutor();
        try {
            List<Future<List<String>>> seen = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                seen.add(callers.submit(() -> {
                    List<String> outcomes = new ArrayList<>();
                    while (!stop.get() || outcomes.size() < 100) {
                        int[] attempts = {0};
                        String answer = infra.executeProtected("flip", () -> {
                            attempts[0]++;
                            throw new java.io.IOException("down");
                        }).getOrThrow().toString();
                        outcomes.add(answer + attempts[0]);
                    }
                    return outcomes;
                }));
            }
            for (int i = 0; i < 200; i++) {
                infra.configureProtection("flip", i % 2 == 0 ? fiveAttempts : twoAttempts);
            }
            stop.set(true);
            for (Future<List<String>> f : seen) {
                assertThat(f.get(30, TimeUnit.SECONDS)).isNotEmpty().allMatch(o -> o.equals("A2") || o.equals("B5"));
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void configuringAndRemovingAreReported() {
        try (TelemetryCapture events = TelemetryCapture.all(infra.telemetry())) {
            infra.configureProtection("k", Protection.circuitBreaker("k"));
            infra.configureProtection("k", Protection.circuitBreaker("k"));
            assertThat(infra.removeProtection("k")).isTrue();
            assertThat(infra.removeProtection("k")).isFalse();
            assertThat(events.named(Events.PROTECTION_CONFIGURED)).extracting(e -> e.metadata().get("replaced"))
                    .containsExactly(false, true);
            assertThat(events.named(Events.PROTECTION_REMOVED)).singleElement()
                    .satisfies(e -> assertThat(e.metadata()).containsEntry("key", "k"));
        }
    }

    @Test
    void aNamedProtectionReportsItsKeyInEachExecution() {
        infra.configureProtection("orders", Protection.builder().rateLimitPerCaller("orders", 5, Duration.ofSeconds(1)).build());
        try (TelemetryCapture events = TelemetryCapture.all(infra.telemetry())) {
            infra.executeProtected("orders", "alice", () -> "ok");
            infra.executeProtected("orders", () -> "no entity");
            assertThat(events.named(Events.PROTECTION_EXECUTED)).extracting(e -> e.metadata().get("outcome"))
                    .containsExactly("success", "failure");
            assertThat(events.named(Events.PROTECTION_EXECUTED).get(1).metadata())
                    .containsEntry("key", "orders").containsEntry("error_code", 6009);
        }
    }
}
