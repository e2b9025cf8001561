package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bulwark.error.InfraError;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Environment variables ({@code BULWARK_...}) and system properties ({@code bulwark....}) override
 * the file, system properties last; a misspelt override is reported like a misspelt key, naming
 * the variable.
 */
class OverridesTest {

    private static final String FILE = """
            circuitBreakers:
              inventory: { consecutiveFailures: 5 }
            protections:
              inventory:
                retry: { maxAttempts: 3 }
                circuitBreaker: inventory
              inventory_read:
                bulkhead: 4
            """;

    private static ConfigSnapshot read(Map<String, String> env, Map<String, String> props) {
        return BulwarkConfig.fromText(FILE, ConfigFormat.YAML).environment(env).systemProperties(props).build().current();
    }

    @Test
    void anEnvironmentVariableOverridesTheFile() {
        ConfigSnapshot s = read(Map.of("BULWARK_PROTECTIONS_INVENTORY_RETRY_MAXATTEMPTS", "5"), Map.of());
        assertThat(s.protections().get("inventory").retry().maxAttempts()).isEqualTo(5);
    }

    @Test
    void aSystemPropertyOverridesTheFileAndTheEnvironment() {
        ConfigSnapshot s = read(Map.of("BULWARK_PROTECTIONS_INVENTORY_RETRY_MAXATTEMPTS", "5"),
                Map.of("bulwark.protections.inventory.retry.maxAttempts", "7"));
        assertThat(s.protections().get("inventory").retry().maxAttempts()).isEqualTo(7);
    }

    @Test
    void underscoresSeparateWordsOfANameOrReachAKeyThatHasThem() {
        ConfigSnapshot s = read(Map.of(
                "BULWARK_PROTECTIONS_INVENTORY_READ_BULKHEAD_MAX_CONCURRENT_CALLS", "9",
                "BULWARK_CIRCUIT_BREAKERS_INVENTORY_CONSECUTIVEFAILURES", "2"), Map.of());
        assertThat(s.protections().get("inventory_read").bulkhead().maxConcurrentCalls()).isEqualTo(9);
        assertThat(s.circuitBreakers().get("inventory").consecutiveFailures()).isEqualTo(2);
        assertThat(s.protections().get("inventory").circuitBreaker().config().consecutiveFailures()).isEqualTo(2);
    }

    @Test
    void anOverrideMayAddWhatTheFileLeftOut() {
        ConfigSnapshot s = read(Map.of(), Map.of("bulwark.protections.inventory.totalTimeout", "2s",
                "bulwark.rateLimits.api.limit", "100", "bulwark.rateLimits.api.window", "1m"));
        assertThat(s.protections().get("inventory").totalTimeout().timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.rateLimits().get("api").limit()).isEqualTo(100);
    }

    @Test
    void aMisspeltOverrideNamesTheVariableAndTheNearestKey() {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> read(Map.of("BULWARK_PROTECTIONS_INVENTORY_RETRY_MAXATTEMPT", "5"), Map.of()));
        InfraError error = e.errors().get(0);
        assertThat(error.message()).isEqualTo("unknown key 'maxattempt' at protections.inventory.retry (environment"
                + " variable BULWARK_PROTECTIONS_INVENTORY_RETRY_MAXATTEMPT): did you mean 'maxAttempts'?");
        assertThat(error.context()).containsEntry("source", "environment variable BULWARK_PROTECTIONS_INVENTORY_RETRY_MAXATTEMPT")
                .doesNotContainKey("line");
    }

    @Test
    void aBadOverrideValueNamesTheProperty() {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> read(Map.of(), Map.of("bulwark.protections.inventory.retry.maxAttempts", "0")));
        assertThat(e.errors()).singleElement().satisfies(err -> assertThat(err.message()).isEqualTo(
                "invalid value '0' at protections.inventory.retry.maxAttempts (system property"
                        + " bulwark.protections.inventory.retry.maxAttempts): maxAttempts must be >= 1, was 0"));
    }

    @Test
    void namesUnderThePrefixThatConcernNoSectionAreLeftAlone() {
        ConfigSnapshot s = read(Map.of("BULWARK_HOME", "/opt/bulwark"), Map.of("bulwark.virtualThreads", "true"));
        assertThat(s.protections()).containsOnlyKeys("inventory", "inventory_read");
    }

    @Test
    void withoutOverridesTheFileAlone() {
        ConfigSnapshot s = BulwarkConfig.fromText(FILE, ConfigFormat.YAML).withoutOverrides().build().current();
        assertThat(s.protections().get("inventory").retry().maxAttempts()).isEqualTo(3);
    }

    @Test
    void theMemoryThresholdsHealthsCriticalBreakersAndTheNewStagesCanBeOverridden() {
        ConfigSnapshot s = read(Map.of("BULWARK_MEMORY_ELEVATED_AT", "0.7",
                        "BULWARK_HEALTH_CRITICALBREAKERS", "inventory,redis-limit-store",
                        "BULWARK_PROTECTIONS_INVENTORY_SHED", "true"),
                Map.of("bulwark.memory.criticalAt", "0.85", "bulwark.protections.inventory.hedge.idempotent", "true",
                        "bulwark.protections.inventory.hedge.delay", "20ms"));
        assertThat(s.memory()).isEqualTo(dev.bulwark.memory.MemoryConfig.builder().elevatedAt(0.7).criticalAt(0.85).build());
        assertThat(s.criticalBreakers()).containsExactly("inventory", "redis-limit-store");
        assertThat(s.protections().get("inventory").parts()).containsExactly("shed", "retry", "hedge", "circuit_breaker");
        assertThat(s.protections().get("inventory").stage(dev.bulwark.spi.Slot.HEDGE))
                .isEqualTo(new dev.bulwark.pipeline.HedgeStage(dev.bulwark.pipeline.HedgeConfig.builder().idempotent()
                        .delay(Duration.ofMillis(20)).build()));
    }
}
