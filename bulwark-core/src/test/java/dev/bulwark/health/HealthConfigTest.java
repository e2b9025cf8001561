package dev.bulwark.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The edges of what {@link HealthConfig} and {@link HealthCheckConfig} accept. */
class HealthConfigTest {

    @Test
    void aCheckMayTakeAndBeReusedForAtMostAnHour() {
        HealthCheckConfig longest = HealthCheckConfig.of(HealthCheckConfig.MAX, HealthCheckConfig.MAX);
        assertThat(longest.timeout()).isEqualTo(Duration.ofHours(1));
        assertThat(longest.ttl()).isEqualTo(Duration.ofHours(1));
        Duration tooLong = HealthCheckConfig.MAX.plusNanos(1);
        assertThatThrownBy(() -> HealthCheckConfig.of(tooLong, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout").hasMessageContaining("PT1H0.000000001S");
        assertThatThrownBy(() -> HealthCheckConfig.of(Duration.ofSeconds(1), tooLong))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
        assertThatThrownBy(() -> HealthCheckConfig.of(Duration.ofSeconds(1), Duration.ofMillis(-5)))
                .hasMessageContaining("ttl").hasMessageContaining("PT-0.005S");
        assertThatThrownBy(() -> HealthCheckConfig.of(null, Duration.ofSeconds(1))).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("timeout");
    }

    @Test
    void withTimeoutAndWithTtlChangeOnlyTheirSetting() {
        HealthCheckConfig defaults = HealthCheckConfig.defaults();
        assertThat(defaults.timeout()).isEqualTo(Duration.ofMillis(HealthCheckConfig.DEFAULT_TIMEOUT_MS));
        assertThat(defaults.ttl()).isEqualTo(Duration.ofMillis(HealthCheckConfig.DEFAULT_TTL_MS));
        HealthCheckConfig slower = defaults.withTimeout(Duration.ofSeconds(5));
        assertThat(slower.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(slower.ttl()).isEqualTo(defaults.ttl());
        HealthCheckConfig cached = defaults.withTtl(Duration.ofSeconds(30));
        assertThat(cached.ttl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(cached.timeout()).isEqualTo(defaults.timeout());
        assertThatThrownBy(() -> defaults.withTtl(Duration.ZERO)).hasMessageContaining("ttl");
    }

    @Test
    void checkConfigsAreEqualByTimeoutAndTtl() {
        HealthCheckConfig a = HealthCheckConfig.of(Duration.ofSeconds(1), Duration.ofSeconds(2));
        assertThat(a).isEqualTo(HealthCheckConfig.defaults()).hasSameHashCodeAs(HealthCheckConfig.defaults());
        assertThat(a).isNotEqualTo(a.withTimeout(Duration.ofSeconds(2))).isNotEqualTo(a.withTtl(Duration.ofSeconds(1)));
        assertThat(a.withTimeout(Duration.ofSeconds(2)).hashCode()).isNotEqualTo(a.withTtl(Duration.ofSeconds(1)).hashCode());
        assertThat(a).hasToString("HealthCheckConfig[timeout=PT1S, ttl=PT2S]");
    }

    @Test
    void theKeyBoundWarningIsAShareAboveZeroUpToTheWholeBound() {
        assertThat(HealthConfig.defaults().keyBoundWarning()).isEqualTo(HealthConfig.DEFAULT_KEY_BOUND_WARNING);
        assertThat(HealthConfig.builder().keyBoundWarning(1.0).build().keyBoundWarning()).isEqualTo(1.0);
        assertThat(HealthConfig.builder().keyBoundWarning(0.001).build().keyBoundWarning()).isEqualTo(0.001);
        assertThatThrownBy(() -> HealthConfig.builder().keyBoundWarning(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("keyBoundWarning").hasMessageContaining("0.0");
        assertThatThrownBy(() -> HealthConfig.builder().keyBoundWarning(1.01)).hasMessageContaining("1.01");
        assertThatThrownBy(() -> HealthConfig.builder().keyBoundWarning(Double.NaN)).hasMessageContaining("NaN");
    }

    @Test
    void criticalBreakerNamesMustNotBeBlank() {
        assertThatThrownBy(() -> HealthConfig.builder().criticalBreakers("ledger", " "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("' '");
        assertThatThrownBy(() -> HealthConfig.builder().criticalBreakers("ledger", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null");
        assertThatThrownBy(() -> HealthConfig.builder().criticalBreakers((String[]) null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("names");
        assertThat(HealthConfig.builder().criticalBreakers("payments", "ledger").build().criticalBreakers())
                .containsExactly("ledger", "payments");
    }

    @Test
    void healthConfigsDifferingInAnySettingAreNotEqual() {
        HealthConfig base = HealthConfig.defaults();
        assertThat(HealthConfig.builder().build()).isEqualTo(base).hasSameHashCodeAs(base);
        assertThat(HealthConfig.builder().criticalBreakers("ledger").build()).isNotEqualTo(base);
        assertThat(HealthConfig.builder().keyBoundWarning(0.5).build()).isNotEqualTo(base);
        assertThat(HealthConfig.builder().checkDefaults(HealthCheckConfig.defaults().withTtl(Duration.ofSeconds(9))).build())
                .isNotEqualTo(base);
        assertThat(HealthConfig.builder().criticalBreakers("ledger").build())
                .isEqualTo(HealthConfig.builder().criticalBreakers("ledger", "ledger").build());
    }
}
