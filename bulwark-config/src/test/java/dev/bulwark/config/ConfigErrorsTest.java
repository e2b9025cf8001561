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
                        + " fallback, rateLimit, shed, adaptiveConcurrency, bulkhead, totalTimeout, retry, hedge, circuitBreaker,"
                        + " attemptTimeout or pool",
                "a fallback without an answer at protections.mute.fallback (bulwark.yaml line 4, column 15): give it a"
                        + " value, a lastGoodValue, or both");
    }

    @Test
    void healthAndMemorySettingsTheBuildersRefuseAreReportedAtTheSettingAllAtOnce() {
        List<InfraError> errors = errors("""
                health:
                  checkTimeout: 0s
                  checkTtl: 2h
                  criticalBreakers: [payments, " "]
                  keyBoundWarning: 1.5
                memory:
                  elevatedAt: 0.95
                  hysteresis: 1.2
                """);
        assertThat(errors).extracting(InfraError::message).containsExactly(
                "invalid value '0s' at health.checkTimeout (bulwark.yaml line 2, column 17): health check timeout must be"
                        + " positive and at most PT1H, was PT0S",
                "invalid value '2h' at health.checkTtl (bulwark.yaml line 3, column 13): health check ttl must be positive"
                        + " and at most PT1H, was PT2H",
                "invalid value ' ' at health.criticalBreakers[1] (bulwark.yaml line 4, column 32): critical breaker name"
                        + " must not be blank, was ' '",
                "invalid value '1.5' at health.keyBoundWarning (bulwark.yaml line 5, column 20): keyBoundWarning must be in"
                        + " (0, 1], was 1.5",
                "invalid value '1.2' at memory.hysteresis (bulwark.yaml line 8, column 15): hysteresis must be in [0, 1),"
                        + " was 1.2");
    }

    @Test
    void memoryThresholdsThatContradictEachOtherBlameTheOneWritten() {
        InfraError e = only("""
                memory:
                  elevatedAt: 0.95
                """);
        assertThat(e.message()).isEqualTo("invalid value '0.95' at memory.elevatedAt (bulwark.yaml line 2, column 15):"
                + " elevatedAt (0.95) must be below criticalAt (0.9)");
        InfraError hysteresis = only("""
                memory:
                  elevatedAt: 0.3
                  criticalAt: 0.5
                  hysteresis: 0.4
                """);
        assertThat(hysteresis.message()).isEqualTo("invalid value '0.4' at memory.hysteresis (bulwark.yaml line 4,"
                + " column 15): hysteresis (0.4) must be below elevatedAt (0.3)");
        assertThat(only("memory: { elevatedAt: 0.8, criticalAt: 0.8 }").message()).startsWith(
                "invalid value '0.8' at memory.criticalAt (bulwark.yaml line 1, column 40)");
    }

    @Test
    void aMisspeltSettingOfTheNewSectionsAndStagesNamesTheNearestOne() {
        List<InfraError> errors = errors("""
                helth: { checkTimeout: 1s }
                memory: { elevatedAT: 0.7, criticalThreshold: 0.9 }
                protections:
                  a:
                    shedding: true
                    adaptiveConcurrency: { algorithm: vegas, initalLimit: 5 }
                    hedge: { idempotent: true, delay: 5ms, maxAttempt: 3 }
                """);
        assertThat(errors).extracting(InfraError::message).containsExactly(
                "unknown key 'helth' at the top level (bulwark.yaml line 1, column 1): did you mean 'health'?",
                "unknown key 'criticalThreshold' at memory (bulwark.yaml line 2, column 28): valid keys are elevatedAt,"
                        + " criticalAt, hysteresis, criticalGracePeriod, pollInterval",
                "unknown key 'shedding' at protections.a (bulwark.yaml line 5, column 5): valid keys are fallback, rateLimit,"
                        + " shed, adaptiveConcurrency, bulkhead, totalTimeout, retry, hedge, circuitBreaker, attemptTimeout, pool",
                "invalid value 'vegas' at protections.a.adaptiveConcurrency.algorithm (bulwark.yaml line 6, column 39):"
                        + " no algorithm is named 'vegas' (known: aimd, gradient)",
                "unknown key 'initalLimit' at protections.a.adaptiveConcurrency (bulwark.yaml line 6, column 46): did you"
                        + " mean 'initialLimit'?",
                "unknown key 'maxAttempt' at protections.a.hedge (bulwark.yaml line 7, column 44): did you mean"
                        + " 'maxAttempts'?");
    }

    @Test
    void shedIsABooleanAndTheAdaptiveLimitsStayWithinEachOther() {
        List<InfraError> errors = errors("""
                protections:
                  a:
                    shed: maybe
                  b:
                    adaptiveConcurrency: { initialLimit: 5, minLimit: 10 }
                  c:
                    adaptiveConcurrency: { maxLimit: 0, tolerance: 5, backoffRatio: 0.7 }
                  d:
                    adaptiveConcurrency: { algorithm: aimd, backoffRatio: 0.2, window: 0s }
                """);
        assertThat(errors).extracting(InfraError::message).containsExactly(
                "invalid value 'maybe' at protections.a.shed (bulwark.yaml line 3, column 11): expected true or false",
                "invalid value '5' at protections.b.adaptiveConcurrency.initialLimit (bulwark.yaml line 5, column 42):"
                        + " initialLimit (5) must lie within [10, 1000]",
                "invalid value '0' at protections.c.adaptiveConcurrency.maxLimit (bulwark.yaml line 7, column 38):"
                        + " maxLimit (0) must be >= minLimit (1)",
                "invalid value '5' at protections.c.adaptiveConcurrency.tolerance (bulwark.yaml line 7, column 52):"
                        + " tolerance must be in (1, 4], was 5.0",
                "invalid value '0.7' at protections.c.adaptiveConcurrency.backoffRatio (bulwark.yaml line 7, column 69):"
                        + " backoffRatio applies to algorithm aimd only, not gradient",
                "invalid value '0.2' at protections.d.adaptiveConcurrency.backoffRatio (bulwark.yaml line 9, column 59):"
                        + " backoffRatio must be in [0.5, 1), was 0.2",
                "invalid value '0s' at protections.d.adaptiveConcurrency.window (bulwark.yaml line 9, column 72):"
                        + " window must be positive, was PT0S");
    }

    @Test
    void aHedgeMustBeDeclaredIdempotentAndChooseOneKindOfDelay() {
        List<InfraError> errors = errors("""
                protections:
                  a:
                    hedge: { delay: 10ms }
                  b:
                    hedge: { idempotent: false, delay: 10ms }
                  c:
                    hedge: { idempotent: true, delay: 10ms, percentile: 95 }
                  d:
                    hedge: { idempotent: true, delay: 10ms, minSamples: 5 }
                  e:
                    hedge: { idempotent: true, percentile: 100, initialDelay: 5ms }
                  f:
                    hedge: { idempotent: true, percentile: 90 }
                  g:
                    hedge: { idempotent: true }
                  h:
                    hedge: { idempotent: true, delay: 1ms, maxAttempts: 11, budget: { ratio: 2 } }
                  i:
                    hedge: { idempotent: true, percentile: 99, initialDelay: 1ms, minDelay: 1s, maxDelay: 10ms }
                """);
        assertThat(errors).extracting(InfraError::message).containsExactly(
                "missing key 'idempotent' at protections.a.hedge (bulwark.yaml line 3, column 12): hedging runs the"
                        + " operation more than once at the same time: only an operation declared idempotent"
                        + " (idempotent: true) may be hedged (docs/hedging.md)",
                "invalid value 'false' at protections.b.hedge.idempotent (bulwark.yaml line 5, column 26): hedging runs"
                        + " the operation more than once at the same time: only an operation declared idempotent"
                        + " (idempotent: true) may be hedged (docs/hedging.md)",
                "invalid value '95' at protections.c.hedge.percentile (bulwark.yaml line 7, column 57): a hedge waits"
                        + " either a fixed delay or a percentile of the latency (with initialDelay), not both (delay is at"
                        + " bulwark.yaml line 7, column 39)",
                "invalid value '5' at protections.d.hedge.minSamples (bulwark.yaml line 9, column 57): minSamples applies"
                        + " to a percentile delay only, not to a fixed delay",
                "invalid value '100' at protections.e.hedge.percentile (bulwark.yaml line 11, column 44): percentile must"
                        + " be in (0, 100), was 100.0",
                "missing key 'initialDelay' at protections.f.hedge (bulwark.yaml line 13, column 12)",
                "missing key 'delay' or 'percentile' at protections.g.hedge (bulwark.yaml line 15, column 12): when the"
                        + " next attempt starts: a fixed delay, or a percentile of the latency",
                "invalid value '11' at protections.h.hedge.maxAttempts (bulwark.yaml line 17, column 57): maxAttempts must"
                        + " be between 2 and 10, was 11",
                "invalid value '2' at protections.h.hedge.budget.ratio (bulwark.yaml line 17, column 78): budget ratio"
                        + " must be in (0, 1], was 2.0",
                "invalid value '10ms' at protections.i.hedge.maxDelay (bulwark.yaml line 19, column 91): min (PT1S) must"
                        + " not exceed max (PT0.01S)");
    }
}
