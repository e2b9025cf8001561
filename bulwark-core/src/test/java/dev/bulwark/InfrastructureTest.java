package dev.bulwark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.telemetry.TelemetryCapture;
import dev.bulwark.time.ManualClock;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class InfrastructureTest {

    @Test
    void emitsInitializedAndStoppedEvents() {
        try (Telemetry telemetry = Telemetry.create(); TelemetryCapture events = TelemetryCapture.all(telemetry)) {
            Infrastructure infra = Infrastructure.builder().telemetry(telemetry).build();
            assertThat(events.count(Events.INFRASTRUCTURE_INITIALIZED)).isEqualTo(1);
            assertThat(events.named(Events.INFRASTRUCTURE_INITIALIZED).get(0).metadata()).containsKey("components");

            infra.close();
            infra.close();
            assertThat(events.count(Events.INFRASTRUCTURE_STOPPED)).isEqualTo(1);
        }
    }

    @Test
    void statusReportsRunningUptimeAndCounters() {
        ManualClock clock = new ManualClock();
        Infrastructure infra = Infrastructure.builder().clock(clock).build();
        clock.advance(Duration.ofSeconds(30));

        InfrastructureStatus status = infra.status();
        assertThat(status.running()).isTrue();
        assertThat(status.startedAt()).isEqualTo(ManualClock.DEFAULT_START);
        assertThat(status.uptime()).isEqualTo(Duration.ofSeconds(30));
        assertThat(status.droppedEvents()).isZero();
        assertThat(status.handlerFailures()).isZero();

        infra.close();
        assertThat(infra.status().running()).isFalse();
        assertThat(infra.isRunning()).isFalse();
    }

    @Test
    void usesTheConfiguredPrefixAndClock() {
        ManualClock clock = new ManualClock();
        try (Infrastructure infra = Infrastructure.builder().clock(clock).telemetryPrefix("elixir_scope.foundation.infra").build()) {
            assertThat(infra.clock()).isSameAs(clock);
            assertThat(infra.telemetry().prefix().toString()).isEqualTo("elixir_scope.foundation.infra");
        }
    }

    @Test
    void buildingAndClosingManyTimesLeavesNoThread() {
        Set<Thread> before = bulwarkThreads();
        for (int i = 0; i < 50; i++) {
            Infrastructure infra = Infrastructure.builder().asyncTelemetry(16).build();
            infra.scheduler().scheduleAtFixedRate("noop", Duration.ofMillis(1), () -> { });
            infra.close();
        }
        assertThat(bulwarkThreads()).isEqualTo(before);
    }

    private static Set<Thread> bulwarkThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("bulwark-") && t.isAlive())
                .collect(Collectors.toSet());
    }
}
