package dev.bulwark.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.circuit.CircuitBreakerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class PoolConfigTest {

    @Test
    void defaultsAreDocumented() {
        PoolConfig d = PoolConfig.defaults();
        assertThat(d.maxSize()).isEqualTo(8);
        assertThat(d.maxOverflow()).isZero();
        assertThat(d.overflowLinger()).isEqualTo(Duration.ofSeconds(30));
        assertThat(d.maxWaiters()).isEqualTo(64);
        assertThat(d.checkoutTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(d.validateOnBorrow()).isFalse();
        assertThat(d.validateWhileIdle()).isNull();
        assertThat(d.evictIdleAfter()).isNull();
        assertThat(d.leakThreshold()).isNull();
        assertThat(d.maintenanceInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(d.critical()).isFalse();
        assertThat(d.poisons(new IOException())).isFalse();
    }

    @Test
    void equalValuesAreEqualConfigs() {
        PoolConfig a = PoolConfig.builder().maxSize(4).maxOverflow(2).poisonedBy(IOException.class)
                .leakThreshold(Duration.ofSeconds(5)).build();
        PoolConfig b = PoolConfig.builder().maxSize(4).maxOverflow(2).poisonedBy(IOException.class)
                .leakThreshold(Duration.ofSeconds(5)).build();
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.toBuilder().build()).isEqualTo(a);
        assertThat(a).isNotEqualTo(a.toBuilder().maxOverflow(3).build());
        assertThat(a).isNotEqualTo(a.toBuilder().critical(true).build());
        Predicate<Throwable> rule = t -> t instanceof UncheckedIOException;
        assertThat(a.toBuilder().poisonedBy(rule).build()).as("predicates compare by identity")
                .isEqualTo(a.toBuilder().poisonedBy(rule).build())
                .isNotEqualTo(a.toBuilder().poisonedBy(t -> t instanceof UncheckedIOException).build());
    }

    @Test
    void poisonRulesMatchTypesAndPredicatesAndARuleThatThrowsPoisons() {
        PoolConfig config = PoolConfig.builder().poisonedBy(IOException.class)
                .poisonedBy(t -> {
                    if (t instanceof IllegalStateException) {
                        throw new RuntimeException("rule broke");
                    }
                    return t instanceof UncheckedIOException;
                }).build();
        assertThat(config.poisons(new java.net.ConnectException())).isTrue();
        assertThat(config.poisons(new UncheckedIOException(new IOException()))).isTrue();
        assertThat(config.poisons(new IllegalArgumentException())).isFalse();
        assertThat(config.poisons(new IllegalStateException())).isTrue();
    }

    @Test
    void badValuesAreRefusedWithTheSettingAndTheValueInTheMessage() {
        PoolConfig.Builder b = PoolConfig.builder();
        assertThatThrownBy(() -> b.maxSize(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxSize must be between 1 and 1000000, was 0");
        assertThatThrownBy(() -> b.maxOverflow(-1)).hasMessage("maxOverflow must be between 0 and 1000000, was -1");
        assertThatThrownBy(() -> b.maxWaiters(-3)).hasMessage("maxWaiters must be >= 0, was -3");
        assertThatThrownBy(() -> b.overflowLinger(Duration.ZERO)).hasMessage("overflowLinger must be positive, was PT0S");
        assertThatThrownBy(() -> b.checkoutTimeout(Duration.ofMillis(-5))).hasMessage("checkoutTimeout must be >= 0, was PT-0.005S");
        assertThatThrownBy(() -> b.checkoutTimeout(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("checkoutTimeout must not be null");
        assertThatThrownBy(() -> b.validateWhileIdle(Duration.ofSeconds(-1))).hasMessageContaining("validateWhileIdle");
        assertThatThrownBy(() -> b.evictIdleAfter(Duration.ZERO)).hasMessageContaining("evictIdleAfter");
        assertThatThrownBy(() -> b.leakThreshold(Duration.ofDays(400))).hasMessageContaining("leakThreshold")
                .hasMessageContaining("365 days");
        assertThatThrownBy(() -> b.maintenanceInterval(Duration.ZERO)).hasMessageContaining("maintenanceInterval");
        assertThatThrownBy(() -> b.breaker(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("breaker");
        assertThatThrownBy(() -> b.poisonedBy(IOException.class, null)).isInstanceOf(NullPointerException.class)
                .hasMessage("poisonedBy types[1] must not be null");
        assertThatThrownBy(() -> b.poisonedBy((Predicate<Throwable>) null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("poisonedBy rule");
        assertThatThrownBy(() -> PoolConfig.builder().maxSize(1_000_000).maxOverflow(1).build())
                .hasMessage("maxSize + maxOverflow must be at most 1000000, was 1000000 + 1");
        assertThat(b.build()).as("refused values changed nothing").isEqualTo(PoolConfig.defaults());
    }

    @Test
    void theBreakerConfigIsCarriedAsGiven() {
        CircuitBreakerConfig breaker = CircuitBreakerConfig.builder().consecutiveFailures(3).build();
        assertThat(PoolConfig.builder().breaker(breaker).build().breaker()).isSameAs(breaker);
    }

    @Test
    void badStageNamesAreRefused() {
        assertThatThrownBy(() -> PoolStage.of("Inventory Pool")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'Inventory Pool'");
        assertThatThrownBy(() -> PoolStage.of(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("pool");
        assertThat(PoolStage.of("inventory")).isEqualTo(PoolStage.of("inventory")).hasSameHashCodeAs(PoolStage.of("inventory"));
    }
}
