package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bulwark.error.InfraError;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of mistake is reported with its code, its path, its line (and column) and the bad
 * value; unknown keys and names come with the nearest valid name; all problems of a file at once.
 */
class ConfigErrorsTest {

    private static List<InfraError> errors(String yaml) {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigSnapshot.parse(yaml, ConfigFormat.YAML, "bulwark.yaml"));
        assertThat(e).as("the file should be rejected").isNotNull();
        return e.errors();
    }

    private static InfraError only(String yaml) {
        List<InfraError> errors = errors(yaml);
        assertThat(errors).hasSize(1);
        return errors.get(0);
    }

    @Test
    void anUnknownKeyNamesTheNearestValidOne() {
        InfraError e = only("""
                protections:
                  inventory:
                    retry:
                      maxAttempt: 3
                """);
        assertThat(e.code()).isEqualTo(1101);
        assertThat(e.message()).isEqualTo("unknown key 'maxAttempt' at protections.inventory.retry"
                + " (bulwark.yaml line 4, column 7): did you mean 'maxAttempts'?");
        assertThat(e.context()).containsEntry("path", "protections.inventory.retry").containsEntry("line", 4)
                .containsEntry("column", 7).containsEntry("key", "maxAttempt").containsEntry("suggestion", "maxAttempts")
                .containsEntry("source", "bulwark.yaml");
    }

    @Test
    void anUnknownKeyFarFromEveryNameListsTheValidOnes() {
        InfraError e = only("""
                circuitBreakers:
                  db: { opensWhenSad: true }
                """);
        assertThat(e.message()).startsWith("unknown key 'opensWhenSad' at circuitBreakers.db (bulwark.yaml line 2, column 9): "
                + "valid keys are failureCount, failureRate, slowCallRate, consecutiveFailures, reset, halfOpen");
        assertThat(e.context()).doesNotContainKey("suggestion");
    }

    @Test
    void aMisspelledSectionNamesTheNearestSection() {
        InfraError e = only("""
                protection:
                  inventory: { bulkhead: 4 }
                """);
        assertThat(e.message()).isEqualTo("unknown key 'protection' at the top level (bulwark.yaml line 1, column 1): "
                + "did you mean 'protections'?");
    }

    @Test
    void aValueOfTheWrongTypeNamesWhatIsExpected() {
        InfraError e = only("""
                protections:
                  inventory:
                    retry: { maxAttempts: three }
                """);
        assertThat(e.code()).isEqualTo(1201);
        assertThat(e.message()).isEqualTo("invalid value 'three' at protections.inventory.retry.maxAttempts"
                + " (bulwark.yaml line 3, column 27): expected a whole number");
        assertThat(e.context()).containsEntry("path", "protections.inventory.retry.maxAttempts")
                .containsEntry("value", "three").containsEntry("line", 3);
    }

    @Test
    void aValueTheBuilderRefusesCarriesTheBuildersReason() {
        InfraError e = only("""
                protections:
                  inventory:
                    retry:
                      maxAttempts: 0
                """);
        assertThat(e.code()).isEqualTo(1201);
        assertThat(e.message()).isEqualTo("invalid value '0' at protections.inventory.retry.maxAttempts"
                + " (bulwark.yaml line 4, column 20): maxAttempts must be >= 1, was 0");
        assertThat(e.context()).containsEntry("value", 0L);
    }

    @Test
    void aDurationWithoutUnitOrInAnUnknownFormat() {
        List<InfraError> errors = errors("""
                rateLimits:
                  a: { limit: 5, window: 500 }
                  b: { limit: 5, window: 5 parsecs }
                """);
        assertThat(errors).extracting(InfraError::message).containsExactly(
                "invalid value '500' at rateLimits.a.window (bulwark.yaml line 2, column 26): a duration needs a unit:"
                        + " 500ms, 500s (ns, us, ms, s, m, h, d), or ISO-8601 (PT500S)",
                "invalid value '5 parsecs' at rateLimits.b.window (bulwark.yaml line 3, column 26): expected a duration"
                        + " such as 500ms, 2s, 1m or PT2S (units ns, us, ms, s, m, h, d)");
    }

    @Test
    void anUnknownAlgorithmNamesTheNearestOne() {
        InfraError e = only("""
                rateLimits:
                  login: { limit: 5, window: 1m, algorithm: token_bukket }
                """);
        assertThat(e.code()).isEqualTo(1201);
        assertThat(e.message()).isEqualTo("invalid value 'token_bukket' at rateLimits.login.algorithm"
                + " (bulwark.yaml line 2, column 45): no algorithm is named 'token_bukket': did you mean 'token_bucket'?");
    }

    @Test
    void aMissingKeyIsNamed() {
        InfraError e = only("""
                rateLimits:
                  login: { window: 1m }
                """);
        assertThat(e.code()).isEqualTo(1101);
        assertThat(e.message()).isEqualTo("missing key 'limit' at rateLimits.login (bulwark.yaml line 2, column 10)");
    }

    @Test
    void aReferenceToAnUnknownBreakerOrRuleNamesTheNearestOne() {
        List<InfraError> errors = errors("""
                circuitBreakers:
                  inventory: {}
                rateLimits:
                  api_calls: { limit: 100, window: 1m }
                protections:
                  stock:
                    circuitBreaker: invetory
                    rateLimit: { rule: api_call }
                """);
        assertThat(errors).extracting(InfraError::message).containsExactly(
                "invalid value 'invetory' at protections.stock.circuitBreaker (bulwark.yaml line 7, column 21):"
                        + " no circuit breaker of circuitBreakers is named 'invetory': did you mean 'inventory'?",
                "invalid value 'api_call' at protections.stock.rateLimit.rule (bulwark.yaml line 8, column 24):"
                        + " no rule of rateLimits is named 'api_call': did you mean 'api_calls'?");
    }

    @Test
    void settingsThatContradictEachOther() {
        List<InfraError> errors = errors("""
                circuitBreakers:
                  db:
                    reset: 30s
                    halfOpen: { after: 10s }
                protections:
                  slow:
                    totalTimeout: 1s
                    attemptTimeout: 2s
                  odd:
                    retry: { backoff: fixed, delay: 1s, multiplier: 3 }
                """);
        assertThat(errors).extracting(InfraError::message).containsExactly(
                "invalid value at circuitBreakers.db.halfOpen (bulwark.yaml line 4, column 15): a breaker recovers either"
                        + " by reset or by halfOpen, not both (reset is at bulwark.yaml line 3, column 12)",
                "invalid value '2s' at protections.slow.attemptTimeout (bulwark.yaml line 8, column 21): attemptTimeout (PT2S)"
                        + " must not be longer than totalTimeout (PT1S)",
                "invalid value '3' at protections.odd.retry.multiplier (bulwark.yaml line 10, column 53): multiplier does not"
                        + " apply to backoff fixed");
    }

    @Test
    void anExceptionClassThatIsMissingOrNotAThrowable() {
        List<InfraError> errors = errors("""
                circuitBreakers:
                  db:
                    recordExceptions:
                      - java.io.IOExeption
                      - java.lang.String
                """);
        assertThat(errors).extracting(InfraError::message).containsExactly(
                "invalid value 'java.io.IOExeption' at circuitBreakers.db.recordExceptions[0] (bulwark.yaml line 4, column 9):"
                        + " no class named java.io.IOExeption is on the class path",
                "invalid value 'java.lang.String' at circuitBreakers.db.recordExceptions[1] (bulwark.yaml line 5, column 9):"
                        + " java.lang.String is not an exception type (a Throwable)");
    }

    @Test
    void aMapWhereAValueBelongsAndAValueWhereAMapBelongs() {
        List<InfraError> errors = errors("""
                protections:
                  a:
                    retry: { maxAttempts: { value: 3 } }
                  b:
                    retry: 3
                """);
        assertThat(errors).extracting(InfraError::code).containsExactly(1101, 1101);
        assertThat(errors.get(0).message()).isEqualTo("A map where a value belongs at protections.a.retry.maxAttempts"
                + " (bulwark.yaml line 3, column 27): expected a whole number");
        assertThat(errors.get(1).message()).startsWith("a value where a map belongs at protections.b.retry"
                + " (bulwark.yaml line 5, column 12): expected a map of maxAttempts, backoff, delay");
    }

    @Test
    void aKeyGivenTwice() {
        InfraError e = only("""
                protections:
                  a:
                    bulkhead: 4
                    bulkhead: 8
                """);
        assertThat(e.code()).isEqualTo(1101);
        assertThat(e.message()).isEqualTo("duplicate key 'bulkhead' at protections.a.bulkhead (bulwark.yaml line 4, column 5):"
                + " already set at bulwark.yaml line 3, column 5");
    }

    @Test
    void malformedYamlAndJsonNameTheLine() {
        InfraError yaml = only("""
                protections:
                  a:
                    retry: { maxAttempts: 3
                  b: {}
                """);
        assertThat(yaml.code()).isEqualTo(1101);
        assertThat(yaml.message()).startsWith("not valid YAML (bulwark.yaml line 4");
        assertThat(yaml.context()).containsKey("line");

        ConfigException json = catchThrowableOfType(ConfigException.class, () -> ConfigSnapshot.parse(
                "{\n  \"protections\": {\n    \"a\": { \"bulkhead\": 4, }\n  }\n}", ConfigFormat.JSON, "bulwark.json"));
        assertThat(json.errors()).singleElement().satisfies(e -> {
            assertThat(e.code()).isEqualTo(1101);
            assertThat(e.message()).startsWith("not valid JSON (bulwark.json line 3");
            assertThat(e.context()).containsEntry("line", 3);
        });
    }

    @Test
    void aFileThatDoesNotExist(@TempDir Path dir) {
        Path missing = dir.resolve("bulwark.yaml");
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> BulwarkConfig.fromFile(missing).build());
        assertThat(e.code()).isEqualTo(1301);
        assertThat(e.errors()).singleElement().satisfies(error ->
                assertThat(error.message()).isEqualTo("configuration file " + missing + " does not exist"));
    }

    @Test
    void everyProblemOfAFileIsReportedAtOnceInSourceOrder() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigSnapshot.parse("""
                circuitBreakers:
                  db: { consecutiveFailures: 0 }
                rateLimits:
                  api: { limit: -1, window: 1m }
                protections:
                  inventory:
                    retry: { maxAttempt: 3 }
                    bulkhead: { maxConcurrentCalls: many }
                    circuitBreaker: dbb
                """, ConfigFormat.YAML, "bulwark.yaml"));
        assertThat(e.errors()).extracting(err -> err.context().get("line")).containsExactly(2, 4, 7, 8, 9);
        assertThat(e.errors()).extracting(InfraError::code).containsExactly(1201, 1201, 1101, 1201, 1201);
        assertThat(e.getMessage()).startsWith("5 problems in bulwark.yaml:\n  - invalid value '0' at circuitBreakers.db.consecutiveFailures");
        assertThat(e.error().context()).containsEntry("errors", 5);
    }

    @Test
    void aTopLevelThatIsNotAMap() {
        assertThatThrownBy(() -> ConfigSnapshot.parse("- a\n- b\n", ConfigFormat.YAML, "bulwark.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("the top level (bulwark.yaml line 1, column 1): must be a map of sections (protections,"
                        + " circuitBreakers, ...), was a list");
    }

    @Test
    void anEmptyProtectionAndAFallbackWithoutAnswer() {
        List<InfraError> errors = errors("""
                protections:
                  nothing: {}
                  mute:
                    fallback: {}
                """);
        assertThat(errors).extracting(InfraError::message).containsExactly(
                "an empty protection at protections.nothing (bulwark.yaml line 2, column 12): give it at least one stage:"
                        + " fallback, rateLimit, bulkhead, totalTimeout, retry, circuitBreaker or attemptTimeout",
                "a fallback without an answer at protections.mute.fallback (bulwark.yaml line 4, column 15): give it a"
                        + " value, a lastGoodValue, or both");
    }
}
