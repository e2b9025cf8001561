package dev.bulwark.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.Infrastructure;
import dev.bulwark.telemetry.Events;
import dev.bulwark.testkit.TelemetryCapture;
import dev.bulwark.time.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Levels from injected readings: thresholds, hysteresis, events, status. */
class MemoryMonitorTest {

    private final ManualClock clock = new ManualClock();
    private final AtomicReference<MemoryReading> heap = new AtomicReference<>(MemoryReading.ofOccupancy(0.30));
    private final Infrastructure infra = Infrastructure.builder().clock(clock).executor(Runnable::run)
            .memorySource(heap::get).build();
    private final MemoryMonitor monitor = infra.memory();

    @AfterEach
    void tearDown() {
        infra.close();
    }

    private MemoryPressure read(double occupancy) {
        heap.set(MemoryReading.ofOccupancy(occupancy));
        return monitor.refresh();
    }

    @Test
    void aReadingAtOrAboveAThresholdEntersItsLevel() {
        assertThat(monitor.level()).isEqualTo(MemoryPressure.NORMAL);
        assertThat(read(0.7999)).isEqualTo(MemoryPressure.NORMAL);
        assertThat(read(0.80)).isEqualTo(MemoryPressure.ELEVATED);
        assertThat(read(0.90)).isEqualTo(MemoryPressure.CRITICAL);
        assertThat(read(0.40)).isEqualTo(MemoryPressure.NORMAL);
        assertThat(read(0.95)).as("straight to critical").isEqualTo(MemoryPressure.CRITICAL);
    }

    @Test
    void aLevelIsLeftOnlyBelowItsThresholdMinusTheHysteresis() {
        read(0.92);
        assertThat(read(0.86)).as("below critical, within the hysteresis").isEqualTo(MemoryPressure.CRITICAL);
        assertThat(read(0.8499)).isEqualTo(MemoryPressure.ELEVATED);
        assertThat(read(0.76)).as("below elevated, within the hysteresis").isEqualTo(MemoryPressure.ELEVATED);
        assertThat(read(0.7499)).isEqualTo(MemoryPressure.NORMAL);
        assertThat(read(0.78)).as("climbing back below the threshold stays normal").isEqualTo(MemoryPressure.NORMAL);
    }

    @Test
    void aReadingHoveringAtAThresholdDoesNotFlap() {
        try (TelemetryCapture events = TelemetryCapture.all(infra.telemetry())) {
            double[] hovering = {0.79, 0.81, 0.795, 0.805, 0.78, 0.82, 0.799, 0.801, 0.77, 0.80};
            List<MemoryPressure> levels = new ArrayList<>();
            for (int round = 0; round < 10; round++) {
                for (double occupancy : hovering) {
                    levels.add(read(occupancy));
                }
            }
            // the first reading past 80 % enters ELEVATED, and nothing above 75 % leaves it
            assertThat(levels.subList(0, 1)).containsExactly(MemoryPressure.NORMAL);
            assertThat(levels.subList(1, levels.size())).containsOnly(MemoryPressure.ELEVATED);
            assertThat(events.count(Events.MEMORY_PRESSURE_CHANGED)).isEqualTo(1);

            double[] hoveringAtCritical = {0.89, 0.91, 0.88, 0.905, 0.86, 0.90};
            for (int round = 0; round < 10; round++) {
                for (double occupancy : hoveringAtCritical) {
                    read(occupancy);
                }
            }
            assertThat(monitor.level()).isEqualTo(MemoryPressure.CRITICAL);
            assertThat(events.count(Events.MEMORY_PRESSURE_CHANGED)).isEqualTo(2);
            assertThat(events.undeclared()).isEmpty();
        }
    }

    @Test
    void eachChangeIsEmittedWithTheReading() {
        try (TelemetryCapture events = TelemetryCapture.all(infra.telemetry())) {
            heap.set(new MemoryReading(850, 1000));
            monitor.refresh();
            heap.set(new MemoryReading(930, 1000));
            monitor.refresh();
            heap.set(new MemoryReading(100, 1000));
            monitor.refresh();
            List<TelemetryCapture.Captured> changes = events.named(Events.MEMORY_PRESSURE_CHANGED);
            assertThat(changes).extracting(e -> e.metadata().get("from") + "->" + e.metadata().get("to"))
                    .containsExactly("normal->elevated", "elevated->critical", "critical->normal");
            assertThat(changes.get(1).measurements()).containsEntry("occupancy", 0.93).containsEntry("used_bytes", 930L)
                    .containsEntry("max_bytes", 1000L);
        }
    }

    @Test
    void timeInLevelIsMeasuredOnTheClock() {
        read(0.95);
        clock.advance(Duration.ofSeconds(42));
        assertThat(monitor.timeInLevel()).isEqualTo(Duration.ofSeconds(42));
        read(0.93);
        clock.advance(Duration.ofSeconds(1));
        assertThat(monitor.timeInLevel()).as("the same level goes on").isEqualTo(Duration.ofSeconds(43));
    }

    @Test
    void theStatusShowsLevelReadingAndCounts() {
        read(0.85);
        MemoryMonitor.Status status = (MemoryMonitor.Status) infra.status().components().get("memory_monitor");
        assertThat(status.level()).isEqualTo(MemoryPressure.ELEVATED);
        assertThat(status.occupancy()).isEqualTo(0.85);
        assertThat(status.readings()).isGreaterThanOrEqualTo(2);
        assertThat(infra.component(MemoryMonitor.class)).containsSame(monitor);
    }

    @Test
    void aSourceThatThrowsKeepsTheLevelAndIsCounted() {
        read(0.85);
        MemorySource broken = () -> {
            throw new IllegalStateException("no pools");
        };
        try (MemoryMonitor failing = MemoryMonitor.builder().source(broken).build()) {
            assertThat(failing.refresh()).isEqualTo(MemoryPressure.NORMAL);
            assertThat(failing.status().readFailures()).isEqualTo(2);   // at build, and now
        }
    }

    @Test
    void configurationIsValidated() {
        assertThatThrownBy(() -> MemoryConfig.builder().elevatedAt(0.9).criticalAt(0.8).build())
                .hasMessageContaining("elevatedAt (0.9)").hasMessageContaining("criticalAt (0.8)");
        assertThatThrownBy(() -> MemoryConfig.builder().elevatedAt(0)).hasMessageContaining("elevatedAt");
        assertThatThrownBy(() -> MemoryConfig.builder().criticalAt(1.5)).hasMessageContaining("1.5");
        assertThatThrownBy(() -> MemoryConfig.builder().hysteresis(-0.1)).hasMessageContaining("-0.1");
        assertThatThrownBy(() -> MemoryConfig.builder().criticalGracePeriod(Duration.ZERO)).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> new MemoryReading(-1, 10)).hasMessageContaining("-1");
        assertThatThrownBy(() -> new MemoryReading(1, 0)).hasMessageContaining("maxBytes");
        assertThat(MemoryConfig.builder().elevatedAt(0.7).build()).isEqualTo(MemoryConfig.builder().elevatedAt(0.7).build())
                .isNotEqualTo(MemoryConfig.defaults());
    }

    @Test
    void theJvmHeapSourceChoosesPoolsByCapability() {
        HeapAfterCollection source = new HeapAfterCollection();
        for (var pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
            boolean chosen = pool.getType() == java.lang.management.MemoryType.HEAP && pool.isCollectionUsageThresholdSupported();
            assertThat(source.poolNames().contains(pool.getName())).as(pool.getName()).isEqualTo(chosen);
        }
        assertThat(source.poolNames()).isNotEmpty();
        MemoryReading reading = source.read();
        assertThat(reading.maxBytes()).isEqualTo(java.lang.management.ManagementFactory.getMemoryMXBean()
                .getHeapMemoryUsage().getMax());
        assertThat(reading.occupancy()).isBetween(0.0, 1.0);
    }
}
