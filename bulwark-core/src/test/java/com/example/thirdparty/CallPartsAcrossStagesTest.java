package com.example.thirdparty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Infrastructure;
import dev.bulwark.Protection;
import dev.bulwark.Result;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.pipeline.BulkheadConfig;
import dev.bulwark.pipeline.FallbackConfig;
import dev.bulwark.pipeline.Criticality;
import dev.bulwark.pipeline.RetryConfig;
import dev.bulwark.spi.AsyncStep;
import dev.bulwark.spi.Call;
import dev.bulwark.spi.ComponentStatus;
import dev.bulwark.spi.Slot;
import dev.bulwark.spi.Stage;
import dev.bulwark.spi.StageContext;
import dev.bulwark.spi.StageSpec;
import dev.bulwark.spi.Step;
import dev.bulwark.time.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Built-in stages pass a call on without a {@code Call} object when every stage is built-in
 * (docs/architecture.md, "Where to add… a stage"); a stage written against the SPI among them must
 * still see the call as the caller gave it (operation, entity, criticality), as one and the same
 * {@code Call} object in every stage and on every attempt.
 */
class CallPartsAcrossStagesTest {

    /** Records what each call looks like when it reaches its slot, between retry and the breaker. */
    record Recording(List<String> seen) implements StageSpec {
        static final Slot SLOT = Slot.of("recording", 650);

        @Override
        public Slot slot() {
            return SLOT;
        }

        @Override
        public Stage create(StageContext context) {
            Recording spec = this;
            return new Stage() {
                @Override
                public StageSpec spec() {
                    return spec;
                }

                @Override
                public <T> Result<T> execute(Call<T> call, Step next) {
                    seen.add(call.entityId() + "/" + call.criticality() + "/" + (call.isAsync() ? "async" : "sync"));
                    return next.run(call);
                }

                @Override
                public <T> CompletionStage<Result<T>> executeAsync(Call<T> call, AsyncStep next) {
                    seen.add(call.entityId() + "/" + call.criticality() + "/" + (call.isAsync() ? "async" : "sync"));
                    return next.run(call);
                }

                @Override
                public ComponentStatus status() {
                    return null;
                }
            };
        }
    }

    /** Keeps each {@code Call} that reaches its slot, to compare them by identity. */
    record Keeping(Slot slot, List<Call<?>> calls) implements StageSpec {
        @Override
        public Stage create(StageContext context) {
            Keeping spec = this;
            return new Stage() {
                @Override
                public StageSpec spec() {
                    return spec;
                }

                @Override
                public <T> Result<T> execute(Call<T> call, Step next) {
                    calls.add(call);
                    return next.run(call);
                }

                @Override
                public <T> CompletionStage<Result<T>> executeAsync(Call<T> call, AsyncStep next) {
                    calls.add(call);
                    return next.run(call);
                }

                @Override
                public ComponentStatus status() {
                    return null;
                }
            };
        }
    }

    @Test
    void stagesWrittenAgainstTheSpiSeeTheSameCallObjectAcrossBuiltInStagesAndAttempts() {
        List<Call<?>> outer = new CopyOnWriteArrayList<>();
        List<Call<?>> inner = new CopyOnWriteArrayList<>();
        try (Infrastructure infra = Infrastructure.builder().clock(new ManualClock()).build()) {
            infra.configureProtection("inventory", Protection.builder()
                    .stage(new Keeping(Slot.of("outer", 150), outer))
                    .rateLimitPerCaller("inventory.read", 10, Duration.ofSeconds(1))
                    .retry(RetryConfig.builder().maxAttempts(2).noBackoff().build())
                    .stage(new Keeping(Slot.of("inner", 650), inner))
                    .circuitBreaker("inventory", CircuitBreakerConfig.builder().consecutiveFailures(100).build())
                    .build());
            int[] attempts = {0};
            Result<String> result = infra.executeProtected("inventory", "alice", () -> {
                if (attempts[0]++ == 0) {
                    throw new java.io.IOException("first attempt fails");
                }
                return "stock";
            });

            assertThat(result).isEqualTo(Result.ok("stock"));
            assertThat(outer).hasSize(1);
            assertThat(inner).hasSize(2).allSatisfy(call -> assertThat(call).isSameAs(outer.get(0)));
        }
    }

    @Test
    void aStageWrittenAgainstTheSpiSeesTheEntityAndCriticalityOfEachAttempt() {
        List<String> seen = new CopyOnWriteArrayList<>();
        try (Infrastructure infra = Infrastructure.builder().clock(new ManualClock()).build()) {
            infra.configureProtection("inventory", Protection.builder()
                    .shed()
                    .rateLimitPerCaller("inventory.read", 10, Duration.ofSeconds(1))
                    .retry(RetryConfig.builder().maxAttempts(2).noBackoff().build())
                    .stage(new Recording(seen))
                    .circuitBreaker("inventory", CircuitBreakerConfig.builder().consecutiveFailures(100).build())
                    .build());

            int[] attempts = {0};
            Result<String> result = infra.executeProtected("inventory", "alice", Criticality.SHEDDABLE, () -> {
                if (attempts[0]++ == 0) {
                    throw new java.io.IOException("first attempt fails");
                }
                return "stock";
            });

            assertThat(result).isEqualTo(Result.ok("stock"));
            assertThat(seen).containsExactly("alice/SHEDDABLE/sync", "alice/SHEDDABLE/sync");
        }
    }

    /** A chain with a stage written against the SPI outermost, then fallback, bulkhead, retry and the breaker. */
    private static Protection withAnSpiStage(List<Call<?>> calls) {
        return Protection.builder()
                .stage(new Keeping(Slot.of("outer", 150), calls))
                .fallback(FallbackConfig.<String>ofFunction(error -> "fallback:" + error.code()))
                .bulkhead(BulkheadConfig.of(1))
                .retry(RetryConfig.builder().maxAttempts(2).noBackoff().build())
                .circuitBreaker("inventory", CircuitBreakerConfig.builder().consecutiveFailures(100).build())
                .build();
    }

    @Test
    void besideAStageWrittenAgainstTheSpiFallbackBulkheadAndRetryStillDoTheirWork() {
        List<Call<?>> calls = new CopyOnWriteArrayList<>();
        try (Infrastructure infra = Infrastructure.builder().clock(new ManualClock()).build()) {
            Protection protection = withAnSpiStage(calls);
            int[] attempts = {0};
            Result<String> retried = infra.executeProtected(protection, "alice", () -> {
                if (attempts[0]++ == 0) {
                    throw new java.io.IOException("first attempt fails");
                }
                return "stock";
            });
            Result<String> fallenBack = infra.executeProtected(protection, "alice", () -> {
                throw new java.io.IOException("every attempt fails");
            });
            List<Result<String>> nested = new CopyOnWriteArrayList<>();
            Result<String> holding = infra.executeProtected(protection, "alice", () -> {
                nested.add(infra.executeProtected(protection, "bob", () -> "never runs: the bulkhead is full"));
                return "held";
            });

            assertThat(retried).isEqualTo(Result.ok("stock"));
            assertThat(attempts[0]).isEqualTo(2);
            assertThat(fallenBack.getOrThrow()).startsWith("fallback:");
            assertThat(holding).isEqualTo(Result.ok("held"));
            assertThat(nested).containsExactly(Result.ok("fallback:7001"));
            assertThat(calls).hasSize(4);
        }
    }

    @Test
    void besideAStageWrittenAgainstTheSpiAsyncCallsAreRetriedAndFallenBackToo() {
        List<Call<?>> calls = new CopyOnWriteArrayList<>();
        try (Infrastructure infra = Infrastructure.builder().clock(new ManualClock()).build()) {
            Protection protection = withAnSpiStage(calls);
            int[] attempts = {0};
            Result<String> retried = infra.executeProtectedAsync(protection, "alice", () -> attempts[0]++ == 0
                    ? CompletableFuture.<String>failedFuture(new java.io.IOException("first attempt fails"))
                    : CompletableFuture.completedFuture("stock")).toCompletableFuture().join();
            Result<String> fallenBack = infra.executeProtectedAsync(protection, "alice",
                    () -> CompletableFuture.<String>failedFuture(new java.io.IOException("every attempt fails")))
                    .toCompletableFuture().join();

            assertThat(retried).isEqualTo(Result.ok("stock"));
            assertThat(attempts[0]).isEqualTo(2);
            assertThat(fallenBack.getOrThrow()).startsWith("fallback:");
            assertThat(calls).hasSize(2).allSatisfy(call -> assertThat(call.isAsync()).isTrue());
        }
    }
}
