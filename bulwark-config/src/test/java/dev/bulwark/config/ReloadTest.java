package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.Infrastructure;
import dev.bulwark.Result;
import dev.bulwark.circuit.CircuitBreaker;
import dev.bulwark.circuit.State;
import dev.bulwark.error.InfraError;
import dev.bulwark.health.HealthReport;
import dev.bulwark.health.HealthStatus;
import dev.bulwark.memory.MemoryPressure;
import dev.bulwark.memory.MemoryReading;
import dev.bulwark.pipeline.Criticality;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.testkit.TelemetryCapture;
import dev.bulwark.time.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A watched file re-applied: state kept where the configuration is equal, an invalid file keeps the
 * configuration in force (and says so in {@code config.rejected}), startup-only sections refuse to
 * change, the watcher picks up a change by itself.
 */
class ReloadTest {

    private static final String V1 = """
            circuitBreakers:
              catalog:
                failureRate: { thresholdPercent: 50, windowCalls: 10, minimumCalls: 4 }
                recordExceptions: [java.io.IOException]
                halfOpen: { after: 30s, trialCalls: 2 }
            protections:
              catalog:
                fallback: { lastGoodValue: 5m }
                retry: { maxAttempts: 2, backoff: none, budget: { retryRatio: 0.5, burst: 4 } }
                circuitBreaker: catalog
              search:
                bulkhead: 8
            """;

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();
    private final Telemetry telemetry = Telemetry.create();
    private final TelemetryCapture capture = TelemetryCapture.all(telemetry);
    private Infrastructure infra;

    @AfterEach
    void close() {
        if (infra != null) {
            infra.close();
        }
        telemetry.close();
    }

    private Path file(String text) throws IOException {
        Path file = dir.resolve("bulwark.yaml");
        Files.writeString(file, text);
        return file;
    }

    private BulwarkConfig start(BulwarkConfig.Builder builder) {
        BulwarkConfig config = builder.withoutOverrides().build();
        infra = config.applyTo(Infrastructure.builder().clock(clock).telemetry(telemetry)).build();
        return config;
    }

    private Result<String> fail() {
        return infra.executeProtected("catalog", () -> {
            throw new IOException("down");
        });
    }

    @Test
    void theFileIsAppliedWhenTheInfrastructureIsBuilt() throws IOException {
        BulwarkConfig config = start(BulwarkConfig.fromFile(file(V1)));
        assertThat(infra.protectionKeys()).containsExactly("catalog", "search");
        assertThat(infra.protectionConfig("catalog").getOrThrow()).isEqualTo(config.current().protections().get("catalog"));
        assertThat(infra.circuitBreakers().get("catalog").orElseThrow().config())
                .isEqualTo(config.current().circuitBreakers().get("catalog"));
        assertThat(capture.named(ConfigEvents.APPLIED)).singleElement().satisfies(e -> {
            assertThat(e.measurements()).containsEntry("version", 1L).containsEntry("protections", 2)
                    .containsEntry("circuit_breakers", 1).containsEntry("changed", 3);
            assertThat(e.metadata()).containsEntry(ConfigEvents.SOURCE, config.source());
        });
        assertThat(infra.status().components().get(BulwarkConfig.COMPONENT_NAME)).isInstanceOfSatisfying(ConfigStatus.class,
                s -> assertThat(s.version()).isEqualTo(1));
        assertThat(capture.undeclared()).isEmpty();
    }

    @Test
    void reloadingTheSameFileKeepsBreakerHistoryRetryBudgetAndLastGoodValue() throws IOException {
        BulwarkConfig config = start(BulwarkConfig.fromFile(file(V1)));
        assertThat(infra.executeProtected("catalog", () -> "page")).isEqualTo(Result.ok("page"));
        long pageAt = clock.nanoTime();
        clock.advance(Duration.ofSeconds(3));
        assertThat(fail()).isEqualTo(Result.ok("page"));     // two attempts melt; the last good value answers
        CircuitBreaker breaker = infra.circuitBreakers().get("catalog").orElseThrow();
        assertThat(breaker.stats().meltCount()).isEqualTo(2);
        assertThat(infra.protectionStatus("catalog").getOrThrow().retry().budgetTokens()).isEqualTo(3.0);

        Files.writeString(dir.resolve("bulwark.yaml"), "# reformatted, same values\n" + V1.replace("{ after: 30s, trialCalls: 2 }",
                "\n      after: PT30S\n      trialCalls: 2"));
        assertThat(config.reload().isOk()).isTrue();

        assertThat(infra.circuitBreakers().get("catalog")).containsSame(breaker);
        assertThat(breaker.stats().meltCount()).isEqualTo(2);                          // history kept
        assertThat(infra.protectionStatus("catalog").getOrThrow().retry().budgetTokens()).isEqualTo(3.0);
        assertThat(capture.named(ConfigEvents.APPLIED)).last().satisfies(e ->
                assertThat(e.measurements()).containsEntry("version", 2L).containsEntry("changed", 0));

        fail();                                                                        // 4 calls, 75 % failed: open
        assertThat(breaker.state()).isEqualTo(State.OPEN);
        clock.advance(Duration.ofSeconds(2));
        assertThat(fail()).isEqualTo(Result.ok("page"));                               // the value from before the reload
        assertThat(infra.protectionStatus("catalog").getOrThrow().fallback().lastGoodAge())
                .isEqualTo(Duration.ofNanos(clock.nanoTime() - pageAt));
    }

    @Test
    void aBrokenFileKeepsTheConfigurationInForceAndEmitsRejected() throws IOException {
        BulwarkConfig config = start(BulwarkConfig.fromFile(file(V1)));
        infra.executeProtected("catalog", () -> "page");
        fail();
        var before = infra.protectionConfig("catalog").getOrThrow();

        Files.writeString(dir.resolve("bulwark.yaml"), V1.replace("maxAttempts: 2", "maxAttempts: 0")
                .replace("bulkhead: 8", "bulkhed: 8"));
        Result<ConfigSnapshot> result = config.reload();

        assertThat(result.isOk()).isFalse();
        InfraError error = ((Result.Err<ConfigSnapshot>) result).error();
        assertThat(error.code()).isEqualTo(1201);
        assertThat(error.cause()).isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).hasSize(2));
        assertThat(infra.protectionConfig("catalog").getOrThrow()).isSameAs(before);
        assertThat(infra.protectionKeys()).containsExactly("catalog", "search");
        assertThat(infra.circuitBreakers().get("catalog").orElseThrow().stats().meltCount()).isEqualTo(2);
        assertThat(config.current().protections().get("catalog")).isSameAs(before);
        assertThat(capture.named(ConfigEvents.REJECTED)).singleElement().satisfies(e -> {
            assertThat(e.measurements()).containsEntry("errors", 2);
            assertThat(e.metadata()).containsEntry(ConfigEvents.ERROR_CODE, 1201);
            assertThat((String) e.metadata().get(ConfigEvents.MESSAGE)).contains("protections.catalog.retry.maxAttempts")
                    .contains("did you mean 'bulkhead'?");
        });
        assertThat(config.status().rejected()).isEqualTo(1);
        assertThat(config.status().version()).isEqualTo(1);
        assertThat(capture.undeclared()).isEmpty();
    }

    @Test
    void aChangedFileChangesWhatChangedAndRemovesWhatIsGone() throws IOException {
        BulwarkConfig config = start(BulwarkConfig.fromFile(file(V1)));
        fail();
        CircuitBreaker breaker = infra.circuitBreakers().get("catalog").orElseThrow();

        Files.writeString(dir.resolve("bulwark.yaml"), V1.replace("maxAttempts: 2", "maxAttempts: 3")
                .replace("  search:\n    bulkhead: 8\n", ""));
        assertThat(config.reload().isOk()).isTrue();

        assertThat(infra.protectionKeys()).containsExactly("catalog");
        assertThat(infra.protectionConfig("catalog").getOrThrow().retry().maxAttempts()).isEqualTo(3);
        assertThat(breaker.stats().meltCount()).isEqualTo(2);                      // the breaker did not change
        assertThat(capture.named(ConfigEvents.APPLIED)).last().satisfies(e -> assertThat(e.metadata())
                .containsEntry(ConfigEvents.CHANGED_KEYS, java.util.List.of("protection catalog", "protection search removed")));
    }

    @Test
    void theInfrastructureAndRedisSectionsCannotChangeOnAReload() throws IOException {
        BulwarkConfig config = start(BulwarkConfig.fromFile(file("infrastructure: { rateLimitMaxKeys: 1000 }\n" + V1)));
        Files.writeString(dir.resolve("bulwark.yaml"), "infrastructure: { rateLimitMaxKeys: 2000 }\n" + V1);
        Result<ConfigSnapshot> result = config.reload();
        assertThat(result.isOk()).isFalse();
        assertThat(((Result.Err<ConfigSnapshot>) result).error().message()).isEqualTo("invalid value '2000' at"
                + " infrastructure.rateLimitMaxKeys (" + config.source() + "): changed from 1000; this setting applies when"
                + " the infrastructure is built and cannot change on a reload: restart to change it");
    }

    @Test
    void theWatcherAppliesAChangedFileByItself() throws IOException {
        BulwarkConfig config = start(BulwarkConfig.fromFile(file(V1)).watch(Duration.ofMillis(20)));
        assertThat(config.status().watching()).isTrue();
        Files.writeString(dir.resolve("bulwark.yaml"), V1.replace("bulkhead: 8", "bulkhead: 9"));
        await().atMost(Duration.ofSeconds(10)).until(() ->
                infra.protectionConfig("search").getOrThrow().bulkhead().maxConcurrentCalls() == 9);
        assertThat(config.status().version()).isEqualTo(2);

        Files.writeString(dir.resolve("bulwark.yaml"), "protections: [");
        await().atMost(Duration.ofSeconds(10)).until(() -> config.status().rejected() == 1);
        assertThat(infra.protectionConfig("search").getOrThrow().bulkhead().maxConcurrentCalls()).isEqualTo(9);
        infra.close();
        assertThat(config.status().watching()).isFalse();
    }

    @Test
    void aModuleWithAnInfrastructureSectionNeedsApplyTo() {
        BulwarkConfig config = BulwarkConfig.fromText("infrastructure: { telemetryPrefix: shop }\n", ConfigFormat.YAML)
                .withoutOverrides().build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Infrastructure.builder().install(config.asModule()).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("install with BulwarkConfig.applyTo(builder)");
    }

    @Test
    void applyToSetsTheInfrastructureSettings() {
        BulwarkConfig config = BulwarkConfig.fromText("infrastructure: { telemetryPrefix: shop.infra, asyncTelemetry: 64 }\n",
                ConfigFormat.YAML).withoutOverrides().build();
        try (Infrastructure built = config.applyTo(Infrastructure.builder()).build()) {
            assertThat(built.telemetry().prefix().toString()).isEqualTo("shop.infra");
            assertThat(built.telemetry().dispatchMode()).isEqualTo(dev.bulwark.telemetry.DispatchMode.ASYNCHRONOUS);
        }
    }

    @Test
    void aRedisSectionInstallsTheRedisStoreAsTheLimitersStore() {
        BulwarkConfig config = BulwarkConfig.fromText("""
                redis:
                  uri: redis://127.0.0.1:1
                  commandTimeout: 50ms
                  failurePolicy: fail_open
                  keyPrefix: "test:config:"
                """, ConfigFormat.YAML).withoutOverrides().build();
        try (Infrastructure built = config.applyTo(Infrastructure.builder()).build()) {
            assertThat(built.component(dev.bulwark.redis.RedisLimitStore.class)).isPresent();
            assertThat(built.rateLimiter().store()).isInstanceOf(dev.bulwark.redis.RedisLimitStore.class);
            assertThat(built.status().components()).containsKey("redis_limit_store");
        }
    }

    @Test
    void beforeItIsInstalledAReloadOnlyChecks() {
        BulwarkConfig config = BulwarkConfig.fromText("protections: { a: { bulkhead: 2 } }", ConfigFormat.YAML)
                .withoutOverrides().build();
        assertThat(config.status().version()).isZero();
        assertThat(config.reload().isOk()).isTrue();
        assertThat(config.current().protections()).containsOnlyKeys("a");
        assertThat(config.status().version()).isZero();
    }

    @Test
    void theWatcherWaitsUntilTheFileReadsTheSameTwiceSoAHalfWrittenFileIsNeverApplied() throws IOException {
        BulwarkConfig config = start(BulwarkConfig.fromFile(file(V1)).watch(Duration.ofHours(1)));   // polled by hand below
        Path path = dir.resolve("bulwark.yaml");
        Files.writeString(path, "");                                  // truncated: an editor half-way through
        config.poll();
        assertThat(infra.protectionKeys()).containsExactly("catalog", "search");
        Files.writeString(path, V1.replace("bulkhead: 8", "bulkhead: 9"));
        config.poll();                                                // changed again: still waiting
        assertThat(infra.protectionConfig("search").getOrThrow().bulkhead().maxConcurrentCalls()).isEqualTo(8);
        config.poll();                                                // the same twice: applied
        assertThat(infra.protectionConfig("search").getOrThrow().bulkhead().maxConcurrentCalls()).isEqualTo(9);
        config.poll();                                                // unchanged: nothing more
        assertThat(config.status().version()).isEqualTo(2);
        assertThat(config.status().rejected()).isZero();
    }

    private static final String GUARDED = """
            circuitBreakers:
              orders: { consecutiveFailures: 2, reset: 1h }
            protections:
              orders:
                fallback: { lastGoodValue: 1h }
                circuitBreaker: orders
            """;

    private Result<String> failOrders() {
        return infra.executeProtected("orders", () -> {
            throw new IOException("down");
        });
    }

    @Test
    void markingABreakerCriticalOnAReloadTurnsReadinessDownAndKeepsTheBreakersState() throws IOException {
        BulwarkConfig config = start(BulwarkConfig.fromFile(file(GUARDED)));
        assertThat(infra.executeProtected("orders", () -> "o-1")).isEqualTo(Result.ok("o-1"));
        failOrders();
        failOrders();
        CircuitBreaker breaker = infra.circuitBreakers().get("orders").orElseThrow();
        assertThat(breaker.state()).isEqualTo(State.OPEN);
        assertThat(infra.health().readiness().status()).isEqualTo(HealthStatus.DEGRADED);

        Files.writeString(dir.resolve("bulwark.yaml"), "health: { criticalBreakers: [orders] }\n" + GUARDED);
        assertThat(config.reload().isOk()).isTrue();
        assertThat(infra.circuitBreakers().get("orders")).containsSame(breaker);
        assertThat(breaker.state()).isEqualTo(State.OPEN);                             // the open breaker stays open
        assertThat(breaker.stats().meltCount()).isEqualTo(2);
        assertThat(infra.health().criticalBreakers()).containsExactly("orders");
        HealthReport down = infra.health().readiness();
        assertThat(down.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(down.httpStatus()).isEqualTo(503);
        // the process's own checks run on the executor from registration on: UNKNOWN until their first run ends
        await().atMost(Duration.ofSeconds(5))
                .until(() -> infra.health().liveness().status() != HealthStatus.UNKNOWN);
        assertThat(infra.health().liveness().status()).isEqualTo(HealthStatus.UP);     // never a dependency's
        assertThat(failOrders()).isEqualTo(Result.ok("o-1"));                          // the last good value kept
        assertThat(capture.named(ConfigEvents.APPLIED)).last().satisfies(e -> assertThat(e.metadata())
                .containsEntry(ConfigEvents.CHANGED_KEYS, java.util.List.of("critical_breaker orders")));

        Files.writeString(dir.resolve("bulwark.yaml"), GUARDED.replace("reset: 1h }", "reset: 1h, critical: true }"));
        assertThat(config.reload().isOk()).isTrue();                                   // the same mark, written otherwise
        assertThat(infra.health().readiness().status()).isEqualTo(HealthStatus.DOWN);

        Files.writeString(dir.resolve("bulwark.yaml"), GUARDED);
        assertThat(config.reload().isOk()).isTrue();
        assertThat(infra.health().criticalBreakers()).isEmpty();
        assertThat(infra.health().readiness().status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(breaker.state()).isEqualTo(State.OPEN);
        assertThat(capture.named(ConfigEvents.APPLIED)).last().satisfies(e -> assertThat(e.metadata())
                .containsEntry(ConfigEvents.CHANGED_KEYS, java.util.List.of("critical_breaker orders unmarked")));
    }

    @Test
    void addingShedAdaptiveConcurrencyAndHedgeOnAReloadKeepsBreakerStateAndLastGoodValue() throws IOException {
        BulwarkConfig config = start(BulwarkConfig.fromFile(file(GUARDED)));
        infra.executeProtected("orders", () -> "o-1");
        failOrders();
        CircuitBreaker breaker = infra.circuitBreakers().get("orders").orElseThrow();
        assertThat(breaker.stats().meltCount()).isEqualTo(1);

        Files.writeString(dir.resolve("bulwark.yaml"), GUARDED.replace("circuitBreaker: orders", """
                circuitBreaker: orders
                    shed: true
                    adaptiveConcurrency: { algorithm: aimd, initialLimit: 4, minLimit: 1, maxLimit: 8 }
                    hedge: { idempotent: true, delay: 1h }"""));
        assertThat(config.reload().isOk()).isTrue();
        assertThat(infra.protectionConfig("orders").getOrThrow().parts())
                .containsExactly("fallback", "shed", "adaptive_concurrency", "hedge", "circuit_breaker");
        assertThat(infra.circuitBreakers().get("orders")).containsSame(breaker);
        assertThat(breaker.stats().meltCount()).isEqualTo(1);                          // history kept
        assertThat(failOrders()).isEqualTo(Result.ok("o-1"));                          // value from before the reload
        assertThat(breaker.state()).isEqualTo(State.OPEN);                             // the second melt counted as usual
        assertThat(capture.named(ConfigEvents.APPLIED)).last().satisfies(e -> assertThat(e.metadata())
                .containsEntry(ConfigEvents.CHANGED_KEYS, java.util.List.of("protection orders")));
    }

    @Test
    void theMemorySectionAndHealthsCheckSettingsCannotChangeOnAReloadTheBreakersStateStays() throws IOException {
        String v1 = "memory: { elevatedAt: 0.7 }\nhealth: { checkTimeout: 2s }\n" + GUARDED;
        BulwarkConfig config = start(BulwarkConfig.fromFile(file(v1)));
        assertThat(infra.memory().config()).isEqualTo(config.current().memory());
        assertThat(infra.health().checkDefaults().timeout()).isEqualTo(Duration.ofSeconds(2));
        failOrders();

        Files.writeString(dir.resolve("bulwark.yaml"), v1.replace("0.7", "0.75").replace("2s", "3s"));
        Result<ConfigSnapshot> result = config.reload();
        assertThat(result.isOk()).isFalse();
        ConfigException e = (ConfigException) ((Result.Err<ConfigSnapshot>) result).error().cause();
        assertThat(e.errors()).extracting(InfraError::message).containsExactly(
                "invalid value 'PT3S' at health.checkTimeout (" + config.source() + "): changed from PT2S; this setting"
                        + " applies when the infrastructure is built and cannot change on a reload: restart to change it",
                "invalid value '0.75' at memory.elevatedAt (" + config.source() + "): changed from 0.7; this setting"
                        + " applies when the infrastructure is built and cannot change on a reload: restart to change it");
        assertThat(infra.memory().config().elevatedAt()).isEqualTo(0.7);
        assertThat(config.current().memory().elevatedAt()).isEqualTo(0.7);
        assertThat(infra.circuitBreakers().get("orders").orElseThrow().stats().meltCount()).isEqualTo(1);

        Files.writeString(dir.resolve("bulwark.yaml"), v1.replace("{ checkTimeout: 2s }", "{ checkTimeout: 2s, criticalBreakers: [orders] }"));
        assertThat(config.reload().isOk()).isTrue();                                   // the critical marks may change
        assertThat(infra.health().criticalBreakers()).containsExactly("orders");
    }

    @Test
    void theMemoryThresholdsOfTheFileDecideWhatTheShedStageRejects() {
        BulwarkConfig config = BulwarkConfig.fromText("""
                memory: { elevatedAt: 0.6, criticalAt: 0.8, hysteresis: 0.1 }
                protections:
                  reports: { shed: true }
                """, ConfigFormat.YAML).withoutOverrides().build();
        java.util.concurrent.atomic.AtomicReference<MemoryReading> reading =
                new java.util.concurrent.atomic.AtomicReference<>(MemoryReading.ofOccupancy(0.65));
        infra = config.applyTo(Infrastructure.builder().clock(clock).telemetry(telemetry).memorySource(reading::get)).build();
        assertThat(infra.memory().level()).isEqualTo(MemoryPressure.ELEVATED);         // 65 %: NORMAL by default (80 %)
        Result<String> shed = infra.executeProtected("reports", "u-1", Criticality.SHEDDABLE, () -> "report");
        assertThat(shed.isOk()).isFalse();
        assertThat(((Result.Err<String>) shed).error().code()).isEqualTo(7201);
        assertThat(infra.executeProtected("reports", "u-1", Criticality.DEFAULT, () -> "report")).isEqualTo(Result.ok("report"));

        reading.set(MemoryReading.ofOccupancy(0.55));                                  // within the hysteresis: stays
        assertThat(infra.memory().refresh()).isEqualTo(MemoryPressure.ELEVATED);
        reading.set(MemoryReading.ofOccupancy(0.45));
        assertThat(infra.memory().refresh()).isEqualTo(MemoryPressure.NORMAL);
        assertThat(infra.executeProtected("reports", "u-1", Criticality.SHEDDABLE, () -> "report")).isEqualTo(Result.ok("report"));
    }

    @Test
    void aModuleWithAMemorySectionNeedsApplyTo() {
        BulwarkConfig config = BulwarkConfig.fromText("memory: { elevatedAt: 0.7 }\n", ConfigFormat.YAML).withoutOverrides().build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Infrastructure.builder().install(config.asModule()).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("the memory section sets the Infrastructure builder: install with BulwarkConfig.applyTo(builder)");
        BulwarkConfig marks = BulwarkConfig.fromText("health: { criticalBreakers: [db] }\n", ConfigFormat.YAML).withoutOverrides().build();
        try (Infrastructure built = Infrastructure.builder().install(marks.asModule()).build()) {
            assertThat(built.health().criticalBreakers()).containsExactly("db");       // marked through the registry
        }
    }
}
