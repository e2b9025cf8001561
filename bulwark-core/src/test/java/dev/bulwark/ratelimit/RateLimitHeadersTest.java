package dev.bulwark.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.error.InfraError;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Header values of draft-ietf-httpapi-ratelimit-headers-10 and Retry-After. */
class RateLimitHeadersTest {

    private static final RateLimit BURST = RateLimit.of("burst", 100, Duration.ofMinutes(1));
    private static final RateLimit DAILY = RateLimit.of("daily", 1_000, Duration.ofDays(1));

    @Test
    void policyListsEachRuleWithItsQuotaAndWindowInSeconds() {
        assertThat(RateLimitHeaders.policy(BURST, DAILY)).isEqualTo("\"burst\";q=100;w=60, \"daily\";q=1000;w=86400");
    }

    @Test
    void aWindowThatIsNotAWholeNumberOfSecondsIsSentWithoutW() {
        assertThat(RateLimitHeaders.policy(RateLimit.of("fast", 5, Duration.ofMillis(500)))).isEqualTo("\"fast\";q=5");
    }

    @Test
    void rateLimitNamesThePolicyWithRemainingUnitsAndSecondsUntilMoreQuotaRoundedUp() {
        Decision allowed = Decision.allowed(BURST, 42, 17_200_000_000L);
        assertThat(RateLimitHeaders.rateLimit(allowed)).isEqualTo("\"burst\";r=42;t=18");
        Decision denied = Decision.denied(BURST, 0, 3_000_000_000L, 59_000_000_000L);
        assertThat(RateLimitHeaders.rateLimit(denied)).isEqualTo("\"burst\";r=0;t=3");
        assertThat(RateLimitHeaders.rateLimit(List.of(allowed, Decision.allowed(DAILY, 999, 86_400_000_000_000L))))
                .isEqualTo("\"burst\";r=42;t=18, \"daily\";r=999;t=86400");
    }

    @Test
    void retryAfterIsTheWaitInWholeSecondsRoundedUpAndAtLeastOne() {
        assertThat(RateLimitHeaders.retryAfterSeconds(Decision.denied(BURST, 0, 1, 1))).hasValue(1);
        assertThat(RateLimitHeaders.retryAfterSeconds(Decision.denied(BURST, 0, 2_000_000_001L, 1))).hasValue(3);
        assertThat(RateLimitHeaders.retryAfterSeconds(Decision.allowed(BURST, 1, 0))).isEmpty();
        assertThat(RateLimitHeaders.retryAfterSeconds(Decision.denied(BURST, 0, Decision.NEVER, 0))).isEmpty();
        InfraError exceeded = InfraError.builder(CoreErrorCode.RATE_LIMIT_EXCEEDED).retryAfter(Duration.ofMillis(1_500)).build();
        assertThat(RateLimitHeaders.retryAfterSeconds(exceeded)).hasValue(2);
        assertThat(RateLimitHeaders.retryAfterSeconds(InfraError.of(CoreErrorCode.RATE_LIMITER_INVALID_INPUT, "bad"))).isEmpty();
    }

    @Test
    void aDenialThatCanNeverSucceedHasNoResetTime() {
        assertThat(RateLimitHeaders.rateLimit(Decision.denied(BURST, 100, Decision.NEVER, 0))).isEqualTo("\"burst\";r=100");
    }

    @Test
    void namesAreEncodedAsStructuredFieldStrings() {
        RateLimit odd = RateLimit.of("say \"hi\" \\ é", 1, Duration.ofSeconds(1));
        assertThat(RateLimitHeaders.policy(odd)).isEqualTo("\"say \\\"hi\\\" \\\\ _\";q=1;w=1");
    }

    @Test
    void allHeadersOfADenialComeInOrder() {
        Map<String, String> headers = RateLimitHeaders.of(Decision.denied(BURST, 0, 12_000_000_000L, 60_000_000_000L));
        assertThat(headers).containsExactly(
                Map.entry("RateLimit-Policy", "\"burst\";q=100;w=60"),
                Map.entry("RateLimit", "\"burst\";r=0;t=12"),
                Map.entry("Retry-After", "12"));
    }
}
