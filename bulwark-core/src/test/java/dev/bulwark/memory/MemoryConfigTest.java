package dev.bulwark.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The edges of the thresholds a {@link MemoryConfig} accepts, and of the readings. */
class MemoryConfigTest {

    @Test
    void aThresholdOfTheWholeHeapIsAcceptedAndNothingAboveOrNotANumber() {
        MemoryConfig full = MemoryConfig.builder().criticalAt(1.0).build();
        assertThat(full.criticalAt()).isEqualTo(1.0);
        assertThat(full.levelAfter(MemoryPressure.ELEVATED, 0.9999)).isEqualTo(MemoryPressure.ELEVATED);
        assertThat(full.levelAfter(MemoryPressure.NORMAL, 1.0)).isEqualTo(MemoryPressure.CRITICAL);
        assertThatThrownBy(() -> MemoryConfig.builder().criticalAt(1.0000001)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("criticalAt").hasMessageContaining("1.0000001");
        assertThatThrownBy(() -> MemoryConfig.builder().elevatedAt(Double.NaN)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("elevatedAt").hasMessageContaining("NaN");
        assertThatThrownBy(() -> MemoryConfig.builder().elevatedAt(-0.5)).hasMessageContaining("-0.5");
    }

    @Test
    void equalThresholdsAreRejectedTogether() {
        assertThatThrownBy(() -> MemoryConfig.builder().elevatedAt(0.85).criticalAt(0.85).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("elevatedAt (0.85)")
                .hasMessageContaining("criticalAt (0.85)");
        assertThatThrownBy(() -> MemoryConfig.builder().elevatedAt(0.3).hysteresis(0.3).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hysteresis (0.3)")
                .hasMessageContaining("elevatedAt (0.3)");
        assertThat(MemoryConfig.builder().elevatedAt(0.3).hysteresis(0.29).build().hysteresis()).isEqualTo(0.29);
    }

    @Test
    void noHysteresisLeavesALevelAsSoonAsAReadingFallsBelowItsThreshold() {
        MemoryConfig sharp = MemoryConfig.builder().hysteresis(0).build();
        assertThat(sharp.hysteresis()).isZero();
        assertThat(sharp.levelAfter(MemoryPressure.CRITICAL, 0.8999)).isEqualTo(MemoryPressure.ELEVATED);
        assertThat(sharp.levelAfter(MemoryPressure.ELEVATED, 0.7999)).isEqualTo(MemoryPressure.NORMAL);
        assertThatThrownBy(() -> MemoryConfig.builder().hysteresis(1.0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hysteresis").hasMessageContaining("1.0");
        assertThatThrownBy(() -> MemoryConfig.builder().hysteresis(Double.NaN)).hasMessageContaining("NaN");
    }

    @Test
    void theDurationsMustBePositive() {
        MemoryConfig config = MemoryConfig.builder().criticalGracePeriod(Duration.ofNanos(1)).pollInterval(Duration.ofMillis(250))
                .build();
        assertThat(config.criticalGracePeriod()).isEqualTo(Duration.ofNanos(1));
        assertThat(config.pollInterval()).isEqualTo(Duration.ofMillis(250));
        assertThatThrownBy(() -> MemoryConfig.builder().pollInterval(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pollInterval").hasMessageContaining("PT-0.001S");
        assertThatThrownBy(() -> MemoryConfig.builder().pollInterval(Duration.ZERO)).hasMessageContaining("pollInterval");
        assertThatThrownBy(() -> MemoryConfig.builder().criticalGracePeriod(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("criticalGracePeriod");
    }

    @Test
    void configsDifferingInAnySettingAreNotEqual() {
        MemoryConfig base = MemoryConfig.defaults();
        assertThat(MemoryConfig.builder().build()).isEqualTo(base).hasSameHashCodeAs(base);
        assertThat(MemoryConfig.builder().criticalAt(0.95).build()).isNotEqualTo(base);
        assertThat(MemoryConfig.builder().hysteresis(0.01).build()).isNotEqualTo(base);
        assertThat(MemoryConfig.builder().criticalGracePeriod(Duration.ofSeconds(61)).build()).isNotEqualTo(base);
        assertThat(MemoryConfig.builder().pollInterval(Duration.ofSeconds(2)).build()).isNotEqualTo(base);
        assertThat(base.toString()).contains("elevatedAt=0.8", "criticalAt=0.9", "hysteresis=0.05", "PT1M", "PT1S");
    }

    @Test
    void aReadingOfNothingUsedIsValidAndOccupancyIsUsedOverMax() {
        MemoryReading empty = new MemoryReading(0, 1);
        assertThat(empty.occupancy()).isZero();
        assertThat(new MemoryReading(250, 1000).occupancy()).isEqualTo(0.25);
        assertThat(MemoryReading.ofOccupancy(0).usedBytes()).isZero();
        assertThat(MemoryReading.ofOccupancy(0.5)).isEqualTo(new MemoryReading(500_000, 1_000_000));
        assertThatThrownBy(() -> MemoryReading.ofOccupancy(Double.POSITIVE_INFINITY)).hasMessageContaining("Infinity");
        assertThatThrownBy(() -> MemoryReading.ofOccupancy(Double.NaN)).hasMessageContaining("NaN");
        assertThatThrownBy(() -> MemoryReading.ofOccupancy(-0.01)).hasMessageContaining("-0.01");
        assertThat(new MemoryReading(250, 1000)).hasToString("25.0 % (250 of 1000 bytes)");
    }
}
