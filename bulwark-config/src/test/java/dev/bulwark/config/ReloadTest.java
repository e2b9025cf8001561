package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.Infrastructure;
import dev.bulwark.Result;
import dev.bulwark.circuit.CircuitBreaker;
import dev.bulwark.circuit.State;
import dev.bulwark.error.InfraError;
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
}
