package com.example.thirdparty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.Infrastructure;
import dev.bulwark.Protection;
import dev.bulwark.Result;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.error.ErrorCategory;
import dev.bulwark.error.ErrorCode;
import dev.bulwark.error.ErrorSubcategory;
import dev.bulwark.error.ErrorType;
import dev.bulwark.error.InfraError;
import dev.bulwark.error.RetryStrategy;
import dev.bulwark.error.Severity;
import dev.bulwark.pipeline.RetryConfig;
import dev.bulwark.spi.AsyncStep;
import dev.bulwark.spi.BulwarkModule;
import dev.bulwark.spi.Call;
import dev.bulwark.spi.ComponentStatus;
import dev.bulwark.spi.ModuleContext;
import dev.bulwark.spi.Slot;
import dev.bulwark.spi.Stage;
import dev.bulwark.spi.StageContext;
import dev.bulwark.spi.StageSpec;
import dev.bulwark.spi.Step;
import dev.bulwark.telemetry.EventType;
import dev.bulwark.telemetry.Unit;
import dev.bulwark.testkit.TelemetryCapture;
import dev.bulwark.time.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A module and a stage written by a third party, outside Bulwark's packages, against the public SPI
 * alone: the module registers a component with a typed status, its own error codes and its own event;
 * the stage (a per-protection quota) takes a slot of its own between retry and hedge and is used
 * through {@code Protection.builder().stage(...)}.
 */
class ThirdPartyModuleTest {

    /** The module's error codes. */
    enum QuotaErrorCode implements ErrorCode {
        QUOTA_SPENT(8801, true);

        private final int code;
        private final boolean rejection;

        QuotaErrorCode(int code, boolean rejection) {
            this.code = code;
            this.rejection = rejection;
        }

        @Override
        public int code() {
            return code;
        }

        @Override
        public ErrorType type() {
            return ErrorType.of("QUOTA_SPENT");
        }

        @Override
        public Severity severity() {
            return Severity.MEDIUM;
        }

        @Override
        public ErrorCategory category() {
            return ErrorCategory.INFRASTRUCTURE;
        }

        @Override
        public ErrorSubcategory subcategory() {
            return ErrorSubcategory.PROTECTION;
        }

        @Override
        public RetryStrategy defaultRetryStrategy() {
            return RetryStrategy.NO_RETRY;
        }

        @Override
        public boolean isRejection() {
            return rejection;
        }

        @Override
        public int httpStatus() {
            return 429;
        }
    }

    /** The module's component: a bank of quotas, one per protection. */
    static final class QuotaBank {
        static final EventType SPENT = EventType.builder("quota", "spent")
                .description("a call was refused because its protection's quota is spent")
                .measurement("quota", Unit.COUNT, "the quota")
                .tag("protection", "the protection's name")
                .build();

        final AtomicLong granted = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
    }

    /** The module's status. */
    record QuotaBankStatus(long granted, long refused) implements ComponentStatus {
    }

    static final class QuotaModule implements BulwarkModule {
        @Override
        public String name() {
            return "quota";
        }

        @Override
        public void install(ModuleContext context) {
            context.errorCodes().register(QuotaErrorCode.class);
            context.telemetry().declare(List.of(QuotaBank.SPENT));
            QuotaBank bank = new QuotaBank();
            context.register("quota_bank", bank, () -> new QuotaBankStatus(bank.granted.get(), bank.refused.get()), null);
        }
    }

    /** The stage: at most {@code quota} attempts per protection, ever. Each retry attempt passes it once. */
    record QuotaStage(long quota) implements StageSpec {
        static final Slot SLOT = Slot.of("quota", 650);

        @Override
        public Slot slot() {
            return SLOT;
        }

        @Override
        public Stage create(StageContext context) {
            QuotaBank bank = context.component(QuotaBank.class).orElseThrow(
                    () -> new IllegalStateException("install the QuotaModule first"));
            return new Runtime(this, bank, context.protectionName(),
                    context.policyContext().telemetry().channel(QuotaBank.SPENT));
        }

        static final class Runtime implements Stage {
            private final QuotaStage spec;
            private final QuotaBank bank;
            private final String protection;
            private final dev.bulwark.telemetry.EventChannel spent;
            private final AtomicLong used = new AtomicLong();

            Runtime(QuotaStage spec, QuotaBank bank, String protection, dev.bulwark.telemetry.EventChannel spent) {
                this.spec = spec;
                this.bank = bank;
                this.protection = protection;
                this.spent = spent;
            }

            @Override
            public StageSpec spec() {
                return spec;
            }

            private InfraError take() {
                if (used.incrementAndGet() <= spec.quota) {
                    bank.granted.incrementAndGet();
                    return null;
                }
                bank.refused.incrementAndGet();
                if (spent.isActive()) {
                    spent.emit(Map.of("quota", spec.quota), Map.of("protection", protection));
                }
                return InfraError.builder(QuotaErrorCode.QUOTA_SPENT).message("quota of '" + protection + "' spent").build();
            }

            @Override
            public <T> Result<T> execute(Call<T> call, Step next) {
                InfraError refused = take();
                return refused == null ? next.run(call) : Result.err(refused);
            }

            @Override
            public <T> CompletionStage<Result<T>> executeAsync(Call<T> call, AsyncStep next) {
                InfraError refused = take();
                return refused == null ? next.run(call) : CompletableFuture.completedFuture(Result.err(refused));
            }

            @Override
            public ComponentStatus status() {
                return new QuotaBankStatus(Math.min(used.get(), spec.quota), Math.max(0, used.get() - spec.quota));
            }
        }
    }

    private static Protection quotaWithRetryAndBreaker() {
        return Protection.builder()
                .retry(RetryConfig.builder().maxAttempts(3).noBackoff().build())
                .stage(new QuotaStage(4))
                .circuitBreaker("inventory", CircuitBreakerConfig.builder().consecutiveFailures(100).build())
                .build();
    }

    @Test
    void aThirdPartyModuleAndStageWorkThroughThePublicSpiAlone() {
        ManualClock clock = new ManualClock();
        try (Infrastructure infra = Infrastructure.builder().clock(clock).install(new QuotaModule()).build();
             TelemetryCapture events = TelemetryCapture.all(infra.telemetry())) {
            Protection protection = quotaWithRetryAndBreaker();
            assertThat(protection.parts()).containsExactly("retry", "quota", "circuit_breaker");
            infra.configureProtection("inventory", protection);

            AtomicReference<Integer> calls = new AtomicReference<>(0);
            Result<String> first = infra.executeProtected("inventory", () -> {
                calls.set(calls.get() + 1);
                throw new IOException("down");
            });
            // three attempts, each through the quota stage once (it sits inside the retry)
            assertThat(calls.get()).isEqualTo(3);
            assertThat(first.isErr()).isTrue();

            Result<String> second = infra.executeProtected("inventory", () -> "ok");
            assertThat(second).isEqualTo(Result.ok("ok"));        // the 4th unit of quota
            Result<String> third = infra.executeProtected("inventory", () -> "ok");
            InfraError spent = third.errValue().orElseThrow();
            assertThat(spent.code()).isEqualTo(8801);
            assertThat(spent.errorCode()).isSameAs(QuotaErrorCode.QUOTA_SPENT);
            assertThat(spent.httpStatus()).isEqualTo(429);

            assertThat(infra.errorCodes().find(8801)).contains(QuotaErrorCode.QUOTA_SPENT);
            assertThat(infra.status().component("quota_bank", QuotaBankStatus.class))
                    .contains(new QuotaBankStatus(4, 1));
            assertThat(infra.protectionStatus("inventory").getOrThrow().stage(QuotaStage.SLOT, QuotaBankStatus.class))
                    .isEqualTo(new QuotaBankStatus(4, 1));
            assertThat(infra.component(QuotaBank.class)).isPresent();
            assertThat(events.named(QuotaBank.SPENT)).singleElement()
                    .satisfies(e -> assertThat(e.metadata()).containsEntry("protection", "inventory"));
            assertThat(events.undeclared()).isEmpty();
        }
    }

    @Test
    void onBuiltRunsOnceEveryModuleIsInstalledAndSeesTheWholeInfrastructure() {
        AtomicReference<List<String>> seenComponents = new AtomicReference<>();
        AtomicReference<Integer> protectionsAnnounced = new AtomicReference<>(0);
        BulwarkModule reader = new BulwarkModule() {
            @Override
            public String name() {
                return "reader";
            }

            @Override
            public void install(ModuleContext context) {
                context.onBuilt(infra -> {
                    seenComponents.set(List.copyOf(infra.status().components().keySet()));
                    infra.subscribeToProtections(new dev.bulwark.spi.RegistryListener<Protection>() {
                        @Override
                        public void added(String name, Protection entry) {
                            protectionsAnnounced.set(protectionsAnnounced.get() + 1);
                        }

                        @Override
                        public void removed(String name, Protection entry) {
                        }
                    });
                });
            }
        };
        try (Infrastructure infra = Infrastructure.builder().install(reader).install(new QuotaModule()).build()) {
            // the module installed after "reader" is already there, and so are the named protections
            assertThat(seenComponents.get()).contains("circuit_breakers", "quota_bank", "protections");
            infra.configureProtection("p", Protection.builder().retry(RetryConfig.defaults()).build());
            assertThat(protectionsAnnounced.get()).isEqualTo(1);
        }
    }

    @Test
    void anOnBuiltActionThatThrowsFailsTheBuild() {
        BulwarkModule failing = new BulwarkModule() {
            @Override
            public String name() {
                return "failing";
            }

            @Override
            public void install(ModuleContext context) {
                context.onBuilt(infra -> {
                    throw new IllegalStateException("cannot start");
                });
            }
        };
        assertThatThrownBy(() -> Infrastructure.builder().install(failing).build())
                .isInstanceOf(IllegalStateException.class).hasMessage("cannot start");
    }

    @Test
    void aModuleWhoseErrorCodeIsTakenFailsTheBuild() {
        BulwarkModule clashing = new BulwarkModule() {
            @Override
            public String name() {
                return "clashing";
            }

            @Override
            public void install(ModuleContext context) {
                context.errorCodes().register(List.of(new ClashingCode()));
            }
        };
        assertThatThrownBy(() -> Infrastructure.builder().install(clashing).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("error code 5004")
                .hasMessageContaining("CoreErrorCode.CIRCUIT_BREAKER_BLOWN");
    }

    @Test
    void aStageThatNeedsAMissingModuleIsRejectedWith7007() {
        try (Infrastructure infra = Infrastructure.builder().build()) {
            Result<Protection> configured = infra.configureProtection("p", quotaWithRetryAndBreaker());
            assertThat(configured.errValue().orElseThrow().code()).isEqualTo(7007);
            assertThat(configured.errValue().orElseThrow().message()).contains("install the QuotaModule first");
        }
    }

    @Test
    void twoStagesCannotShareASlot() {
        assertThatThrownBy(() -> Protection.builder().stage(new QuotaStage(1)).stage(new QuotaStage(2)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("quota was already set to QuotaStage[quota=1]");
        assertThatThrownBy(() -> Protection.builder().retry(RetryConfig.defaults()).retry(RetryConfig.defaults()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("retry was already set to RetryStage[config=RetryConfig[maxAttempts=3");
    }

    @Test
    void aSlotCannotTakeTheOrderOfACoreSlot() {
        assertThatThrownBy(() -> Slot.of("audit", Slot.RETRY.order()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("collides with core slot retry@600");
        assertThatThrownBy(() -> Slot.of("before_fallback", 50))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("between 101 and 1099");
    }

    /** A code that claims 5004, which core owns. */
    private static final class ClashingCode implements ErrorCode {
        @Override
        public int code() {
            return 5004;
        }

        @Override
        public ErrorType type() {
            return ErrorType.of("CLASH");
        }

        @Override
        public Severity severity() {
            return Severity.LOW;
        }

        @Override
        public ErrorCategory category() {
            return ErrorCategory.SYSTEM;
        }

        @Override
        public ErrorSubcategory subcategory() {
            return ErrorSubcategory.RUNTIME;
        }

        @Override
        public RetryStrategy defaultRetryStrategy() {
            return RetryStrategy.NO_RETRY;
        }

        @Override
        public boolean isRejection() {
            return false;
        }

        @Override
        public int httpStatus() {
            return 500;
        }
    }
}
