package dev.bulwark.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.Result;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.circuit.State;
import dev.bulwark.error.InfraError;
import dev.bulwark.ratelimit.Algorithm;
import dev.bulwark.ratelimit.Decision;
import dev.bulwark.ratelimit.LimitStore;
import dev.bulwark.ratelimit.LimitStoreUnavailableException;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.testkit.TelemetryCapture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each failure policy does what it says when Redis cannot be reached at all (nothing listens on
 * the store's port). Needs no Redis server.
 */
class FailurePolicyTest {

    private static final RateLimit TWO = RateLimit.of("two", 2, Duration.ofMinutes(1), Algorithm.FIXED_WINDOW);

    private final Telemetry telemetry = Telemetry.create();
    private RedisLimitStore store;

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    /** A port nothing listens on: bound once to find a free one, then released. */
    static int unusedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private RedisLimitStore.Builder unreachable() throws IOException {
        return RedisLimitStore.builder()
                .uri("redis://127.0.0.1:" + unusedPort())
                .commandTimeout(Duration.ofMillis(200))
                .telemetry(telemetry);
    }

    @Test
    void failOpenAdmitsWithoutCountingAndSaysWhy() throws IOException {
        store = unreachable().failurePolicy(FailurePolicy.FAIL_OPEN).build();
        try (TelemetryCapture events = TelemetryCapture.all(telemetry)) {
            for (int i = 0; i < 5; i++) {
                assertThat(store.acquire("user:1", "api", List.of(TWO), 1)).isEqualTo(Decision.allowed(TWO, 1, 0));
            }
            assertThat(events.named(Events.RATE_LIMITER_BACKEND_FAILURE)).hasSize(5)
                    .allSatisfy(e -> assertThat(e.metadata()).containsEntry("policy", "FAIL_OPEN")
                            .containsEntry("backend", "redis").containsEntry("entity_id", "user:1")
                            .containsEntry("operation", "api").containsKey("reason"));
        }
        assertThat(store.status().policyDecisions()).isEqualTo(5);
        assertThat(store.status().redisDecisions()).isZero();
    }

    @Test
    void failOpenStillDeniesWhatNoWaitCouldAdmit() throws IOException {
        store = unreachable().failurePolicy(FailurePolicy.FAIL_OPEN).build();
        RateLimit none = RateLimit.of(0, Duration.ofSeconds(1));
        assertThat(store.acquire("user:1", "api", List.of(none), 1)).isEqualTo(Decision.denied(none, 0, Decision.NEVER, 0));
        assertThat(store.acquire("user:1", "api", List.of(TWO), 3).canSucceedLater()).isFalse();
    }

    @Test
    void failClosedRefusesAndTheRateLimiterReports6010() throws Exception {
        store = unreachable().failurePolicy(FailurePolicy.FAIL_CLOSED).build();

        assertThatThrownBy(() -> store.acquire("user:1", "api", List.of(TWO), 1))
                .isInstanceOf(LimitStoreUnavailableException.class).hasMessageContaining("user:1");
        CompletableFuture<Decision> async = store.acquireAsync("user:1", "api", List.of(TWO), 1).toCompletableFuture();
        assertThatThrownBy(() -> async.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(LimitStoreUnavailableException.class);

        RateLimiter limiter = RateLimiter.builder(store).telemetry(telemetry).build();
        Result<Decision> result = limiter.checkRate("user:1", "api", TWO);
        assertThat(result).isInstanceOf(Result.Err.class);
        InfraError error = ((Result.Err<Decision>) result).error();
        assertThat(error.code()).isEqualTo(6010);
    }

    @Test
    void fallbackLocalKeepsLimitingInThisProcess() throws IOException {
        store = unreachable().failurePolicy(FailurePolicy.FALLBACK_LOCAL).build();
        assertThat(store.acquire("user:1", "api", List.of(TWO), 1).allowed()).isTrue();
        assertThat(store.acquire("user:1", "api", List.of(TWO), 1).allowed()).isTrue();
        Decision third = store.acquire("user:1", "api", List.of(TWO), 1);
        assertThat(third.allowed()).isFalse();
        assertThat(third.retryAfterNanos()).isPositive();
    }

    @Test
    void eachOperationCanHaveItsOwnPolicy() throws IOException {
        store = unreachable().failurePolicy(FailurePolicy.FAIL_OPEN).failurePolicy("login", FailurePolicy.FAIL_CLOSED).build();
        assertThat(store.acquire("user:1", "search", List.of(TWO), 1).allowed()).isTrue();
        assertThatThrownBy(() -> store.acquire("user:1", "login", List.of(TWO), 1))
                .isInstanceOf(LimitStoreUnavailableException.class);
    }

    @Test
    void aViewAppliesItsOwnPolicyOnTheSharedConnection() throws IOException {
        store = unreachable().failurePolicy(FailurePolicy.FAIL_OPEN).build();
        LimitStore strict = store.withFailurePolicy(FailurePolicy.FAIL_CLOSED);
        assertThatThrownBy(() -> strict.acquire("user:1", "api", List.of(TWO), 1))
                .isInstanceOf(LimitStoreUnavailableException.class);
        assertThat(store.acquire("user:1", "api", List.of(TWO), 1).allowed()).isTrue();
        strict.close();
        assertThat(store.acquire("user:1", "api", List.of(TWO), 1).allowed()).as("closing a view closes nothing").isTrue();
    }

    @Test
    void peekFollowsThePolicyWhileResetAndInspectReportTheOutage() throws IOException {
        store = unreachable().failurePolicy(FailurePolicy.FAIL_OPEN).build();
        assertThat(store.peek("user:1", "api", List.of(TWO)).allowed()).isTrue();
        assertThatThrownBy(() -> store.reset("user:1", "api")).isInstanceOf(LimitStoreUnavailableException.class);
        assertThatThrownBy(() -> store.inspect("user:1", "api")).isInstanceOf(LimitStoreUnavailableException.class);
    }

    @Test
    void theBreakerOpensAfterConsecutiveFailuresSoLaterDecisionsSkipRedis() throws IOException {
        store = unreachable().failurePolicy(FailurePolicy.FAIL_OPEN)
                .circuitBreaker(CircuitBreakerConfig.builder().consecutiveFailures(3).halfOpen(Duration.ofMinutes(1), 1, 1).build())
                .build();
        try (TelemetryCapture events = TelemetryCapture.all(telemetry)) {
            for (int i = 0; i < 10; i++) {
                store.acquire("user:1", "api", List.of(TWO), 1);
            }
            assertThat(store.circuitBreaker().state()).isEqualTo(State.OPEN);
            assertThat(events.named(Events.RATE_LIMITER_BACKEND_FAILURE))
                    .extracting(e -> e.metadata().get("reason"))
                    .containsExactly("connection", "connection", "connection", "circuit_open", "circuit_open",
                            "circuit_open", "circuit_open", "circuit_open", "circuit_open", "circuit_open");
            assertThat(events.count(Events.CIRCUIT_BREAKER_STATE_CHANGE)).isEqualTo(1);
        }
    }

    @Test
    void buildingNeverWaitsForRedis() throws IOException {
        store = unreachable().connectTimeout(Duration.ofSeconds(30)).build();
        assertThat(store.status().connected()).isFalse();
    }
}
