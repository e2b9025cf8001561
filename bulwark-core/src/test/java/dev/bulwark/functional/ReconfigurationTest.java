package dev.bulwark.functional;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Infrastructure;
import dev.bulwark.Protection;
import dev.bulwark.ProtectionStatus;
import dev.bulwark.Result;
import dev.bulwark.circuit.CircuitBreaker;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.circuit.SlidingWindow;
import dev.bulwark.circuit.State;
import dev.bulwark.pipeline.BulkheadConfig;
import dev.bulwark.pipeline.FallbackConfig;
import dev.bulwark.pipeline.RetryBudget;
import dev.bulwark.pipeline.RetryConfig;
import dev.bulwark.time.ManualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Re-applying a protection rebuilt from the same values (what a configuration reload does) keeps
 * all its state: the breaker's state and history, the retry budget and the fallback's last good
 * value. A changed configuration keeps what still applies.
 */
class ReconfigurationTest {

    private final ManualClock clock = new ManualClock();
    private final Infrastructure infra = Infrastructure.builder().clock(clock).build();

    @AfterEach
    void close() {
        infra.close();
    }

    /** Builds every part afresh, as a configuration file read again would. */
    private static Protection freshlyBuilt(int maxAttempts) {
        return Protection.builder()
                .fallback(FallbackConfig.<String>builder().lastGoodValue(Duration.ofMinutes(5)).build())
                .bulkhead(BulkheadConfig.of(4).withMaxWait(Duration.ofMillis(10)))
                .retry(RetryConfig.builder().maxAttempts(maxAttempts).noBackoff().budget(RetryBudget.of(0.5, 4)).build())
                .circuitBreaker("catalog", CircuitBreakerConfig.builder()
                        .failureRate(50, SlidingWindow.ofCalls(10), 4)
                        .recordExceptions(IOException.class)
                        .halfOpen(Duration.ofSeconds(30), 2, 2)
                        .build())
                .attemptTimeout(Duration.ofSeconds(1))
                .build();
    }

    private Result<String> fail() {
        return infra.executeProtected("catalog", () -> {
            throw new IOException("down");
        });
    }

    @Test
    void configsRebuiltFromTheSameValuesAreEqual() {
        assertThat(freshlyBuilt(2)).isEqualTo(freshlyBuilt(2)).hasSameHashCodeAs(freshlyBuilt(2));
        assertThat(freshlyBuilt(2)).isNotEqualTo(freshlyBuilt(3));
        assertThat(CircuitBreakerConfig.builder().failureCount(3, Duration.ofSeconds(9)).build())
                .isEqualTo(CircuitBreakerConfig.builder().failureCount(3, Duration.ofSeconds(9)).build())
                .isNotEqualTo(CircuitBreakerConfig.builder().failureCount(3, Duration.ofSeconds(9))
                        .recordExceptions(t -> true).build());
        assertThat(FallbackConfig.ofValue("x")).isEqualTo(FallbackConfig.ofValue("x")).isNotEqualTo(FallbackConfig.ofValue("y"));
    }

    @Test
    void reapplyingAnEqualFreshConfigKeepsBreakerHistoryRetryBudgetAndLastGoodValue() {
        infra.configureProtection("catalog", freshlyBuilt(2));
        long pageAt = clock.nanoTime();
        assertThat(infra.executeProtected("catalog", () -> "page")).isEqualTo(Result.ok("page"));   // last good value
        clock.advance(Duration.ofSeconds(3));
        assertThat(fail()).isEqualTo(Result.ok("page"));   // 2 attempts fail: 1 retry spends budget; fallback answers
        CircuitBreaker breaker = infra.circuitBreakers().get("catalog").orElseThrow();
        ProtectionStatus before = infra.protectionStatus("catalog").getOrThrow();
        assertThat(before.circuitBreaker().meltCount()).isEqualTo(2);
        assertThat(before.retry().budgetTokens()).isEqualTo(3.0);

        assertThat(infra.configureProtection("catalog", freshlyBuilt(2)).isOk()).isTrue();

        ProtectionStatus after = infra.protectionStatus("catalog").getOrThrow();
        assertThat(infra.circuitBreakers().get("catalog")).containsSame(breaker);
        assertThat(after.circuitBreaker().meltCount()).isEqualTo(2);                 // history kept
        assertThat(after.circuitBreaker().okCount()).isEqualTo(1);
        assertThat(after.retry().budgetTokens()).isEqualTo(3.0);                     // budget kept
        assertThat(after.calls()).isEqualTo(2);

        fail();                                   // two more melts: 4 calls, 75 % failed → open
        assertThat(breaker.state()).isEqualTo(State.OPEN);
        clock.advance(Duration.ofSeconds(2));
        Result<String> answered = fail();         // rejected by the open breaker; the last good value answers
        assertThat(answered).isEqualTo(Result.ok("page"));
        assertThat(infra.protectionStatus("catalog").getOrThrow().fallback().lastGoodAge())
                .isEqualTo(Duration.ofNanos(clock.nanoTime() - pageAt));             // the value of before the reload
    }

    @Test
    void aChangedRetryKeepsTheBreakerAndTheLastGoodValue() {
        infra.configureProtection("catalog", freshlyBuilt(2));
        infra.executeProtected("catalog", () -> "page");
        fail();
        infra.configureProtection("catalog", freshlyBuilt(3));   // only the retry changed

        ProtectionStatus after = infra.protectionStatus("catalog").getOrThrow();
        assertThat(after.circuitBreaker().meltCount()).isEqualTo(2);
        assertThat(after.retry().budgetTokens()).isEqualTo(4.0);   // a new retry starts with a full budget
        assertThat(infra.executeProtected("catalog", () -> {
            throw new UncheckedIOException(new IOException("still down"));
        })).isEqualTo(Result.ok("page"));
    }
}
