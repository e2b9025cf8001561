package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Protection;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.circuit.SlidingWindow;
import dev.bulwark.health.HealthCheckConfig;
import dev.bulwark.health.HealthConfig;
import dev.bulwark.memory.MemoryConfig;
import dev.bulwark.pipeline.AdaptiveConcurrencyConfig;
import dev.bulwark.pipeline.BulkheadConfig;
import dev.bulwark.pipeline.FallbackConfig;
import dev.bulwark.pipeline.HedgeConfig;
import dev.bulwark.pipeline.RetryBudget;
import dev.bulwark.pipeline.RetryConfig;
import dev.bulwark.pipeline.TimeoutConfig;
import dev.bulwark.pool.PoolConfig;
import dev.bulwark.pool.PoolStage;
import dev.bulwark.ratelimit.Algorithm;
import dev.bulwark.ratelimit.RateLimit;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * A file that uses every section and setting becomes exactly the configurations the builders make
 * from the same values (value equality), in YAML and in JSON, and reading it again gives equal ones.
 */
class CompleteFileTest {

    private static final ConfigSnapshot YAML = ConfigSnapshot.parse(ConfigTestFiles.read("complete.yaml"), ConfigFormat.YAML, "complete.yaml");

    static CircuitBreakerConfig inventoryBreaker() {
        return CircuitBreakerConfig.builder()
                .failureRate(50, SlidingWindow.ofCalls(20), 10)
                .slowCallRate(Duration.ofMillis(800), 80, SlidingWindow.ofDuration(Duration.ofSeconds(30)), 5)
                .consecutiveFailures(8)
                .halfOpen(Duration.ofSeconds(10), 3, 2)
                .trialTimeout(Duration.ofSeconds(20))
                .jitter(0.2)
                .backoff(2, Duration.ofMinutes(5))
                .recordExceptions(IOException.class, TimeoutException.class)
                .ignoreExceptions(FileNotFoundException.class)
                .build();
    }

    static CircuitBreakerConfig paymentsBreaker() {
        return CircuitBreakerConfig.builder()
                .failureCount(3, Duration.ofMinutes(1))
                .reset(Duration.ofSeconds(30))
                .faultInjection(0.01)
                .build();
    }

    @Test
    void everyBreakerIsTheOneTheBuilderMakes() {
        assertThat(YAML.circuitBreakers()).containsOnlyKeys("inventory", "payments", "defaults");
        assertThat(YAML.circuitBreakers().get("inventory")).isEqualTo(inventoryBreaker());
        assertThat(YAML.circuitBreakers().get("payments")).isEqualTo(paymentsBreaker());
        assertThat(YAML.circuitBreakers().get("defaults")).isEqualTo(CircuitBreakerConfig.defaults());
        assertThat(YAML.criticalBreakers()).containsExactly("inventory", "payments", "shop-redis");
    }

    @Test
    void theHealthAndMemorySectionsAreTheConfigurationsTheBuildersMake() {
        HealthConfig health = HealthConfig.builder()
                .checkDefaults(HealthCheckConfig.of(Duration.ofMillis(500), Duration.ofSeconds(5)))
                .criticalBreakers("inventory", "payments", "shop-redis")      // critical: true and health.criticalBreakers
                .keyBoundWarning(0.75)
                .build();
        MemoryConfig memory = MemoryConfig.builder().elevatedAt(0.7).criticalAt(0.85).hysteresis(0.1)
                .criticalGracePeriod(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).build();
        assertThat(YAML.health()).isEqualTo(health).hasSameHashCodeAs(health);
        assertThat(YAML.memory()).isEqualTo(memory).hasSameHashCodeAs(memory);
    }

    @Test
    void withoutHealthAndMemorySectionsTheDefaultsApplyWithTheCriticalBreakers() {
        ConfigSnapshot none = ConfigSnapshot.parse("circuitBreakers: { db: { critical: true } }", ConfigFormat.YAML, "n.yaml");
        assertThat(none.health()).isEqualTo(HealthConfig.builder().criticalBreakers("db").build());
        assertThat(none.memory()).isEqualTo(MemoryConfig.defaults());
        assertThat(ConfigSnapshot.parse("memory: {}\nhealth: {}", ConfigFormat.YAML, "e.yaml").health())
                .isEqualTo(HealthConfig.defaults());
    }

    @Test
    void everyRuleIsTheOneTheBuilderMakes() {
        assertThat(YAML.rateLimits()).containsExactly(
                Map.entry("api_calls", RateLimit.of("api_calls", 100, Duration.ofMinutes(1))),
                Map.entry("login", RateLimit.of("login", 5, Duration.ofMinutes(15), Algorithm.GCRA)));
    }

    @Test
    void everyProtectionIsTheOneTheBuilderMakes() {
        Map<String, Object> stock = new LinkedHashMap<>();
        stock.put("sku", "unknown");
        stock.put("available", 0L);
        Protection inventory = Protection.builder()
                .fallback(FallbackConfig.builder().lastGoodValue(Duration.ofSeconds(30)).value(stock).build())
                .rateLimitPerCaller("inventory.read", RateLimit.of("api_calls", 100, Duration.ofMinutes(1)))
                .shed()
                .adaptiveConcurrency(AdaptiveConcurrencyConfig.builder().algorithm(AdaptiveConcurrencyConfig.Algorithm.AIMD)
                        .initialLimit(10).limits(2, 50).window(Duration.ofSeconds(2)).minSamples(10).tolerance(1.5)
                        .backoffRatio(0.8).slowStart(false).probeInterval(10).build())
                .bulkhead(BulkheadConfig.of(16).withMaxWait(Duration.ofMillis(10)))
                .totalTimeout(Duration.ofSeconds(2))
                .retry(RetryConfig.builder().maxAttempts(3)
                        .exponentialBackoff(Duration.ofMillis(50), Duration.ofMillis(400), 2)
                        .jitter(0.5).maxRetryAfter(Duration.ofSeconds(1)).budget(RetryBudget.of(0.1, 5)).build())
                .hedge(HedgeConfig.builder().idempotent().maxAttempts(3).delayAtPercentile(95, Duration.ofMillis(20))
                        .latencyWindow(Duration.ofSeconds(10)).minSamples(50)
                        .delayBounds(Duration.ofMillis(5), Duration.ofMillis(200)).budget(0.05, 5).build())
                .circuitBreaker("inventory", inventoryBreaker())
                .attemptTimeout(TimeoutConfig.of(Duration.ofMillis(500)).withInterruptOnTimeout(false))
                .stage(PoolStage.of("inventory_clients"))
                .build();
        Protection payments = Protection.builder()
                .rateLimit("merchant-gateway", "payments", RateLimit.of(10, Duration.ofSeconds(1), Algorithm.TOKEN_BUCKET))
                .adaptiveConcurrency(AdaptiveConcurrencyConfig.defaults())
                .retry(RetryConfig.builder().maxAttempts(2).fixedBackoff(Duration.ofMillis(200)).build())
                .hedge(HedgeConfig.builder().idempotent().delay(Duration.ofMillis(50)).build())
                .circuitBreaker("payments", paymentsBreaker())
                .build();
        Protection login = Protection.builder()
                .rateLimitPerCaller("login", RateLimit.of("login", 5, Duration.ofMinutes(15), Algorithm.GCRA))
                .fallback(FallbackConfig.ofValue("try again later"))
                .bulkhead(BulkheadConfig.of(4))
                .retry(RetryConfig.builder().maxAttempts(1).noBackoff().build())
                .build();

        assertThat(YAML.protections()).containsOnlyKeys("inventory", "payments", "login");
        assertThat(YAML.protections().get("inventory")).isEqualTo(inventory).hasSameHashCodeAs(inventory);
        assertThat(YAML.protections().get("payments")).isEqualTo(payments);
        assertThat(YAML.protections().get("login")).isEqualTo(login);
        assertThat(YAML.protections().get("inventory").parts()).containsExactly("fallback", "rate_limit", "shed",
                "adaptive_concurrency", "bulkhead", "total_timeout", "retry", "hedge", "circuit_breaker", "attempt_timeout", "pool");
    }

    @Test
    void everyStageOfThePipelineHasASettingOfAProtection() {
        java.util.Set<String> configurable = new java.util.HashSet<>(YAML.protections().get("inventory").parts());
        assertThat(Protection.PART_ORDER).allSatisfy(part -> assertThat(configurable).contains(part));
    }

    @Test
    void everyPoolIsTheConfigurationTheBuilderMakes() {
        PoolConfig clients = PoolConfig.builder()
                .maxSize(4).maxOverflow(2).overflowLinger(Duration.ofSeconds(10))
                .maxWaiters(16).checkoutTimeout(Duration.ofMillis(250))
                .validateOnBorrow(true).validateWhileIdle(Duration.ofSeconds(30)).evictIdleAfter(Duration.ofMinutes(5))
                .leakThreshold(Duration.ofSeconds(20)).maintenanceInterval(Duration.ofMillis(500))
                .breaker(CircuitBreakerConfig.builder().consecutiveFailures(3).halfOpen(Duration.ofSeconds(2), 1, 1).build())
                .poisonedBy(IOException.class)
                .critical(true)
                .build();
        assertThat(YAML.poolConfigs()).containsOnlyKeys("inventory_clients", "shards");
        assertThat(YAML.poolConfigs().get("inventory_clients")).isEqualTo(clients);
        assertThat(YAML.poolConfigs().get("shards")).isEqualTo(PoolConfig.defaults());
        assertThat(YAML.protections().get("inventory").stage(dev.bulwark.spi.Slot.POOL)).isEqualTo(PoolStage.of("inventory_clients"));
    }

    @Test
    void theInfrastructureSectionIsReadAsWritten() {
        var i = YAML.settings().infrastructure();
        assertThat(i.rateLimitMaxKeys()).isEqualTo(500_000L);
        assertThat(i.rateLimitSweepInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(i.telemetryPrefix()).isEqualTo("shop.infra");
        assertThat(i.asyncTelemetry()).isEqualTo(4096);
        assertThat(i.tickingClock()).isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void theRedisSectionIsReadAsWritten() {
        var r = YAML.settings().redis();
        assertThat(r.uri()).isEqualTo("redis://127.0.0.1:6379/0");
        assertThat(r.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(r.commandTimeout()).isEqualTo(Duration.ofMillis(100));
        assertThat(r.keyPrefix()).isEqualTo("shop:rl:");
        assertThat(r.failurePolicy()).isEqualTo(dev.bulwark.config.model.RedisFailurePolicy.FAIL_OPEN);
        assertThat(r.operationPolicies()).containsExactly(Map.entry("login", dev.bulwark.config.model.RedisFailurePolicy.FAIL_CLOSED));
        assertThat(r.denyCacheCapacity()).isEqualTo(1024);
        assertThat(r.batching()).isTrue();
        assertThat(r.maxBatchesInFlight()).isEqualTo(2);
        assertThat(r.maxBatchSize()).isEqualTo(64);
        assertThat(r.circuitBreakerName()).isEqualTo("shop-redis");
        assertThat(r.circuitBreaker().consecutiveFailures()).isEqualTo(3);
    }

    @Test
    void theRedisPoliciesAreThoseOfTheRedisModule() {
        assertThat(java.util.Arrays.stream(dev.bulwark.config.model.RedisFailurePolicy.values()).map(Enum::name))
                .containsExactlyElementsOf(java.util.Arrays.stream(dev.bulwark.redis.FailurePolicy.values()).map(Enum::name).toList());
    }

    @Test
    void theSameFileInJsonGivesEqualConfigurations() {
        ConfigSnapshot json = ConfigSnapshot.parse(ConfigTestFiles.read("complete.json"), ConfigFormat.JSON, "complete.json");
        assertThat(json.protections()).isEqualTo(YAML.protections());
        assertThat(json.circuitBreakers()).isEqualTo(YAML.circuitBreakers());
        assertThat(json.rateLimits()).isEqualTo(YAML.rateLimits());
        assertThat(json.settings()).isEqualTo(YAML.settings());
        assertThat(json.health()).isEqualTo(YAML.health());
        assertThat(json.memory()).isEqualTo(YAML.memory());
    }

    @Test
    void readingTheSameTextAgainGivesEqualConfigurations() {
        ConfigSnapshot again = ConfigSnapshot.parse(ConfigTestFiles.read("complete.yaml"), ConfigFormat.YAML, "complete.yaml");
        assertThat(again).isEqualTo(YAML).hasSameHashCodeAs(YAML);
        assertThat(again.protections().get("inventory")).isNotSameAs(YAML.protections().get("inventory"));
    }

    @Test
    void kebabCaseKeysAreTheSameSettings() {
        ConfigSnapshot kebab = ConfigSnapshot.parse("""
                protections:
                  inventory:
                    retry: { max-attempts: 4, initial-delay: 50ms, max-delay: 1s }
                    total-timeout: 2s
                """, ConfigFormat.YAML, "kebab.yaml");
        assertThat(kebab.protections().get("inventory")).isEqualTo(Protection.builder()
                .retry(RetryConfig.builder().maxAttempts(4).exponentialBackoff(Duration.ofMillis(50), Duration.ofSeconds(1)).build())
                .totalTimeout(Duration.ofSeconds(2))
                .build());
    }

    @Test
    void durationsInEveryUnitAndIso8601() {
        String file = """
                rateLimits:
                  a: { limit: 1, window: 250ms }
                  b: { limit: 1, window: 2s }
                  c: { limit: 1, window: 1m }
                  d: { limit: 1, window: 1.5h }
                  e: { limit: 1, window: PT2S }
                  f: { limit: 1, window: 1d }
                  g: { limit: 1, window: 1500us }
                """;
        Map<String, RateLimit> rules = ConfigSnapshot.parse(file, ConfigFormat.YAML, "d.yaml").rateLimits();
        assertThat(rules.values()).extracting(RateLimit::window).containsExactly(
                Duration.ofMillis(250), Duration.ofSeconds(2), Duration.ofMinutes(1), Duration.ofMinutes(90),
                Duration.ofSeconds(2), Duration.ofDays(1), Duration.ofNanos(1_500_000));
    }
}
