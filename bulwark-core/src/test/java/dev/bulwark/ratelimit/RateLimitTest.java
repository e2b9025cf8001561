package dev.bulwark.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimitTest {

    @Test
    void aRuleWithoutAnAlgorithmUsesTheSlidingWindow() {
        assertThat(RateLimit.of("api", 100, Duration.ofMinutes(1)).algorithm()).isEqualTo(Algorithm.SLIDING_WINDOW);
        assertThat(RateLimit.perSecond(5).windowNanos()).isEqualTo(1_000_000_000L);
        assertThat(RateLimit.perMinute(5).window()).isEqualTo(Duration.ofMinutes(1));
        assertThat(RateLimit.perHour(5).name()).isEqualTo("5/PT1H");
    }

    @Test
    void badValuesAreRejectedWithMessagesQuotingThem() {
        assertThatThrownBy(() -> RateLimit.of("api", -1, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit").hasMessageContaining("-1");
        assertThatThrownBy(() -> RateLimit.of("api", RateLimit.MAX_LIMIT + 1, Duration.ofSeconds(1)))
                .hasMessageContaining(String.valueOf(RateLimit.MAX_LIMIT + 1));
        assertThatThrownBy(() -> RateLimit.of("api", 1, Duration.ZERO)).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> RateLimit.of("api", 1, Duration.ofMillis(-5))).hasMessageContaining("PT-0.005S");
        assertThatThrownBy(() -> RateLimit.of("api", 1, Duration.ofDays(400))).hasMessageContaining("PT9600H");
        assertThatThrownBy(() -> RateLimit.of(" ", 1, Duration.ofSeconds(1))).hasMessageContaining("name");
        assertThatThrownBy(() -> RateLimit.of("api", 1, null)).isInstanceOf(NullPointerException.class).hasMessage("window");
        assertThatThrownBy(() -> RateLimit.of("api", 1, Duration.ofSeconds(1), null)).hasMessage("algorithm");
    }

    @Test
    void rulesWithTheSameNumbersShareStateWhateverTheirNames() {
        RateLimit login = RateLimit.of("login", 5, Duration.ofMinutes(1));
        RateLimit signup = RateLimit.of("signup", 5, Duration.ofMinutes(1));
        assertThat(login.sameState(signup)).isTrue();
        assertThat(login).isNotEqualTo(signup);
        assertThat(login).isEqualTo(RateLimit.of("login", 5, Duration.ofSeconds(60))).hasSameHashCodeAs(signup.named("login"));
        assertThat(login.sameState(login.withAlgorithm(Algorithm.GCRA))).isFalse();
        assertThat(login.sameState(RateLimit.of("login", 6, Duration.ofMinutes(1)))).isFalse();
    }

    @Test
    void theEmissionIntervalIsTheWindowOverTheLimitRoundedUp() {
        assertThat(RateLimit.of(3, Duration.ofSeconds(1)).emissionIntervalNanos()).isEqualTo(333_333_334L);
        assertThat(RateLimit.of(4, Duration.ofSeconds(8)).emissionIntervalNanos()).isEqualTo(2_000_000_000L);
        assertThat(RateLimit.of(0, Duration.ofSeconds(8)).emissionIntervalNanos()).isZero();
        assertThat(RateLimit.of(10, Duration.ofNanos(3)).emissionIntervalNanos()).isEqualTo(1);
    }

    @Test
    void decisionsRejectInconsistentComponents() {
        RateLimit rule = RateLimit.of(5, Duration.ofSeconds(1));
        assertThatThrownBy(() -> Decision.allowed(rule, 6, 0)).hasMessageContaining("remaining").hasMessageContaining("6");
        assertThatThrownBy(() -> Decision.denied(rule, 0, 0, 0)).hasMessageContaining("retryAfterNanos 0");
        assertThatThrownBy(() -> new Decision(true, 4, 0, 0, 0, rule)).hasMessageContaining("limit 4");
        Decision never = Decision.denied(rule, 5, Decision.NEVER, 0);
        assertThat(never.canSucceedLater()).isFalse();
        assertThat(never.used()).isZero();
    }
}
